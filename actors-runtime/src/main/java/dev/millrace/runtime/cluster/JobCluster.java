package dev.millrace.runtime.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.millrace.runtime.cluster.JobProtocol.CancelReply;
import dev.millrace.runtime.cluster.JobProtocol.DescribeReply;
import dev.millrace.runtime.cluster.JobProtocol.JobDescription;
import dev.millrace.runtime.cluster.JobProtocol.Refused;
import dev.millrace.runtime.cluster.JobProtocol.SubmitReply;
import dev.millrace.sharding.OneShardPerEntity;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocationStrategy;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.util.Timeout;

/**
 * Jobs on a cluster: the Java API to submit, list, describe and cancel jobs, and the node's part in running them.
 * {@link #start} on every node of role {@value #ROLE} (a cluster member with a journal) initializes the sharded
 * {@link JobMasterEntity}, {@link TaskEntity} (placed by external shard allocation) and {@link JobDirectory} types
 * and, when the node has task slots ({@code millrace.runtime.task-slots} above 0), its {@link TaskSlots}, and its
 * {@link JobGateway} for clients outside the cluster; on a member without the role it starts proxies only.
 *
 * <p>A job is a {@link JobDefinition} class name and arguments; its master builds it first, so a bad definition is
 * refused at submit with its cause.
 *
 * <p>Threading: thread-safe.
 */
public final class JobCluster
{
    /** Configuration key of the node's task slots. */
    public static final String TASK_SLOTS = "millrace.runtime.task-slots";

    /**
     * The cluster role of the nodes that host job masters, the job directory and operator instances. A member
     * without it (the command line's client) only proxies to them, so a short-lived client never hosts a master.
     */
    public static final String ROLE = "millrace-jobs";

    /** Configuration key of the job API's ask timeout. */
    public static final String ASK_TIMEOUT = "millrace.runtime.job-ask-timeout";

    private final ActorSystem<?> system;
    private final ClusterSharding sharding;
    private final Duration askTimeout;

    private JobCluster(final ActorSystem<?> system, final ClusterSharding sharding, final Duration askTimeout)
    {
        this.system = system;
        this.sharding = sharding;
        this.askTimeout = askTimeout;
    }

