package dev.millrace.runtime.operators;

import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.scaladsl.ActorContext;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.util.Timeout;
import org.slf4j.Logger;
import scala.Function1;
import scala.Option;
import scala.collection.Iterable;
import scala.concurrent.ExecutionContextExecutor;
import scala.concurrent.Future;
import scala.concurrent.duration.FiniteDuration;
import scala.reflect.ClassTag;
import scala.runtime.Nothing$;
import scala.util.Try;

/**
 * The Scala-DSL view of a {@link BehaviorActorContext}: Pekko's interpreter hands it to deferred behaviors
 * (the Java {@code Behaviors.setup} is built on the Scala one and asks it for {@link #asJava()}). It refuses
 * what the Java view refuses, for the same reasons; the thread checks are no-ops because the behavior only
 * ever runs on the instance's thread.
 *
 * <p>Threading: confined to the instance's actor.
 *
 * @param <M> the behavior's message type
 */
final class BehaviorScalaActorContext<M> implements ActorContext<M>
{
    private final BehaviorActorContext<M> java;

    /** @param java the Java view, which this one mirrors */
    BehaviorScalaActorContext(final BehaviorActorContext<M> java)
    {
        this.java = java;
    }

    private UnsupportedOperationException refused(final String what)
    {
        return java.refused(what);
    }

    @Override
    public org.apache.pekko.actor.typed.javadsl.ActorContext<M> asJava()
    {
        return java;
    }

    @Override
    public ActorContext<M> asScala()
    {
        return this;
    }

    @Override
    public org.apache.pekko.actor.ActorContext classicActorContext()
    {
        throw refused("classicActorContext");
    }

    @Override
    public ActorRef<M> self()
    {
        throw refused("self");
    }

    @Override
    public ActorSystem<Nothing$> system()
    {
        throw refused("system");
    }

    @Override
    public Logger log()
    {
        return java.getLog();
    }

    @Override
    public void setLoggerName(final String name)
    {
        java.setLoggerName(name);
    }

    @Override
    public void setLoggerName(final Class<?> clazz)
    {
        java.setLoggerName(clazz);
    }

    @Override
    public Iterable<ActorRef<Nothing$>> children()
    {
        throw refused("children");
    }

    @Override
    public Option<ActorRef<Nothing$>> child(final String name)
    {
        throw refused("child");
    }

    @Override
    public <U> ActorRef<U> spawnAnonymous(final Behavior<U> behavior, final Props props)
    {
        throw refused("spawnAnonymous");
    }

    @Override
    public <U> ActorRef<U> spawn(final Behavior<U> behavior, final String name, final Props props)
    {
        throw refused("spawn");
    }

    @Override
    public Behavior<M> delegate(final Behavior<M> delegator, final M message)
    {
        return java.delegate(delegator, message);
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
    public void setReceiveTimeout(final FiniteDuration timeout, final M message)
    {
        throw refused("setReceiveTimeout");
    }

    @Override
    public void cancelReceiveTimeout()
    {
        throw refused("cancelReceiveTimeout");
    }

    @Override
    public <U> Cancellable scheduleOnce(final FiniteDuration delay, final ActorRef<U> target, final U message)
    {
        throw refused("scheduleOnce");
    }

    @Override
    public ExecutionContextExecutor executionContext()
    {
        throw refused("executionContext");
    }

    @Override
    public <U> ActorRef<U> spawnMessageAdapter(final Function1<U, M> adapter, final String name)
    {
        throw refused("spawnMessageAdapter");
    }

    @Override
    public <U> ActorRef<U> spawnMessageAdapter(final Function1<U, M> adapter)
    {
        throw refused("spawnMessageAdapter");
    }

    @Override
    public <U> ActorRef<U> messageAdapter(final Function1<U, M> adapter, final ClassTag<U> tag)
    {
        throw refused("messageAdapter");
    }

    @Override
    public <Req, Res> void ask(final RecipientRef<Req> target, final Function1<ActorRef<Res>, Req> createRequest,
        final Function1<Try<Res>, M> mapResponse, final Timeout timeout, final ClassTag<Res> tag)
    {
        throw refused("ask");
    }

    @Override
    public <Req, Res> void askWithStatus(final RecipientRef<Req> target,
        final Function1<ActorRef<StatusReply<Res>>, Req> createRequest, final Function1<Try<Res>, M> mapResponse,
        final Timeout timeout, final ClassTag<Res> tag)
    {
        throw refused("askWithStatus");
    }

    @Override
    public <Value> void pipeToSelf(final Future<Value> future, final Function1<Try<Value>, M> mapResult)
    {
        throw refused("pipeToSelf");
    }

    @Override
    public void onUnhandled(final M message)
    {
        throw refused("onUnhandled");
    }

    @Override
    public Behavior<M> currentBehavior()
    {
        throw refused("currentBehavior");
    }

    @Override
    public boolean hasTimer()
    {
        return false;
    }

    @Override
    public void cancelAllTimers()
    {
    }

    @Override
    public void clearMdc()
    {
    }

    @Override
    public void setCurrentActorThread()
    {
    }

    @Override
    public void clearCurrentActorThread()
    {
    }

    @Override
    public void checkCurrentActorThread()
    {
    }
}
