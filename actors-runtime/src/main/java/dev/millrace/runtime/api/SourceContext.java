package dev.millrace.runtime.api;

import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * What the runtime gives a source instance's reader: its share of the parallelism, the actor system it runs in
 * (so a reader can talk to actors, e.g. the log's partitions, asynchronously) and a way to be driven again.
 *
 * @param subtaskIndex this instance
 * @param parallelism  the number of instances
 * @param system       the actor system the job runs in
 * @param wakeUp       asks the instance to call {@link SourceReader#emitBatch} again soon; thread-safe, so an
 *                     asynchronous reply may call it when it hands data over (a reader that returned 0 is
 *                     otherwise asked again after a short poll interval)
 * @param clockMs      the instance's processing-time clock
 */
public record SourceContext(int subtaskIndex, int parallelism, ActorSystem<?> system, Runnable wakeUp,
                            LongSupplier clockMs)
{
}
