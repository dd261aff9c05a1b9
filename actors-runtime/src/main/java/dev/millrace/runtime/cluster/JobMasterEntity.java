package dev.millrace.runtime.cluster;

import dev.millrace.runtime.cluster.JobProtocol.Accepted;
import dev.millrace.runtime.cluster.JobProtocol.CancelDone;
import dev.millrace.runtime.cluster.JobProtocol.CancelReply;
import dev.millrace.runtime.cluster.JobProtocol.DescribeReply;
import dev.millrace.runtime.cluster.JobProtocol.InstanceDescription;
import dev.millrace.runtime.cluster.JobProtocol.InstanceStatus;
import dev.millrace.runtime.cluster.JobProtocol.JobDescription;
import dev.millrace.runtime.cluster.JobProtocol.NodeFigures;
import dev.millrace.runtime.cluster.JobProtocol.Refused;
import dev.millrace.runtime.cluster.JobProtocol.SubmitReply;
import dev.millrace.runtime.cluster.JobProtocol.UnknownJob;
import dev.millrace.runtime.execution.JobState;
import dev.millrace.runtime.execution.OperatorInstance;
import dev.millrace.runtime.graph.JobGraph;
import dev.millrace.runtime.graph.JobVertex;
import dev.millrace.serialization.kryo.MillraceMessage;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocation;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The master of one job, an event-sourced sharded entity (entity id = job id), so that the job's status survives
 * the master's node: after a restart the master recovers from its events.
 *
 * <h2>Life of a job</h2>
 * <ol>
 *   <li>{@link Submit}: the master rebuilds the graph from the job definition (refused with the cause when it
 *   does not build), reserves a task slot per instance on the workers ({@link Placement}: one node or several,
 *   by {@code millrace.runtime.placement}; refused when the nodes together lack slots), persists {@link JobSubmitted} and one {@link InstancePlaced} per instance and answers; then it sets
 *   each instance's shard location to its node (Pekko's external shard allocation) and sends {@link
 *   TaskEntity.Deploy} to every {@code job/vertex/subtask} entity.</li>
 *   <li>Each deployed instance answers {@link Deployed} with its ref ({@link InstanceStatusChanged} DEPLOYED); once
 *   all have, the master persists {@link JobStarted} and starts them all with every ref
 *   ({@link OperatorInstance.Start}).</li>
 *   <li>The job ends ({@link JobEnded}) when every instance finished, when one fails (the others are cancelled),
 *   or on {@link Cancel}.</li>
 * </ol>
 *
 * <h2>A node leaves</h2>
 * When a node hosting some of a running job's instances is removed from the cluster, the job fails naming the node,
 * and its other instances are cancelled.
 *
 * <h2>Recovery</h2>
 * A master that recovers a running job fails it when an instance's node left the cluster, and otherwise pings its
 * instances where they were placed ({@link TaskEntity.Ping}): an instance whose node restarted is gone, and with no checkpoints to restart it from the job fails, naming it. A master that recovers a
 * job that had not started yet fails it (the deployment's refs are gone with the master) and cancels its instances.
 *
 * <p>Threading: an actor.
 */
public final class JobMasterEntity extends EventSourcedBehavior<JobMasterEntity.Command, JobMasterEntity.Event,
    JobMasterEntity.Job>
{
    /** The sharding key of the job masters. */
    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "millrace-job-master");

    /** Messages of a job master. */
    public sealed interface Command
    {
    }

    /**
     * Submits the job of this id.
     *
     * @param className the {@link JobDefinition}
     * @param args      its arguments
     * @param replyTo   receives {@link Accepted} or {@link Refused}
     */
    public record Submit(String className, List<String> args, ActorRef<SubmitReply> replyTo)
        implements Command, MillraceMessage
    {
    }

    /** @param replyTo receives the {@link JobDescription}, or {@link UnknownJob} */
    public record Describe(ActorRef<DescribeReply> replyTo) implements Command, MillraceMessage
    {
    }

    /** @param replyTo receives {@link CancelDone}, or {@link UnknownJob} */
    public record Cancel(ActorRef<CancelReply> replyTo) implements Command, MillraceMessage
    {
    }

    /**
     * An instance exists on its node and waits for its start.
     *
     * @param vertexId the vertex
     * @param subtask  the subtask
     * @param instance the instance
     * @param node     its node
     */
    public record Deployed(int vertexId, int subtask, ActorRef<OperatorInstance.Command> instance, String node)
        implements Command, MillraceMessage
    {
    }

    /**
     * An instance finished.
     *
     * @param vertexId the vertex
     * @param subtask  the subtask
     * @param node     its node
     * @param figures  the job's exchange figures on that node
     */
    public record InstanceFinished(int vertexId, int subtask, String node, NodeFigures figures)
        implements Command, MillraceMessage
    {
    }

    /**
     * An instance failed, or is lost.
     *
     * @param vertexId the vertex
     * @param subtask  the subtask
     * @param cause    why
     * @param node     its node
     * @param figures  the job's exchange figures on that node
     */
    public record InstanceFailed(int vertexId, int subtask, String cause, String node, NodeFigures figures)
        implements Command, MillraceMessage
    {
    }

    /**
     * The job's exchange figures on a node, sent every second by its instances there.
     *
     * @param node    the node
     * @param figures the figures
     */
    public record Figures(String node, NodeFigures figures) implements Command, MillraceMessage
    {
    }

    private record PlacementDone(Placement.Result result) implements Command
    {
    }

    private record LocationsSet(Throwable failure) implements Command
    {
    }

    private enum RecoveredUnstarted implements Command
    {
        INSTANCE
    }

    private enum RecoveredRunning implements Command
    {
        INSTANCE
    }

    private record PingInstances(Throwable failure) implements Command
    {
    }

    /** @param node a member removed from the cluster */
    private record NodeRemoved(String node) implements Command
    {
    }

    /** Events of a job master. */
    public sealed interface Event extends MillraceMessage
    {
    }

    /**
     * The job was accepted.
     *
     * @param name          the graph's name
     * @param className     the job definition
     * @param args          its arguments
     * @param atMs          when
     * @param vertexNames   the graph's vertices, by id
     * @param parallelisms  their parallelism, by id
     */
    public record JobSubmitted(String name, String className, List<String> args, long atMs, List<String> vertexNames,
                               List<Integer> parallelisms) implements Event
    {
    }

    /**
     * An instance's task slot was reserved on a node.
     *
     * @param vertexId the vertex
     * @param subtask  the subtask
     * @param node     the node
     */
    public record InstancePlaced(int vertexId, int subtask, String node) implements Event
    {
    }

    /**
     * An instance's status changed.
     *
     * @param vertexId the vertex
     * @param subtask  the subtask
     * @param status   the new status
     */
    public record InstanceStatusChanged(int vertexId, int subtask, InstanceStatus status) implements Event
    {
    }

    /** @param atMs when every instance was deployed and started */
    public record JobStarted(long atMs) implements Event
    {
    }

    /**
     * The job ended: finished, failed or cancelled. Instances still running are cancelled.
     *
     * @param state   {@link JobState#FINISHED}, {@link JobState#FAILED} or {@link JobState#CANCELED}
     * @param failure why it failed, or empty
     * @param atMs    when
     * @param figures the last exchange figures per node
     */
    public record JobEnded(JobState state, String failure, long atMs, Map<String, NodeFigures> figures)
        implements Event
    {
    }

    /**
     * The state: a job as the events built it (empty before its submit). Mutated by the event handler only.
     */
    public static final class Job
    {
        private String name;
        private String className;
        private List<String> args = List.of();
        private List<String> vertexNames = List.of();
        private long submittedAtMs;
        private long endedAtMs;
        private JobState state = JobState.CREATED;
        private String failure = "";
        private final Map<String, InstanceDescription> instances = new LinkedHashMap<>();
        private Map<String, NodeFigures> finalFigures = Map.of();

        boolean submitted()
        {
            return className != null;
        }

        private void update(final int vertexId, final int subtask, final InstanceStatus status, final String node)
        {
            final String key = vertexId + "/" + subtask;
            final InstanceDescription old = instances.get(key);
            instances.put(key, new InstanceDescription(vertexId, old.vertexName(), subtask,
                node == null ? old.node() : node, status));
        }
    }

    private final ActorContext<Command> context;
    private final String jobId;
    private final Duration askTimeout;
    private final ClusterSharding sharding;
    private final Map<String, ActorRef<OperatorInstance.Command>> deployed = new HashMap<>();
    private final Map<String, NodeFigures> liveFigures = new HashMap<>();
    private ActorRef<SubmitReply> placing;
    private JobGraph placingGraph;
    private Submit placingSubmit;

    private JobMasterEntity(final ActorContext<Command> context, final String jobId, final Duration askTimeout)
    {
        super(PersistenceId.of(TYPE_KEY.name(), jobId));
        this.context = context;
        this.jobId = jobId;
        this.askTimeout = askTimeout;
        this.sharding = ClusterSharding.get(context.getSystem());
        Cluster.get(context.getSystem()).subscriptions().tell(org.apache.pekko.cluster.typed.Subscribe.create(
            context.messageAdapter(ClusterEvent.MemberRemoved.class,
                removed -> new NodeRemoved(removed.member().address().toString())),
            ClusterEvent.MemberRemoved.class));
    }

    static Behavior<Command> create(final String jobId, final Duration askTimeout)
    {
        return Behaviors.setup(context -> new JobMasterEntity(context, jobId, askTimeout));
    }

    @Override
    public Job emptyState()
    {
        return new Job();
    }

    @Override
    public CommandHandler<Command, Event, Job> commandHandler()
    {
        return newCommandHandlerBuilder().forAnyState()
            .onCommand(Submit.class, this::onSubmit)
            .onCommand(PlacementDone.class, this::onPlaced)
            .onCommand(LocationsSet.class, this::onLocationsSet)
            .onCommand(Deployed.class, this::onDeployed)
            .onCommand(InstanceFinished.class, this::onFinished)
            .onCommand(InstanceFailed.class, this::onFailed)
            .onCommand(Figures.class, (job, figures) ->
            {
                liveFigures.put(figures.node(), figures.figures());
                return Effect().none();
            })
            .onCommand(Describe.class, this::onDescribe)
            .onCommand(Cancel.class, this::onCancel)
            .onCommand(RecoveredRunning.class, this::onRecoveredRunning)
            .onCommand(PingInstances.class, this::onPingInstances)
            .onCommand(NodeRemoved.class, this::onNodeRemoved)
            .onCommand(RecoveredUnstarted.class, (job, recovered) -> job.state == JobState.CREATED
                ? end(job, JobState.FAILED, "the job master restarted before every instance was deployed")
                : Effect().none())
            .build();
    }

    private Effect<Event, Job> onSubmit(final Job job, final Submit submit)
    {
        if (job.submitted() || placing != null)
        {
            return Effect().reply(submit.replyTo(), new Refused("job id " + jobId + " is already in use"));
        }
        final JobGraph graph;
        try
        {
            graph = JobDefinitions.build(submit.className(), submit.args(), jobName(submit), config());
        }
        catch (final JobRefusedException e)
        {
            return Effect().reply(submit.replyTo(), new Refused(e.getMessage()));
        }
        placing = submit.replyTo();
        placingGraph = graph;
        placingSubmit = submit;
        final ActorRef<Placement.Result> results = context.messageAdapter(Placement.Result.class, PlacementDone::new);
        final Placement.Policy policy;
        try
        {
            policy = Placement.Policy.parse(config().getString(Placement.POLICY));
        }
        catch (final IllegalArgumentException e)
        {
            placing = null;
            placingGraph = null;
            placingSubmit = null;
            return Effect().reply(submit.replyTo(), new Refused(e.getMessage()));
        }
        context.spawnAnonymous(Placement.create(jobId, instanceKeys(graph), policy, results, askTimeout));
        return Effect().none();
    }

    private Effect<Event, Job> onPlaced(final Job job, final PlacementDone done)
    {
        final ActorRef<SubmitReply> replyTo = placing;
        final JobGraph graph = placingGraph;
        final Submit submit = placingSubmit;
        placing = null;
        placingGraph = null;
        placingSubmit = null;
        if (done.result().nodes() == null)
        {
            return Effect().reply(replyTo, new Refused(done.result().reason()));
        }
        final Map<String, String> nodes = done.result().nodes();
        final List<Event> events = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        final List<Integer> parallelisms = new ArrayList<>();
        for (final JobVertex vertex : graph.vertices())
        {
            names.add(vertex.name());
            parallelisms.add(vertex.parallelism());
        }
        events.add(new JobSubmitted(graph.name(), submit.className(), List.copyOf(submit.args()),
            System.currentTimeMillis(), List.copyOf(names), List.copyOf(parallelisms)));
        for (final JobVertex vertex : graph.vertices())
        {
            for (int subtask = 0; subtask < vertex.parallelism(); subtask++)
            {
                events.add(new InstancePlaced(vertex.id(), subtask,
                    nodes.get(TaskEntity.entityId(jobId, vertex.id(), subtask))));
            }
        }
        return Effect().persist(events).thenRun(placed ->
        {
            replyTo.tell(new Accepted(jobId));
            sharding.entityRefFor(JobDirectory.TYPE_KEY, JobDirectory.ENTITY_ID).tell(new JobDirectory.Register(jobId));
            final Map<String, org.apache.pekko.actor.Address> locations = new HashMap<>();
            for (final String key : instanceKeys(graph))
            {
                locations.put(key, AddressFromURIString.parse(nodes.get(key)));
            }
            context.pipeToSelf(ExternalShardAllocation.get(context.getSystem()).getClient(TaskEntity.TYPE_KEY.name())
                .setShardLocations(locations), (Done ok, Throwable failure) -> new LocationsSet(failure));
        });
    }

    private Effect<Event, Job> onLocationsSet(final Job job, final LocationsSet set)
    {
        if (set.failure() != null)
        {
            return end(job, JobState.FAILED, "the instances' locations could not be set: " + set.failure());
        }
        if (job.state != JobState.CREATED)
        {
            return Effect().none();
        }
        final TaskEntity.Deploy deploy = new TaskEntity.Deploy(job.name, job.className, job.args);
        for (final InstanceDescription instance : job.instances.values())
        {
            task(instance).tell(deploy);
        }
        return Effect().none();
    }

    private Effect<Event, Job> onDeployed(final Job job, final Deployed message)
    {
        if (job.state != JobState.CREATED || !job.submitted())
        {
            // Deployed after the job ended (cancelled or failed meanwhile): nothing may run.
            message.instance().tell(OperatorInstance.Cancel.INSTANCE);
            return Effect().none();
        }
        deployed.put(message.vertexId() + "/" + message.subtask(), message.instance());
        final List<Event> events = new ArrayList<>();
        events.add(new InstanceStatusChanged(message.vertexId(), message.subtask(), InstanceStatus.DEPLOYED));
        if (deployed.size() < job.instances.size())
        {
            return Effect().persist(events);
        }
        events.add(new JobStarted(System.currentTimeMillis()));
        return Effect().persist(events).thenRun(started ->
        {
            final List<List<ActorRef<OperatorInstance.Command>>> refs = new ArrayList<>();
            for (final InstanceDescription instance : started.instances.values())
            {
                while (refs.size() <= instance.vertexId())
                {
                    refs.add(new ArrayList<>());
                }
                refs.get(instance.vertexId()).add(deployed.get(instance.vertexId() + "/" + instance.subtask()));
            }
            final List<List<ActorRef<OperatorInstance.Command>>> all = refs.stream().map(List::copyOf).toList();
            final OperatorInstance.Start start = new OperatorInstance.Start(all);
            deployed.values().forEach(ref -> ref.tell(start));
            deployed.clear();
            context.getLog().info("job {} ('{}'): {} instances started", jobId, started.name, started.instances.size());
        });
    }

    private Effect<Event, Job> onFinished(final Job job, final InstanceFinished message)
    {
        liveFigures.put(message.node(), message.figures());
        if (job.state.isTerminal() || !job.submitted())
        {
            return Effect().none();
        }
        final long finished = job.instances.values().stream()
            .filter(instance -> instance.status() == InstanceStatus.FINISHED).count() + 1;
        final Event changed = new InstanceStatusChanged(message.vertexId(), message.subtask(), InstanceStatus.FINISHED);
        if (finished < job.instances.size())
        {
            return Effect().persist(changed);
        }
        return Effect().persist(List.of(changed,
            new JobEnded(JobState.FINISHED, "", System.currentTimeMillis(), Map.copyOf(liveFigures))))
            .thenRun(ended -> context.getLog().info("job {} ('{}') finished", jobId, ended.name));
    }

    private Effect<Event, Job> onFailed(final Job job, final InstanceFailed message)
    {
        if (message.figures().blockedMsByVertex().size() > 0)
        {
            liveFigures.put(message.node(), message.figures());
        }
        if (job.state.isTerminal() || !job.submitted())
        {
            return Effect().none();
        }
        final String key = message.vertexId() + "/" + message.subtask();
        final InstanceDescription instance = job.instances.get(key);
        final String failure = "'" + (instance == null ? key : instance.vertexName()) + "' (subtask "
            + message.subtask() + ") on " + message.node() + " failed: " + message.cause();
        return persistEnd(List.of(new InstanceStatusChanged(message.vertexId(), message.subtask(),
            InstanceStatus.FAILED)), JobState.FAILED, failure);
    }

    /**
     * A running job recovered: an instance whose node left the cluster is gone; the others are pinged where they
     * were placed (their locations written again: after a restart of the whole cluster none are known, and the
     * allocation strategy starts an instance nowhere else), and an instance that is not running there fails the job.
     */
    private Effect<Event, Job> onRecoveredRunning(final Job job, final RecoveredRunning recovered)
    {
        if (job.state != JobState.RUNNING)
        {
            return Effect().none();
        }
        final java.util.Set<String> members = new java.util.HashSet<>();
        for (final org.apache.pekko.cluster.Member member : Cluster.get(context.getSystem()).state().getMembers())
        {
            members.add(member.address().toString());
        }
        final Map<String, org.apache.pekko.actor.Address> locations = new HashMap<>();
        for (final InstanceDescription instance : job.instances.values())
        {
            if (instance.status() != InstanceStatus.DEPLOYED)
            {
                continue;
            }
            if (!members.contains(instance.node()))
            {
                return persistEnd(List.of(new InstanceStatusChanged(instance.vertexId(), instance.subtask(),
                    InstanceStatus.FAILED)), JobState.FAILED, "'" + instance.vertexName() + "' (subtask "
                    + instance.subtask() + ") is not running: its node " + instance.node()
                    + " left the cluster (there are no checkpoints to restart it from)");
            }
            locations.put(TaskEntity.entityId(jobId, instance.vertexId(), instance.subtask()),
                AddressFromURIString.parse(instance.node()));
        }
        context.pipeToSelf(ExternalShardAllocation.get(context.getSystem()).getClient(TaskEntity.TYPE_KEY.name())
            .setShardLocations(locations), (Done ok, Throwable failure) -> new PingInstances(failure));
        return Effect().none();
    }

    /**
     * A node left the cluster: the job's instances there are gone, with no checkpoints to restart them from, so the
     * job fails, naming the node; the instances elsewhere are cancelled (a sender waiting for credit from the gone
     * node would otherwise wait forever).
     */
    private Effect<Event, Job> onNodeRemoved(final Job job, final NodeRemoved removed)
    {
        if (!job.submitted() || job.state.isTerminal())
        {
            return Effect().none();
        }
        final List<Event> lost = new ArrayList<>();
        final List<String> names = new ArrayList<>();
        for (final InstanceDescription instance : job.instances.values())
        {
            if (removed.node().equals(instance.node()) && (instance.status() == InstanceStatus.PLACED
                || instance.status() == InstanceStatus.DEPLOYED))
            {
                lost.add(new InstanceStatusChanged(instance.vertexId(), instance.subtask(), InstanceStatus.FAILED));
                names.add("'" + instance.vertexName() + "' (subtask " + instance.subtask() + ")");
            }
        }
        if (lost.isEmpty())
        {
            return Effect().none();
        }
        return persistEnd(lost, JobState.FAILED, "node " + removed.node() + " left the cluster while running "
            + String.join(", ", names) + " (there are no checkpoints to restart them from)");
    }

    private Effect<Event, Job> onPingInstances(final Job job, final PingInstances ping)
    {
        if (ping.failure() != null)
        {
            return end(job, JobState.FAILED, "the recovered instances' locations could not be set: " + ping.failure());
        }
        for (final InstanceDescription instance : job.instances.values())
        {
            if (instance.status() == InstanceStatus.DEPLOYED)
            {
                task(instance).tell(TaskEntity.Ping.INSTANCE);
            }
        }
        return Effect().none();
    }

    private Effect<Event, Job> onDescribe(final Job job, final Describe describe)
    {
        if (!job.submitted())
        {
            return Effect().reply(describe.replyTo(), new UnknownJob(jobId));
        }
        return Effect().reply(describe.replyTo(), describe(job));
    }

    private Effect<Event, Job> onCancel(final Job job, final Cancel cancel)
    {
        if (!job.submitted())
        {
            return Effect().reply(cancel.replyTo(), new UnknownJob(jobId));
        }
        if (job.state.isTerminal())
        {
            return Effect().reply(cancel.replyTo(), new CancelDone(jobId, job.state));
        }
        return persistEnd(List.of(), JobState.CANCELED, "")
            .thenReply(cancel.replyTo(), cancelled -> new CancelDone(jobId, cancelled.state));
    }

    private Effect<Event, Job> end(final Job job, final JobState state, final String failure)
    {
        if (job.state.isTerminal())
        {
            return Effect().none();
        }
        return persistEnd(List.of(), state, failure);
    }

    private org.apache.pekko.persistence.typed.javadsl.EffectBuilder<Event, Job> persistEnd(final List<Event> before,
        final JobState state, final String failure)
    {
        final List<Event> events = new ArrayList<>(before);
        events.add(new JobEnded(state, failure, System.currentTimeMillis(), Map.copyOf(liveFigures)));
        return Effect().persist(events).thenRun(ended ->
        {
            context.getLog().info("job {} ('{}') {}{}", jobId, ended.name, state, failure.isEmpty() ? "" : ": " + failure);
            for (final InstanceDescription instance : ended.instances.values())
            {
                if (instance.status() == InstanceStatus.CANCELED)
                {
                    task(instance).tell(TaskEntity.CancelTask.INSTANCE);
                }
            }
            deployed.values().forEach(ref -> ref.tell(OperatorInstance.Cancel.INSTANCE));
            deployed.clear();
        });
    }

    @Override
    public EventHandler<Job, Event> eventHandler()
    {
        return newEventHandlerBuilder().forAnyState()
            .onEvent(JobSubmitted.class, (job, submitted) ->
            {
                job.name = submitted.name();
                job.className = submitted.className();
                job.args = submitted.args();
                job.submittedAtMs = submitted.atMs();
                job.vertexNames = submitted.vertexNames();
                return job;
            })
            .onEvent(InstancePlaced.class, (job, placed) ->
            {
                job.instances.put(placed.vertexId() + "/" + placed.subtask(), new InstanceDescription(placed.vertexId(),
                    vertexName(job, placed.vertexId()), placed.subtask(), placed.node(), InstanceStatus.PLACED));
                return job;
            })
            .onEvent(InstanceStatusChanged.class, (job, changed) ->
            {
                job.update(changed.vertexId(), changed.subtask(), changed.status(), null);
                return job;
            })
            .onEvent(JobStarted.class, (job, started) ->
            {
                job.state = JobState.RUNNING;
                return job;
            })
            .onEvent(JobEnded.class, (job, ended) ->
            {
                job.state = ended.state();
                job.failure = ended.failure();
                job.endedAtMs = ended.atMs();
                job.finalFigures = ended.figures();
                for (final InstanceDescription instance : List.copyOf(job.instances.values()))
                {
                    if (instance.status() == InstanceStatus.PLACED || instance.status() == InstanceStatus.DEPLOYED)
                    {
                        job.update(instance.vertexId(), instance.subtask(), InstanceStatus.CANCELED, null);
                    }
                }
                return job;
            })
            .build();
    }

    @Override
    public SignalHandler<Job> signalHandler()
    {
        return newSignalHandlerBuilder()
            .onSignal(RecoveryCompleted.class, (job, recovered) ->
            {
                if (!job.submitted() || job.state.isTerminal())
                {
                    return;
                }
                if (job.state == JobState.CREATED)
                {
                    context.getSelf().tell(RecoveredUnstarted.INSTANCE);
                    return;
                }
                context.getSelf().tell(RecoveredRunning.INSTANCE);
            })
            .build();
    }

    private JobDescription describe(final Job job)
    {
        final Map<String, NodeFigures> figures = job.state.isTerminal() ? job.finalFigures : Map.copyOf(liveFigures);
        return new JobDescription(jobId, job.name, job.className, job.args, job.state, job.failure, job.submittedAtMs,
            job.endedAtMs, List.copyOf(job.instances.values()), figures);
    }

    private static String vertexName(final Job job, final int vertexId)
    {
        return vertexId < job.vertexNames.size() ? job.vertexNames.get(vertexId) : "vertex " + vertexId;
    }

    private org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef<TaskEntity.Command> task(
        final InstanceDescription instance)
    {
        return sharding.entityRefFor(TaskEntity.TYPE_KEY, TaskEntity.entityId(jobId, instance.vertexId(),
            instance.subtask()));
    }

    private List<String> instanceKeys(final JobGraph graph)
    {
        final List<String> keys = new ArrayList<>();
        for (final JobVertex vertex : graph.vertices())
        {
            for (int subtask = 0; subtask < vertex.parallelism(); subtask++)
            {
                keys.add(TaskEntity.entityId(jobId, vertex.id(), subtask));
            }
        }
        return keys;
    }

    private String jobName(final Submit submit)
    {
        final String className = submit.className();
        return className.substring(className.lastIndexOf('.') + 1);
    }

    private com.typesafe.config.Config config()
    {
        return context.getSystem().settings().config();
    }
}
