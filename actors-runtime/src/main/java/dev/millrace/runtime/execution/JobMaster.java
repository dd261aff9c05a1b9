package dev.millrace.runtime.execution;

import dev.millrace.runtime.graph.JobGraph;
import dev.millrace.runtime.graph.JobVertex;
import dev.millrace.serialization.kryo.MillraceMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * Runs one job on this node: spawns one {@link OperatorInstance} per vertex and subtask as its children,
 * wires them ({@link OperatorInstance.Start}), and tracks them until every instance finished, one failed
 * (the others are stopped with it, and the job fails with that instance's cause) or the job is cancelled.
 * An instance that stops without reporting also fails the job, so a job never hangs on a lost instance.
 *
 * <p>This first job master is a plain actor: it is not yet event-sourced, and instances are its children on
 * its own node, not sharded entities placed in workers' task slots. Those come with checkpoints and
 * multi-node execution.
 *
 * <p>Protocol: {@code InstanceFinished}, {@code InstanceFailed} (from instances), {@link GetStatus},
 * {@link CancelJob}.
 *
 * <p>Threading: an actor.
 */
public final class JobMaster extends AbstractBehavior<JobMaster.Command>
{
    /** Messages of a job master. */
    public sealed interface Command
    {
    }

    /**
     * An instance's input ended and its output was sent.
     *
     * @param vertexId the vertex
     * @param subtask  the instance
     */
    public record InstanceFinished(int vertexId, int subtask) implements Command, MillraceMessage
    {
    }

    /**
     * An instance failed. Carries the cause as text (class, message, stack), so it crosses nodes; in the same
     * JVM the original exception rides along ({@link FailureCause#toThrowable()}).
     *
     * @param vertexId the vertex
     * @param subtask  the instance
     * @param cause    the user code's (or runtime's) exception, described
     */
    public record InstanceFailed(int vertexId, int subtask, FailureCause cause) implements Command, MillraceMessage
    {
    }

    /**
     * Asks for the job's status.
     *
     * @param replyTo receives a {@link StatusReport}
     */
    public record GetStatus(ActorRef<StatusReport> replyTo) implements Command, MillraceMessage
    {
    }

    /** Cancels the job: every instance is stopped. */
    public enum CancelJob implements Command, MillraceMessage
    {
        INSTANCE
    }

    /**
     * A job's status.
     *
     * @param jobName           the job
     * @param state             its state
     * @param failure           the failure's cause as text, or empty
     * @param finishedInstances instances that finished
     * @param totalInstances    all instances
     * @param blockedMsByVertex per vertex, the time its instances waited for credit (back-pressure)
     */
    public record StatusReport(String jobName, JobState state, String failure, int finishedInstances,
                               int totalInstances, List<Long> blockedMsByVertex) implements MillraceMessage
    {
    }

    private record InstanceStopped(int vertexId, int subtask) implements Command
    {
    }

    private final JobGraph graph;
    private final CompletableFuture<JobResult> result;
    private final ExchangeMetrics metrics;
    private final long startNs = System.nanoTime();
    private final boolean[][] finished;
    private final int totalInstances;
    private int finishedInstances;
    private JobState state = JobState.CREATED;
    private Throwable failure;
    private String failedIn;

    private JobMaster(final ActorContext<Command> context, final JobGraph graph, final RuntimeSettings settings,
        final CompletableFuture<JobResult> result, final LongSupplier clockMs)
    {
        super(context);
        this.graph = graph;
        this.result = result;
        this.metrics = new ExchangeMetrics(graph.vertices().size());
        this.finished = new boolean[graph.vertices().size()][];
        int total = 0;
        final List<List<ActorRef<OperatorInstance.Command>>> instances = new ArrayList<>();
        for (final JobVertex vertex : graph.vertices())
        {
            finished[vertex.id()] = new boolean[vertex.parallelism()];
            final List<ActorRef<OperatorInstance.Command>> refs = new ArrayList<>();
            for (int subtask = 0; subtask < vertex.parallelism(); subtask++)
            {
                final ActorRef<OperatorInstance.Command> ref = context.spawn(OperatorInstance.create(graph, vertex.id(),
                    subtask, settings, metrics, context.getSelf(), clockMs), "v" + vertex.id() + "-" + subtask);
                context.watchWith(ref, new InstanceStopped(vertex.id(), subtask));
                refs.add(ref);
                total++;
            }
            instances.add(List.copyOf(refs));
        }
        this.totalInstances = total;
        final OperatorInstance.Start start = new OperatorInstance.Start(List.copyOf(instances));
        for (final List<ActorRef<OperatorInstance.Command>> refs : instances)
        {
            for (final ActorRef<OperatorInstance.Command> ref : refs)
            {
                ref.tell(start);
            }
        }
        transition(JobState.RUNNING, totalInstances + " instances started");
    }

    /**
     * @param graph    the job to run
     * @param settings exchange and turn sizes
     * @param result   completed when the job ends
     * @param clockMs  the processing-time clock of every instance
     * @return the behavior; the job starts at once
     */
    public static Behavior<Command> create(final JobGraph graph, final RuntimeSettings settings,
        final CompletableFuture<JobResult> result, final LongSupplier clockMs)
    {
        return Behaviors.setup(context -> new JobMaster(context, graph, settings, result, clockMs));
    }

    @Override
    public Receive<Command> createReceive()
    {
        return newReceiveBuilder()
            .onMessage(InstanceFinished.class, this::onInstanceFinished)
            .onMessage(InstanceFailed.class, this::onInstanceFailed)
            .onMessage(InstanceStopped.class, this::onInstanceStopped)
            .onMessage(GetStatus.class, this::onGetStatus)
            .onMessage(CancelJob.class, this::onCancel)
            .build();
    }

    private Behavior<Command> onInstanceFinished(final InstanceFinished message)
    {
        if (!finished[message.vertexId()][message.subtask()])
        {
            finished[message.vertexId()][message.subtask()] = true;
            finishedInstances++;
        }
        if (finishedInstances == totalInstances)
        {
            return end(JobState.FINISHED, "every instance finished");
        }
        return this;
    }

    private Behavior<Command> onInstanceFailed(final InstanceFailed message)
    {
        failure = message.cause().toThrowable();
        failedIn = describe(message.vertexId(), message.subtask());
        return end(JobState.FAILED, failedIn + " failed: " + message.cause());
    }

    private Behavior<Command> onInstanceStopped(final InstanceStopped message)
    {
        if (finished[message.vertexId()][message.subtask()])
        {
            return this;
        }
        failedIn = describe(message.vertexId(), message.subtask());
        failure = new IllegalStateException(failedIn + " stopped without finishing or reporting a failure");
        return end(JobState.FAILED, failure.getMessage());
    }

    private Behavior<Command> onGetStatus(final GetStatus message)
    {
        final List<Long> blockedMs = new ArrayList<>();
        for (final JobVertex vertex : graph.vertices())
        {
            blockedMs.add(metrics.blockedNanos(vertex.id()) / 1_000_000);
        }
        message.replyTo().tell(new StatusReport(graph.name(), state, failure == null ? "" : failure.toString(),
            finishedInstances, totalInstances, blockedMs));
        return this;
    }

    private Behavior<Command> onCancel(final CancelJob message)
    {
        return end(JobState.CANCELED, "cancelled on request");
    }

    private Behavior<Command> end(final JobState terminal, final String reason)
    {
        transition(terminal, reason);
        result.complete(new JobResult(graph.name(), terminal, failure, failedIn,
            (System.nanoTime() - startNs) / 1_000_000, metrics));
        // Children (the remaining instances) stop with the job master.
        return Behaviors.stopped();
    }

    private void transition(final JobState next, final String reason)
    {
        getContext().getLog().info("job '{}': {} -> {} ({})", graph.name(), state, next, reason);
        state = next;
    }

    private String describe(final int vertexId, final int subtask)
    {
        return "'" + graph.vertex(vertexId).name() + "' (subtask " + subtask + ")";
    }
}
