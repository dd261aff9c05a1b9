package dev.millrace.runtime.operators;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.japi.function.Function2;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContextExecutor;

/**
 * The {@link ActorContext} a behavior operator's behavior sees ({@code Behaviors.setup(ctx -> ...)},
 * {@code AbstractBehavior}'s constructor). The behavior is interpreted synchronously on the operator instance's
 * thread, one stream element at a time, so everything in an actor context that would make it asynchronous or
 * give it a life outside the stream is refused with {@link UnsupportedOperationException}: its own mailbox
 * ({@code getSelf}, {@code scheduleOnce}, {@code pipeToSelf}, {@code ask}, message adapters, receive timeouts),
 * children and watching. Those would deliver messages the engine cannot order against records and watermarks,
 * cannot snapshot and cannot back-pressure. What stays: {@link #getLog()}, {@link #delegate} and an
 * {@link #asScala()} view that refuses the same (Pekko's {@code Behaviors.setup} goes through it). Records go
 * out, and state and timers come in, through the operator's {@code BehaviorContext}.
 *
 * <p>Threading: confined to the instance's actor.
 *
 * @param <M> the behavior's message type
 */
final class BehaviorActorContext<M> implements ActorContext<M>
{
    private final String operatorName;
    private final BehaviorScalaActorContext<M> scala;
    private Logger log;

    /** @param operatorName the operator, named in every refusal */
    BehaviorActorContext(final String operatorName)
    {
        this.operatorName = operatorName;
        this.log = LoggerFactory.getLogger("dev.millrace.runtime.behavior." + operatorName);
        this.scala = new BehaviorScalaActorContext<>(this);
    }

    /**
     * @param what the refused method
     * @return the exception that says why
     */
    UnsupportedOperationException refused(final String what)
    {
        return new UnsupportedOperationException("ActorContext." + what + " is not available to the behavior of "
            + "stream operator '" + operatorName + "': it runs synchronously inside the stream, one record or timer "
            + "at a time; emit records and use keyed state through its BehaviorContext, and timers through its "
            + "timerService() (their firings come back as messages)");
    }

    @Override
    public ActorContext<M> asJava()
    {
        return this;
    }

    @Override
    public org.apache.pekko.actor.typed.scaladsl.ActorContext<M> asScala()
    {
        return scala;
    }

    @Override
    public org.apache.pekko.actor.ActorContext classicActorContext()
    {
        throw refused("classicActorContext");
    }

    @Override
    public ActorRef<M> getSelf()
    {
        throw refused("getSelf");
    }

    @Override
    public ActorSystem<Void> getSystem()
    {
        throw refused("getSystem");
    }

    @Override
    public Logger getLog()
    {
        return log;
    }

    @Override
    public void setLoggerName(final String name)
    {
        log = LoggerFactory.getLogger(name);
    }

    @Override
    public void setLoggerName(final Class<?> clazz)
    {
        log = LoggerFactory.getLogger(clazz);
    }

    @Override
    public List<ActorRef<Void>> getChildren()
    {
        return List.of();
    }

    @Override
    public Optional<ActorRef<Void>> getChild(final String name)
    {
        return Optional.empty();
    }

    @Override
    public <U> ActorRef<U> spawnAnonymous(final Behavior<U> behavior)
    {
        throw refused("spawnAnonymous");
    }

    @Override
    public <U> ActorRef<U> spawnAnonymous(final Behavior<U> behavior, final Props props)
    {
        throw refused("spawnAnonymous");
    }

    @Override
    public <U> ActorRef<U> spawn(final Behavior<U> behavior, final String name)
    {
        throw refused("spawn");
    }

    @Override
    public <U> ActorRef<U> spawn(final Behavior<U> behavior, final String name, final Props props)
    {
        throw refused("spawn");
    }

    /**
     * Runs {@code delegator} on {@code message} at once, as Pekko's own context does.
     */
    @Override
    public Behavior<M> delegate(final Behavior<M> delegator, final M message)
    {
        final Behavior<M> started = Behavior.start(delegator, this);
        final Behavior<M> next = Behavior.interpretMessage(started, this, message);
        return Behavior.canonicalize(next, started, this);
    }

    @Override
    public <U> void stop(final ActorRef<U> child)
    {
        throw refused("stop");
    }

    @Override
    public <U> void watch(final ActorRef<U> other)
    {
        throw refused("watch");
    }

    @Override
    public <U> void watchWith(final ActorRef<U> other, final M message)
    {
        throw refused("watchWith");
    }

    @Override
    public <U> void unwatch(final ActorRef<U> other)
    {
        throw refused("unwatch");
    }

    @Override
    public void setReceiveTimeout(final Duration timeout, final M message)
    {
        throw refused("setReceiveTimeout");
    }

    @Override
    public void cancelReceiveTimeout()
    {
        throw refused("cancelReceiveTimeout");
    }

    @Override
    public <U> Cancellable scheduleOnce(final Duration delay, final ActorRef<U> target, final U message)
    {
        throw refused("scheduleOnce");
    }

    @Override
    public ExecutionContextExecutor getExecutionContext()
    {
        throw refused("getExecutionContext");
    }

    @Override
    public <U> ActorRef<U> messageAdapter(final Class<U> messageClass, final Function<U, M> adapter)
    {
        throw refused("messageAdapter");
    }

    @Override
    public <Req, Res> void ask(final Class<Res> responseClass, final RecipientRef<Req> target,
        final Duration timeout, final Function<ActorRef<Res>, Req> createRequest,
        final Function2<Res, Throwable, M> applyToResponse)
    {
        throw refused("ask");
    }

    @Override
    public <Req, Res> void askWithStatus(final Class<Res> responseClass, final RecipientRef<Req> target,
        final Duration timeout, final Function<ActorRef<StatusReply<Res>>, Req> createRequest,
        final Function2<Res, Throwable, M> applyToResponse)
    {
        throw refused("askWithStatus");
    }

    @Override
    public <Value> void pipeToSelf(final CompletionStage<Value> future,
        final Function2<Value, Throwable, M> applyToResult)
    {
        throw refused("pipeToSelf");
    }
}
