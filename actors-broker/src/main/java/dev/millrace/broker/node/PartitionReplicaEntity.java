package dev.millrace.broker.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import com.typesafe.config.Config;
import dev.millrace.broker.controller.ControllerProtocol;
import dev.millrace.broker.controller.ControllerProtocol.DescribeTopic;
import dev.millrace.broker.controller.ControllerProtocol.DescribeTopicReply;
import dev.millrace.broker.controller.ControllerProtocol.TopicDescription;
import dev.millrace.broker.controller.PartitionImage;
import dev.millrace.broker.controller.TopicConfigs;
import dev.millrace.broker.controller.TopicImage;
import dev.millrace.broker.log.LogConfig;
import dev.millrace.broker.partition.PartitionProtocol;
import dev.millrace.broker.partition.PartitionProtocol.Command;
import dev.millrace.broker.partition.PartitionProtocol.DeleteRecords;
import dev.millrace.broker.partition.PartitionProtocol.ErrorCode;
import dev.millrace.broker.partition.PartitionProtocol.Fetch;
import dev.millrace.broker.partition.PartitionProtocol.FetchLocal;
import dev.millrace.broker.partition.PartitionProtocol.ListOffsets;
import dev.millrace.broker.partition.PartitionProtocol.Produce;
import dev.millrace.broker.partition.PartitionProtocol.Rejected;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import dev.millrace.broker.partition.PartitionReplica;
import dev.millrace.broker.partition.PartitionReplicaSettings;
import dev.millrace.broker.partition.Replication;
import dev.millrace.broker.partition.ReplicationSettings;
import dev.millrace.serialization.kryo.MillraceMessage;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * A partition replica as a sharded entity (entity type {@value #TYPE_NAME}, entity id
 * {@code <topic>-<partition>-<replica>}, the replica being the broker id that holds it). It is the seam between
 * Cluster Sharding and {@link PartitionReplica}: when sharding starts it, it first asks the controller for its
 * topic ({@link DescribeTopic}), stashing whatever arrives meanwhile, then starts the {@link PartitionReplica} as
 * its child with the topic's log configs ({@link LogConfig#fromMap}), the partition's state as the controller's
 * image has it (leader, epochs, ISR, replicas: the replica's first role), the topic's {@code min.insync.replicas}, the
 * other replicas reachable through sharding ({@link ShardedReplicaPeers}) and ISR changes asked of the controller
 * ({@link ControllerIsrChanger}), and forwards every {@link Command} to it: client requests, the controller's
 * {@link PartitionProtocol.LeaderAndIsr} and followers' {@link PartitionProtocol.ReplicaFetch}es.
 *
 * <p>States: <b>loading</b> (stash) → <b>running</b> (forward) → <b>deleting</b> (on {@link DeleteReplica}: stop
 * the child, which closes the log, then delete the log directory and stop). On {@link ReloadReplica} (the topic's
 * configs changed) a running entity stops its child and goes back to <b>loading</b>, stashing meanwhile, so the new
 * child opens the log with the new configs. A topic or partition the controller
 * does not know, or a replica the partition does not have, is answered with
 * {@link ErrorCode#UNKNOWN_TOPIC_OR_PARTITION} for every stashed message, and the entity passivates. When the child
 * stops (a storage failure), the entity passivates too; sharding starts it again on the next message.
 *
 * <p>The entity never just stops: it asks its shard to passivate it, so that messages sent meanwhile wait in the
 * shard for the next incarnation instead of being lost; those already in its mailbox are refused
 * (retriable errors), and a late {@link DeleteReplica} still deletes the (closed) log.
 *
 * <p>The public typed key is {@link #ENTITY_TYPE_KEY} ({@link Command}); node-internal admin messages
 * ({@link Admin}) reach the same entities through {@link #ADMIN_TYPE_KEY}, a key of the same type name: the
 * partition protocol is sealed and stays free of node-management messages.
 *
 * <p>Threading: an actor; all state is confined to it. Log directories are deleted on its thread, after the replica
 * child (the log's single writer) has stopped.
 */
public final class PartitionReplicaEntity
{
    /** The entity type name sharding knows the replicas by. */
    public static final String TYPE_NAME = "PartitionReplica";

    /** The key to send {@link Command}s to a replica: {@code sharding.entityRefFor(ENTITY_TYPE_KEY, entityId(...))}. */
    public static final EntityTypeKey<Command> ENTITY_TYPE_KEY = EntityTypeKey.create(Command.class, TYPE_NAME);

    /** The same entities, for node-internal {@link Admin} messages. */
    static final EntityTypeKey<Object> ADMIN_TYPE_KEY = EntityTypeKey.create(Object.class, TYPE_NAME);

    /** Topic config keys that are not log settings (they concern replication and cleanup, not the log files). */
    private static final List<String> NON_LOG_KEYS = List.of(TopicConfigs.CLEANUP_POLICY, TopicConfigs.MIN_INSYNC_REPLICAS);

    /** Node-internal messages to a replica entity, sent by the node's {@link Broker}. */
    public sealed interface Admin extends MillraceMessage permits DeleteReplica, ReloadReplica
    {
    }

    /** Restart the replica with its topic's current configs (sent after the controller accepted a config change). */
    public enum ReloadReplica implements Admin
    {
        INSTANCE
    }

    /**
     * Stop the replica (if it runs) and delete its log directory; sent after the controller deleted the topic.
     *
     * @param replyTo receives {@link ReplicaDeleted} once the directory is gone
     */
    public record DeleteReplica(ActorRef<ReplicaDeleted> replyTo) implements Admin
    {
    }

    /** The replica's log directory is deleted. */
    public record ReplicaDeleted(String entityId) implements MillraceMessage
    {
    }

    /** A parsed entity id. */
    public record ReplicaId(TopicPartition topicPartition, int replica)
    {
        @Override
        public String toString()
        {
            return entityId(topicPartition, replica);
        }
    }

    private record TopicLoaded(DescribeTopicReply reply, Throwable failure) implements NoSerializationVerificationNeeded
    {
    }

    private enum ReplicaTerminated implements NoSerializationVerificationNeeded
    {
        INSTANCE
    }

    private final ActorContext<Object> context;
    private final ActorRef<ControllerProtocol> controller;
    private final ActorRef<ClusterSharding.ShardCommand> shard;
    private final ReplicaId id;
    private final String entityId;
    private final Config config;
    private final BrokerNodeSettings settings;
    private final StashBuffer<Object> stash;

    private PartitionReplicaEntity(
        final ActorContext<Object> context, final ActorRef<ClusterSharding.ShardCommand> shard,
        final ActorRef<ControllerProtocol> controller, final String entityId, final Config config,
        final BrokerNodeSettings settings, final StashBuffer<Object> stash)
    {
        this.context = context;
        this.shard = shard;
        this.controller = controller;
        this.entityId = entityId;
        this.id = parseEntityId(entityId);
        this.config = config;
        this.settings = settings;
        this.stash = stash;
    }

    /** {@code <topic>-<partition>-<replica>}. */
    public static String entityId(final TopicPartition topicPartition, final int replica)
    {
        return topicPartition.topic() + "-" + topicPartition.partition() + "-" + replica;
    }

    /**
     * Parses {@code <topic>-<partition>-<replica>} from the end (topic names may hold '-').
     *
     * @throws IllegalArgumentException for anything else
     */
    public static ReplicaId parseEntityId(final String entityId)
    {
        final int replicaDash = entityId.lastIndexOf('-');
        final int partitionDash = replicaDash <= 0 ? -1 : entityId.lastIndexOf('-', replicaDash - 1);
        if (partitionDash <= 0)
        {
            throw new IllegalArgumentException(
                "entity id '" + entityId + "' is not <topic>-<partition>-<replica>");
        }
        try
        {
            final int partition = Integer.parseInt(entityId.substring(partitionDash + 1, replicaDash));
            final int replica = Integer.parseInt(entityId.substring(replicaDash + 1));
            return new ReplicaId(new TopicPartition(entityId.substring(0, partitionDash), partition), replica);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException("entity id '" + entityId + "' is not <topic>-<partition>-<replica>", ex);
        }
    }

    /**
     * The entity's behavior.
     *
     * @param entityId   {@code <topic>-<partition>-<replica>}
     * @param shard      the entity's shard, asked to passivate it
     * @param controller the controller (singleton proxy), asked for the topic
     * @param config     the actor system's configuration ({@code millrace.broker.partition})
     * @param settings   the node's settings (logs directory, timeouts)
     */
    public static Behavior<Command> create(
        final String entityId, final ActorRef<ClusterSharding.ShardCommand> shard,
        final ActorRef<ControllerProtocol> controller, final Config config, final BrokerNodeSettings settings)
    {
        final Behavior<Object> behavior = Behaviors.setup(context -> Behaviors.withStash(
            settings.replicaStashCapacity(),
            stash -> new PartitionReplicaEntity(context, shard, controller, entityId, config, settings, stash).start()));
        return behavior.narrow();
    }

    /**
     * A replica runs only on its own broker's node: its log is that node's data. Sharding may still start it elsewhere
     * (a message for it while its broker is down makes the allocation fall back to the sender's node); there it opens
     * nothing — the local log of the same partition belongs to this node's own replica — and refuses everything
     * until its broker is back and the shard moves home.
     */
    private Behavior<Object> start()
    {
        return id.replica() == settings.brokerId() ? loading() : misplaced();
    }

    private Behavior<Object> misplaced()
    {
        context.getLog().info("replica {} belongs to broker {}, not to this node's broker {}: it serves nothing here",
            entityId, id.replica(), settings.brokerId());
        final String why = "replica " + id.replica() + " of partition " + id.topicPartition() + " is not served by broker " +
            settings.brokerId() + " (its broker is down or moving); refresh metadata";
        return Behaviors.receive(Object.class)
            .onMessage(DeleteReplica.class, delete ->
            {
                // Its data is on its own broker's node, which deletes it from the controller's publication.
                delete.replyTo().tell(new ReplicaDeleted(entityId));
                return Behaviors.same();
            })
            .onMessage(Command.class, command ->
            {
                reject(command, ErrorCode.NOT_LEADER_OR_FOLLOWER, why);
                return Behaviors.same();
            })
            .onAnyMessage(message -> Behaviors.same())
            .build();
    }

    private Behavior<Object> loading()
    {
        context.ask(
            DescribeTopicReply.class, controller, settings.askTimeout(),
            replyTo -> new DescribeTopic(id.topicPartition().topic(), replyTo), TopicLoaded::new);
        return Behaviors.receive(Object.class)
            .onMessage(TopicLoaded.class, this::onTopicLoaded)
            .onAnyMessage(this::onLoadingMessage)
            .build();
    }

    private Behavior<Object> onLoadingMessage(final Object message)
    {
        if (stash.isFull())
        {
            reject(message, ErrorCode.UNKNOWN_SERVER_ERROR,
                "partition " + id.topicPartition() + " is still loading its metadata and holds " +
                stash.capacity() + " messages (" + BrokerNodeSettings.PREFIX + "." +
                BrokerNodeSettings.REPLICA_STASH_CAPACITY + "); retry");
        }
        else
        {
            stash.stash(message);
        }
        return Behaviors.same();
    }

    private Behavior<Object> onTopicLoaded(final TopicLoaded loaded)
    {
        if (loaded.failure() != null)
        {
            context.getLog().warn("replica {} could not load its topic from the controller", entityId, loaded.failure());
            return rejectStashedAndStop(ErrorCode.UNKNOWN_SERVER_ERROR,
                "the controller did not answer for partition " + id.topicPartition() + " within " +
                settings.askTimeout() + ": " + loaded.failure().getMessage() + "; retry");
        }
        final Optional<PartitionImage> partition = partitionOf(loaded.reply());
        if (partition.isEmpty())
        {
            return rejectStashedAndStop(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                "this broker has no replica " + id.replica() + " of partition " + id.topicPartition() +
                ": refresh metadata");
        }
        final TopicImage topic = ((TopicDescription)loaded.reply()).topic();
        final PartitionReplicaSettings replicaSettings;
        final Replication replication;
        try
        {
            replicaSettings = PartitionReplicaSettings.fromConfig(
                config, id.topicPartition(), settings.logsDir(), LogConfig.fromMap(logConfigs(topic.configs())),
                System::currentTimeMillis, partition.get().leaderEpoch());
            replication = new Replication(
                id.replica(), ControllerIsrChanger.decisionOf(id.topicPartition(), partition.get()),
                minInsyncReplicas(topic.configs()), new ShardedReplicaPeers(ClusterSharding.get(context.getSystem())),
                new ControllerIsrChanger(controller, settings.askTimeout(), context.getSystem().scheduler()),
                ReplicationSettings.fromConfig(config));
        }
        catch (final RuntimeException ex)
        {
            context.getLog().error("replica {} cannot start: bad settings", entityId, ex);
            return rejectStashedAndStop(ErrorCode.UNKNOWN_SERVER_ERROR,
                "partition " + id.topicPartition() + " cannot start: " + ex.getMessage());
        }
        final ActorRef<Command> replica = context.spawn(
            PartitionReplica.create(replicaSettings, replication), "replica", PartitionReplica.PROPS);
        context.watchWith(replica, ReplicaTerminated.INSTANCE);
        return stash.unstashAll(running(replica));
    }

    private Optional<PartitionImage> partitionOf(final DescribeTopicReply reply)
    {
        if (reply instanceof TopicDescription description)
        {
            final List<PartitionImage> partitions = description.topic().partitions();
            final int index = id.topicPartition().partition();
            if (index < partitions.size() && partitions.get(index).replicas().contains(id.replica()))
            {
                return Optional.of(partitions.get(index));
            }
        }
        return Optional.empty();
    }

    private Behavior<Object> running(final ActorRef<Command> replica)
    {
        return Behaviors.receive(Object.class)
            .onMessage(Command.class, command -> onForward(replica, command))
            .onMessage(DeleteReplica.class, delete -> onDeleteWhileRunning(replica, delete))
            .onMessage(ReloadReplica.class, reload -> onReload(replica))
            .onMessage(ReplicaTerminated.class, terminated -> onReplicaFailed())
            .build();
    }

    private Behavior<Object> onForward(final ActorRef<Command> replica, final Command command)
    {
        replica.tell(command);
        return Behaviors.same();
    }

    private Behavior<Object> onReload(final ActorRef<Command> replica)
    {
        context.getLog().info("replica {} restarts to apply its topic's new configs", entityId);
        context.stop(replica);
        return Behaviors.receive(Object.class)
            .onMessage(ReplicaTerminated.class, terminated -> loading())
            .onAnyMessage(this::onLoadingMessage)
            .build();
    }

    private Behavior<Object> onReplicaFailed()
    {
        context.getLog().warn("replica {} stopped; the entity passivates", entityId);
        return passivate(ErrorCode.NOT_LEADER_OR_FOLLOWER,
            "partition " + id.topicPartition() + " stopped after a failure: retry");
    }

    private Behavior<Object> onDeleteWhileRunning(final ActorRef<Command> replica, final DeleteReplica delete)
    {
        context.stop(replica);
        final List<ActorRef<ReplicaDeleted>> waiting = new ArrayList<>();
        waiting.add(delete.replyTo());
        return Behaviors.receive(Object.class)
            .onMessage(DeleteReplica.class, another -> onDeleteWhileDeleting(waiting, another))
            .onMessage(ReplicaTerminated.class, terminated -> onStoppedForDelete(waiting))
            .onAnyMessage(message -> onMessageWhileDeleting(message))
            .build();
    }

    private Behavior<Object> onDeleteWhileDeleting(final List<ActorRef<ReplicaDeleted>> waiting, final DeleteReplica delete)
    {
        waiting.add(delete.replyTo());
        return Behaviors.same();
    }

    private Behavior<Object> onMessageWhileDeleting(final Object message)
    {
        reject(message, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            "partition " + id.topicPartition() + " is being deleted: refresh metadata");
        return Behaviors.same();
    }

    private Behavior<Object> onStoppedForDelete(final List<ActorRef<ReplicaDeleted>> waiting)
    {
        deleteLogDir();
        waiting.forEach(replyTo -> replyTo.tell(new ReplicaDeleted(entityId)));
        return passivate(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            "partition " + id.topicPartition() + " was deleted: refresh metadata");
    }

    private Behavior<Object> rejectStashedAndStop(final ErrorCode error, final String message)
    {
        final boolean unknown = error == ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
        stash.forEach(stashed ->
        {
            if (stashed instanceof ReloadReplica)
            {
                return;
            }
            if (stashed instanceof DeleteReplica delete && unknown)
            {
                // The topic is gone and the log is not open here: safe to delete its files.
                deleteLogDir();
                delete.replyTo().tell(new ReplicaDeleted(entityId));
            }
            else
            {
                reject(stashed, error, message);
            }
        });
        stash.clear();
        return passivate(error, message);
    }

    /** Asks the shard to stop this entity; meanwhile refuses what is already in the mailbox. */
    private Behavior<Object> passivate(final ErrorCode error, final String reason)
    {
        shard.tell(new ClusterSharding.Passivate<>(context.getSelf().<Command>narrow()));
        return Behaviors.receive(Object.class)
            .onMessage(DeleteReplica.class, this::onDeleteWhilePassivating)
            .onMessage(ReloadReplica.class, reload -> Behaviors.same())
            .onAnyMessage(message -> onMessageWhilePassivating(message, error, reason))
            .build();
    }

    private Behavior<Object> onMessageWhilePassivating(final Object message, final ErrorCode error, final String reason)
    {
        reject(message, error, reason);
        return Behaviors.same();
    }

    private Behavior<Object> onDeleteWhilePassivating(final DeleteReplica delete)
    {
        // No log is open in this state: the child never started or has stopped.
        deleteLogDir();
        delete.replyTo().tell(new ReplicaDeleted(entityId));
        return Behaviors.same();
    }

    private void deleteLogDir()
    {
        final Path dir = settings.logsDir().resolve(id.topicPartition().toString());
        deleteRecursively(dir);
        context.getLog().info("replica {} deleted its log directory {}", entityId, dir);
    }

    static void deleteRecursively(final Path dir)
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(path);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete " + dir, ex);
        }
    }

    /** The topic's {@code min.insync.replicas}; 1 when it does not set it (the controller validated the value). */
    static int minInsyncReplicas(final Map<String, String> topicConfigs)
    {
        final String value = topicConfigs.get(TopicConfigs.MIN_INSYNC_REPLICAS);
        if (value == null)
        {
            return 1;
        }
        try
        {
            return Integer.parseInt(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException(
                TopicConfigs.MIN_INSYNC_REPLICAS + " must be an integer but the topic has '" + value + "'", ex);
        }
    }

    /** The topic configs that are log settings ({@link LogConfig#fromMap} refuses the others). */
    static Map<String, String> logConfigs(final Map<String, String> topicConfigs)
    {
        final Map<String, String> logConfigs = new HashMap<>(topicConfigs);
        NON_LOG_KEYS.forEach(logConfigs::remove);
        return logConfigs;
    }

    /** Answers a partition command with {@link Rejected}; a command without a way to answer is dropped. */
    static void reject(final Object message, final ErrorCode error, final String text)
    {
        if (message instanceof Produce produce)
        {
            if (produce.acks() != 0 && produce.replyTo() != null)
            {
                produce.replyTo().tell(new Rejected(produce.topicPartition(), error, text));
            }
        }
        else if (message instanceof Fetch fetch && fetch.replyTo() != null)
        {
            fetch.replyTo().tell(new Rejected(fetch.topicPartition(), error, text));
        }
        else if (message instanceof FetchLocal fetchLocal && fetchLocal.replyTo() != null)
        {
            fetchLocal.replyTo().tell(new Rejected(fetchLocal.topicPartition(), error, text));
        }
        else if (message instanceof ListOffsets listOffsets && listOffsets.replyTo() != null)
        {
            listOffsets.replyTo().tell(new Rejected(listOffsets.topicPartition(), error, text));
        }
        else if (message instanceof DeleteRecords deleteRecords && deleteRecords.replyTo() != null)
        {
            deleteRecords.replyTo().tell(new Rejected(deleteRecords.topicPartition(), error, text));
        }
        else if (message instanceof PartitionProtocol.OffsetForLeaderEpoch request && request.replyTo() != null)
        {
            request.replyTo().tell(new Rejected(request.topicPartition(), error, text));
        }
        else if (message instanceof PartitionProtocol.DescribeProducers request && request.replyTo() != null)
        {
            request.replyTo().tell(new Rejected(request.topicPartition(), error, text));
        }
        else if (message instanceof PartitionProtocol.ReplicaFetch request && request.replyTo() != null)
        {
            // The follower backs off and fetches again.
            request.replyTo().tell(new Rejected(request.topicPartition(), error, text));
        }
        // GetStatus has no error reply: its caller's ask times out.
    }
}
