package dev.millrace.multinode;

import java.util.concurrent.Callable;

/**
 * Something a {@link Scenario} runs in the background while its fault schedule plays, such as a
 * {@link dev.millrace.multinode.verify.VerifiableProducer}: {@link #call} runs it on the scenario's thread for it and
 * returns its outcome; it must end by itself within its own bounds (count, time), and soon after {@link #stop}.
 *
 * @param <T> the outcome, e.g. what was sent or read.
 */
public interface Workload<T> extends Callable<T>
{
    /** A name for logs and reports, unique within a scenario. */
    String name();

    /** Asks {@link #call} to finish soon and return what it has; callable from any thread, more than once. */
    void stop();
}
