package dev.millrace.runtime.operators;

import org.apache.pekko.actor.typed.ActorSystem;

/**
 * An operator whose work completes asynchronously, e.g. a sink waiting for the log's acknowledgements. The
 * instance attaches it to its actor system, polls it on its own thread at every turn (where it applies the
 * replies that arrived and throws an asynchronous failure, which fails the job), takes no input while it is
 * back-pressured, and does not finish while it has pending work: a job ends only once everything such an
 * operator started is done.
 *
 * <p>Threading: every method on the instance's thread; replies arriving on other threads are handed over
 * (e.g. through a concurrent queue) and applied in {@link #poll()}, after a call to the wake-up.
 */
public interface AsyncOperator
{
    /**
     * Called once after {@code setup}, before {@code open}.
     *
     * @param system the actor system the job runs in
     * @param wakeUp thread-safe: makes the instance poll this operator soon (call it when a reply arrived)
     */
    void attach(ActorSystem<?> system, Runnable wakeUp);

    /**
     * Applies what completed since the last call and starts what can start.
     *
     * @throws Exception a failure of asynchronous work: fails the job
     */
    void poll() throws Exception;

    /** @return whether the operator must not be given more input now (its bounded work queue is full) */
    boolean isBackPressured();

    /** @return whether work it started is still outstanding */
    boolean hasPendingWork();
}
