package dev.millrace.runtime.operators;

import org.apache.pekko.actor.typed.Behavior;

/**
 * Interprets Pekko typed behaviors synchronously, one message per call, on the calling thread: Pekko's own
 * public interpreter ({@link Behavior#start}, {@link Behavior#interpretMessage}, {@link Behavior#canonicalize},
 * the functions its actor cell runs) over a {@link BehaviorActorContext}. So {@code Behaviors.receive},
 * {@code Behaviors.setup}, {@code AbstractBehavior}, {@code Behaviors.same()}, returning another behavior and
 * {@code Behaviors.stopped()} mean what they mean in an actor, but the message is handled before the call
 * returns: the stream element that produced it is finished when the next one starts.
 *
 * <p>Why not a real actor: a behavior in its own actor handles messages on another thread, later; its state
 * accesses would race the instance's (or need a lock-step hand-off), and the records it emits would no longer
 * be ordered against the watermarks the instance forwards. Why not {@code Behaviors.intercept} around the
 * instance's actor: an interceptor's target applies every message of one turn to the behavior the turn started
 * with (the next behavior is taken only after the turn), so a buffer of records would have to become one
 * actor message per record.
 *
 * <p>Threading: confined to the instance's actor.
 *
 * @param <M> the behavior's message type
 */
final class BehaviorInterpreter<M>
{
    private final String operatorName;
    private final BehaviorActorContext<M> context;

    /** @param operatorName the operator, named in errors */
    BehaviorInterpreter(final String operatorName)
    {
        this.operatorName = operatorName;
        this.context = new BehaviorActorContext<>(operatorName);
    }

    /** @return the actor context every behavior of this operator sees */
    BehaviorActorContext<M> context()
    {
        return context;
    }

    /**
     * @param initial a behavior from the user's factory
     * @param whom    whose behavior, for errors ("key k")
     * @return the started behavior (deferred behaviors run), or null when it stopped while starting
     */
    Behavior<M> start(final Behavior<M> initial, final Object whom)
    {
        if (initial == null)
        {
            throw new IllegalStateException("the behavior factory of operator '" + operatorName + "' returned null for "
                + whom);
        }
        final Behavior<M> started;
        try
        {
            started = Behavior.start(Behavior.validateAsInitial(initial), context);
        }
        catch (final IllegalArgumentException e)
        {
            // Pekko's Behaviors.withTimers refuses any context but its own actor cell's, with this message
            if (e.getMessage() != null && e.getMessage().startsWith("timers not supported"))
            {
                final UnsupportedOperationException refused = context.refused("Behaviors.withTimers");
                refused.initCause(e);
                throw refused;
            }
            throw e;
        }
        return Behavior.isAlive(started) ? started : null;
    }

    /**
     * @param current a started, alive behavior
     * @param message what it receives
     * @param whom    whose behavior, for errors
     * @return its next behavior, or null when it stopped
     * @throws IllegalStateException when the behavior did not handle the message (Pekko's {@code unhandled}):
     *                               a stream element is never silently dropped
     */
    Behavior<M> deliver(final Behavior<M> current, final M message, final Object whom)
    {
        final Behavior<M> next = Behavior.interpretMessage(current, context, message);
        if (Behavior.isUnhandled(next))
        {
            throw new IllegalStateException("the behavior of operator '" + operatorName + "' for " + whom
                + " did not handle " + message + " (it returned Behaviors.unhandled(), or its receive has no case for "
                + "it); a behavior operator must handle every record and timer message");
        }
        if (!Behavior.isAlive(next))
        {
            return null;
        }
        return Behavior.canonicalize(next, current, context);
    }
}
