package dev.millrace.runtime.cluster;

import dev.millrace.runtime.cluster.JobProtocol.NodeFigures;
import dev.millrace.runtime.execution.JobMaster;
import dev.millrace.runtime.execution.OperatorInstance;
import dev.millrace.runtime.execution.RuntimeSettings;
import dev.millrace.serialization.kryo.MillraceMessage;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The sharded entity {@code job/vertex/subtask} that hosts one {@link OperatorInstance} in a task slot of the
 * node external shard allocation put it on. On {@link Deploy} it rebuilds the job's graph from its definition
 * (once per node, {@link LocalJobs}), spawns the instance as its child and tells the job master the instance's
 * ref; the master then starts every instance at once. It relays the instance's finished/failed report to the
 * master with the node's exchange figures, sends those figures every second while it runs, and frees its task
 * slot when it stops.
 *
 * <p>An entity started by anything but {@link Deploy} (a {@link Ping} or {@link CancelTask} after its node
 * restarted) hosts nothing: it says so to the master (for a ping), frees the slot and stops.
 *
 * <p>Threading: an actor.
 */
public final class TaskEntity extends AbstractBehavior<TaskEntity.Command>
{
    /** The sharding key of the operator instances. */
    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "millrace-operator-instance");

    private static final Duration FIGURES_INTERVAL = Duration.ofSeconds(1);

    /** Messages of a task entity. */
    public sealed interface Command
    {
    }

    /**
     * Creates and wires the instance.
     *
     * @param jobName   the graph's name
     * @param className the job definition
     * @param args      its arguments
     */
    public record Deploy(String jobName, String className, List<String> args) implements Command, MillraceMessage
    {
    }

    /** Stops the instance (the job was cancelled or failed). */
    public enum CancelTask implements Command, MillraceMessage
    {
        INSTANCE
    }

    /** From a recovered master: an entity that hosts no instance reports it lost. */
    public enum Ping implements Command, MillraceMessage
    {
        INSTANCE
    }

    private record Reported(JobMaster.Command report) implements Command
    {
    }

    private enum ChildStopped implements Command
    {
        INSTANCE
    }

    private enum ConfirmStopped implements Command
    {
        INSTANCE
    }

    private enum Tick implements Command
    {
        INSTANCE
    }

    private final TimerScheduler<Command> timers;
    private final String jobId;
    private final int vertexId;
    private final int subtask;
    private final String entityId;
    private final String node;
    private final LocalJobs jobs;
    private final ActorRef<TaskSlots.Command> slots;
    private final RuntimeSettings settings;
    private final EntityRef<JobMasterEntity.Command> master;
    private LocalJobs.LocalJob job;
    private ActorRef<OperatorInstance.Command> instance;
    private boolean reported;
    private boolean cancelling;

    private TaskEntity(final ActorContext<Command> context, final TimerScheduler<Command> timers,
        final String entityId, final String node, final LocalJobs jobs, final ActorRef<TaskSlots.Command> slots)
    {
        super(context);
        this.timers = timers;
        this.entityId = entityId;
        final String[] parts = entityId.split("/");
        if (parts.length != 3)
        {
            throw new IllegalArgumentException("operator instance id '" + entityId + "' is not job/vertex/subtask");
        }
        this.jobId = parts[0];
        this.vertexId = Integer.parseInt(parts[1]);
        this.subtask = Integer.parseInt(parts[2]);
        this.node = node;
        this.jobs = jobs;
        this.slots = slots;
        this.settings = RuntimeSettings.fromConfig(context.getSystem().settings().config());
        this.master = ClusterSharding.get(context.getSystem()).entityRefFor(JobMasterEntity.TYPE_KEY, jobId);
    }

    /**
     * @param jobId    the job
     * @param vertexId the vertex
     * @param subtask  the subtask
     * @return the entity id {@code job/vertex/subtask} (also its shard id)
     */
    public static String entityId(final String jobId, final int vertexId, final int subtask)
    {
        return jobId + "/" + vertexId + "/" + subtask;
    }

    static Behavior<Command> create(final String entityId, final String node, final LocalJobs jobs,
        final ActorRef<TaskSlots.Command> slots)
    {
        return Behaviors.setup(context -> Behaviors.withTimers(timers ->
            new TaskEntity(context, timers, entityId, node, jobs, slots)));
    }

    @Override
    public Receive<Command> createReceive()
    {
        return newReceiveBuilder()
            .onMessage(Deploy.class, this::onDeploy)
            .onMessage(CancelTask.class, this::onCancel)
            .onMessage(Ping.class, this::onPing)
            .onMessage(Reported.class, this::onReported)
            .onMessage(ChildStopped.class, stopped ->
            {
                // The child's last report, if any, is already in the mailbox behind this: look after it.
                getContext().getSelf().tell(ConfirmStopped.INSTANCE);
                return this;
            })
            .onMessage(ConfirmStopped.class, this::onConfirmStopped)
            .onMessage(Tick.class, tick ->
            {
                master.tell(new JobMasterEntity.Figures(node, figures()));
                return this;
            })
            .onSignal(PostStop.class, this::onPostStop)
            .build();
    }

    private Behavior<Command> onDeploy(final Deploy deploy)
    {
        if (instance != null)
        {
            return this;
        }
        try
        {
            job = jobs.acquire(jobId, deploy.jobName(), deploy.className(), deploy.args());
        }
        catch (final JobRefusedException e)
        {
            master.tell(new JobMasterEntity.InstanceFailed(vertexId, subtask,
                "the job's graph failed to build on " + node + ": " + e.getMessage(), node, NodeFigures.NONE));
            return Behaviors.stopped();
        }
        final ActorRef<JobMaster.Command> reports = getContext().messageAdapter(JobMaster.Command.class, Reported::new);
        instance = getContext().spawn(OperatorInstance.create(job.graph(), vertexId, subtask, settings,
            job.metrics(), reports, System::currentTimeMillis), "instance");
        getContext().watchWith(instance, ChildStopped.INSTANCE);
        timers.startTimerWithFixedDelay(Tick.INSTANCE, FIGURES_INTERVAL);
        master.tell(new JobMasterEntity.Deployed(vertexId, subtask, instance, node));
        return this;
    }

    private Behavior<Command> onCancel(final CancelTask cancel)
    {
        if (instance == null)
        {
            return Behaviors.stopped();
        }
        cancelling = true;
        instance.tell(OperatorInstance.Cancel.INSTANCE);
        return this;
    }

    private Behavior<Command> onPing(final Ping ping)
    {
        if (instance == null)
        {
            master.tell(new JobMasterEntity.InstanceFailed(vertexId, subtask,
                "instance " + entityId + " is not running on " + node
                    + " (its node restarted; there are no checkpoints to restart it from)", node, NodeFigures.NONE));
            return Behaviors.stopped();
        }
        return this;
    }

    private Behavior<Command> onReported(final Reported reported)
    {
        this.reported = true;
        if (reported.report() instanceof JobMaster.InstanceFinished)
        {
            master.tell(new JobMasterEntity.InstanceFinished(vertexId, subtask, node, figures()));
        }
        else if (reported.report() instanceof JobMaster.InstanceFailed failed)
        {
            master.tell(new JobMasterEntity.InstanceFailed(vertexId, subtask, String.valueOf(failed.cause()), node,
                figures()));
        }
        return this;
    }

    private Behavior<Command> onConfirmStopped(final ConfirmStopped confirm)
    {
        if (!reported && !cancelling)
        {
            master.tell(new JobMasterEntity.InstanceFailed(vertexId, subtask,
                "instance " + entityId + " stopped without finishing or reporting a failure", node, figures()));
        }
        return Behaviors.stopped();
    }

    private NodeFigures figures()
    {
        return NodeFigures.of(job.metrics(), job.graph().vertices().size());
    }

    private Behavior<Command> onPostStop(final PostStop signal)
    {
        slots.tell(new TaskSlots.Release(jobId, entityId));
        if (job != null)
        {
            jobs.release(jobId);
        }
        return this;
    }
}