    /**
     * Joins this node to job execution.
     *
     * @param system a cluster member's actor system with a journal configured
     * @return the job API
     * @throws ConfigException.BadValue naming {@value #TASK_SLOTS} when it is negative
     */
    public static JobCluster start(final ActorSystem<?> system)
    {
        final Config config = system.settings().config();
        final int slots = config.getInt(TASK_SLOTS);
        if (slots < 0 || slots > 10_000)
        {
            throw new ConfigException.BadValue(TASK_SLOTS, "must be in [0, 10000] but is " + slots);
        }
        final Duration askTimeout = config.getDuration(ASK_TIMEOUT);
        final String node = Cluster.get(system).selfMember().address().toString();
        final boolean host = Cluster.get(system).selfMember().hasRole(ROLE);
        final ActorRef<TaskSlots.Command> taskSlots = system.systemActorOf(
            host && slots > 0 ? TaskSlots.create(node, slots) : Behaviors.ignore(), "millrace-task-slots", Props.empty());
        final LocalJobs jobs = new LocalJobs(config);
        final ClusterSharding sharding = ClusterSharding.get(system);
        sharding.init(Entity.of(JobMasterEntity.TYPE_KEY,
            context -> JobMasterEntity.create(context.getEntityId(), askTimeout)).withRole(ROLE));
        sharding.init(Entity.of(JobDirectory.TYPE_KEY, context -> new JobDirectory(context.getEntityId()))
            .withRole(ROLE));
        sharding.init(Entity.of(TaskEntity.TYPE_KEY,
                context -> TaskEntity.create(context.getEntityId(), node, jobs, taskSlots))
            .withRole(ROLE)
            .withMessageExtractor(new OneShardPerEntity<TaskEntity.Command>())
            .withAllocationStrategy(new ReservedSlotAllocationStrategy(new ExternalShardAllocationStrategy(system,
                TaskEntity.TYPE_KEY.name(), Timeout.create(askTimeout)), Adapter.toClassic(system),
                TaskEntity.TYPE_KEY.name()))
            // An instance runs until its job ends: never passivated for being idle.
            .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy()));
        if (host && slots > 0)
        {
            awaitListed(system, taskSlots, askTimeout);
        }
        final JobCluster api = new JobCluster(system, sharding, askTimeout);
        if (host)
        {
            system.systemActorOf(JobGateway.create(api), JobGateway.NAME, Props.empty());
        }
        return api;
    }

    /** Waits until the receptionist lists this node's slots, so that a submit right after the start finds them. */
    private static void awaitListed(final ActorSystem<?> system, final ActorRef<TaskSlots.Command> taskSlots,
        final Duration timeout)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (true)
        {
            final Receptionist.Listing listing = AskPattern.<Receptionist.Command, Receptionist.Listing>ask(
                    system.receptionist(), replyTo -> Receptionist.find(TaskSlots.KEY, replyTo), timeout,
                    system.scheduler())
                .toCompletableFuture().join();
            if (listing.getServiceInstances(TaskSlots.KEY).contains(taskSlots))
            {
                return;
            }
            if (System.nanoTime() > deadline)
            {
                throw new IllegalStateException("this node's task slots were not registered with the receptionist within "
                    + timeout);
            }
            try
            {
                Thread.sleep(20);
            }
            catch (final InterruptedException e)
            {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while registering the task slots", e);
            }
        }
    }

    /**
     * Submits a job.
     *
     * @param className the {@link JobDefinition}'s class
     * @param args      its arguments
     * @return {@link JobProtocol.Accepted} with the new job's id, or {@link Refused} with the reason (a definition
     *     that does not build, or not enough task slots)
     */
    public CompletionStage<SubmitReply> submit(final String className, final List<String> args)
    {
        // The definition is built by the job master (on a hosting node, whose class path has the job's jar), not
        // here: a client such as the command line need not have it.
        final String simpleName = className.substring(className.lastIndexOf('.') + 1);
        final String jobId = simpleName.replaceAll("[^A-Za-z0-9_-]", "_") + "-"
            + UUID.randomUUID().toString().substring(0, 8);
        return sharding.entityRefFor(JobMasterEntity.TYPE_KEY, jobId)
            .ask(replyTo -> new JobMasterEntity.Submit(className, List.copyOf(args), replyTo), askTimeout);
    }

    /**
     * @param jobId a job
     * @return its {@link JobDescription}, or {@link JobProtocol.UnknownJob}
     */
    public CompletionStage<DescribeReply> describe(final String jobId)
    {
        return sharding.entityRefFor(JobMasterEntity.TYPE_KEY, jobId).ask(JobMasterEntity.Describe::new, askTimeout);
    }

    /**
     * @param jobId a job
     * @return {@link JobProtocol.CancelDone} with its state after the cancel, or {@link JobProtocol.UnknownJob}
     */
    public CompletionStage<CancelReply> cancel(final String jobId)
    {
        return sharding.entityRefFor(JobMasterEntity.TYPE_KEY, jobId).ask(JobMasterEntity.Cancel::new, askTimeout);
    }

    /** @return every job ever submitted, in submit order, each as its master describes it */
    public CompletionStage<List<JobDescription>> list()
    {
        return sharding.entityRefFor(JobDirectory.TYPE_KEY, JobDirectory.ENTITY_ID)
            .ask(JobDirectory.ListJobs::new, askTimeout)
            .thenCompose(ids ->
            {
                final List<CompletableFuture<DescribeReply>> all = new ArrayList<>();
                ids.jobIds().forEach(id -> all.add(describe(id).toCompletableFuture()));
                return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(done ->
                {
                    final List<JobDescription> jobs = new ArrayList<>();
                    for (final CompletableFuture<DescribeReply> reply : all)
                    {
                        if (reply.join() instanceof JobDescription description)
                        {
                            jobs.add(description);
                        }
                    }
                    return jobs;
                });
            });
    }

    /** @return the ask timeout of this API */
    public Duration askTimeout()
    {
        return askTimeout;
    }
}
