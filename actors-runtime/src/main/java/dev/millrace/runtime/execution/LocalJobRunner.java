package dev.millrace.runtime.execution;

import dev.millrace.runtime.graph.JobGraph;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;

/**
 * Submits a job to the local actor system: spawns its {@link JobMaster} and hands back a handle to await
 * or cancel it.
 *
 * <p>Threading: thread-safe.
 */
public final class LocalJobRunner
{
    private LocalJobRunner()
    {
    }

    /**
     * A running job.
     *
     * @param master the job master
     * @param result completed when the job ends
     */
    public record JobHandle(ActorRef<JobMaster.Command> master, CompletableFuture<JobResult> result)
    {
        /**
         * @param timeout how long to wait
         * @return the result
         * @throws TimeoutException when the job did not end in time (it is cancelled then)
         */
        public JobResult await(final Duration timeout) throws TimeoutException
        {
            try
            {
                return result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            catch (final TimeoutException e)
            {
                master.tell(JobMaster.CancelJob.INSTANCE);
                throw e;
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the job", e);
            }
            catch (final ExecutionException e)
            {
                throw new IllegalStateException("the job master failed", e.getCause());
            }
        }

        /** Cancels the job. */
        public void cancel()
        {
            master.tell(JobMaster.CancelJob.INSTANCE);
        }
    }

    /**
     * @param system the actor system
     * @param graph  the job
     * @return its handle; the job runs with the system's wall clock
     */
    public static JobHandle submit(final ActorSystem<?> system, final JobGraph graph)
    {
        return submit(system, graph, System::currentTimeMillis);
    }

    /**
     * @param system  the actor system
     * @param graph   the job
     * @param clockMs the processing-time clock of the job's instances
     * @return its handle
     */
    public static JobHandle submit(final ActorSystem<?> system, final JobGraph graph, final LongSupplier clockMs)
    {
        final RuntimeSettings settings = RuntimeSettings.fromConfig(system.settings().config());
        final JobGraph configured = graph.withStateBackend(graph.stateBackend().withConfig(system.settings().config()));
        final CompletableFuture<JobResult> result = new CompletableFuture<>();
        final String name = "job-" + graph.name().replaceAll("[^A-Za-z0-9_-]", "_") + "-" + UUID.randomUUID();
        final ActorRef<JobMaster.Command> master =
            system.systemActorOf(JobMaster.create(configured, settings, result, clockMs), name, Props.empty());
        return new JobHandle(master, result);
    }
}
