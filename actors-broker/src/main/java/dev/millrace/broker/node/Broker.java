package dev.millrace.broker.node;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import dev.millrace.broker.controller.ClusterImage;
import dev.millrace.broker.controller.ControllerErrorCode;
import dev.millrace.broker.controller.ControllerProtocol;
import dev.millrace.broker.controller.ControllerProtocol.AlterTopicConfigs;
import dev.millrace.broker.controller.ControllerProtocol.AlterTopicConfigsReply;
import dev.millrace.broker.controller.ControllerProtocol.CreateTopicReply;
import dev.millrace.broker.controller.ControllerProtocol.DeleteTopicReply;
import dev.millrace.broker.controller.ControllerProtocol.DescribeTopicReply;
import dev.millrace.broker.controller.ControllerProtocol.GetMetadata;
import dev.millrace.broker.controller.ControllerProtocol.TopicConfigsAccepted;
import dev.millrace.broker.controller.ControllerProtocol.TopicCreationAccepted;
import dev.millrace.broker.controller.ControllerProtocol.TopicDeletionAccepted;
import dev.millrace.broker.controller.ControllerProtocol.TopicDescription;
import dev.millrace.broker.controller.ControllerProtocol.TopicListing;
import dev.millrace.broker.controller.PartitionImage;
import dev.millrace.broker.controller.PublishedMetadata;
import dev.millrace.broker.controller.TopicImage;
import dev.millrace.broker.group.GroupCoordinator;
import dev.millrace.broker.group.GroupCoordinator.GroupAck;
import dev.millrace.broker.group.GroupCoordinator.GroupDescription;
import dev.millrace.broker.group.GroupCoordinator.OffsetFetchResponse;
import dev.millrace.broker.group.GroupError;
import dev.millrace.broker.partition.PartitionProtocol;
import dev.millrace.broker.partition.PartitionProtocol.ErrorCode;
import dev.millrace.broker.partition.PartitionProtocol.ListOffsetsReply;
import dev.millrace.broker.partition.PartitionProtocol.OffsetFound;
import dev.millrace.broker.partition.PartitionProtocol.OffsetSpec;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import dev.millrace.serialization.kryo.MillraceMessage;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;

/**
 * The node's public actor API, one per node: topic administration forwarded to the controller singleton, partition
 * requests routed through Cluster Sharding to the partition's leader replica entity ({@link PartitionReplicaEntity}).
 * Thin on purpose: callers may also send {@link PartitionProtocol} commands to an entity directly
 * ({@link BrokerNode#partition}), or {@link ControllerProtocol} commands to the controller.
 *
 * <p>Messages ({@link Command}):
 * <ul>
 *   <li>{@link CreateTopic}, {@link DeleteTopic}, {@link ListTopics}, {@link DescribeTopic}, {@link AlterConfigs}:
 *       answered with the controller's replies ({@link ControllerProtocol.Rejected} for every refusal);</li>
 *   <li>{@link CreatePartitions}: asks the controller, then claims this broker's replicas of the new partitions as for
 *       a created topic; answered with the controller's reply ({@link ControllerProtocol.PartitionsAccepted} or
 *       {@link ControllerProtocol.Rejected});</li>
 *   <li>{@link AllocateProducerIds}: forwarded to the controller, which answers
 *       ({@link ControllerProtocol.ProducerIdBlock} or {@link ControllerProtocol.Rejected});</li>
 *   <li>{@link Produce}, {@link Fetch}, {@link FetchLocal} (local only: refused with
 *       {@link ErrorCode#NOT_LEADER_OR_FOLLOWER} when another broker leads the partition), {@link CancelFetch}, {@link ListOffsets}, {@link DeleteRecords}, {@link OffsetForLeaderEpoch},
 *       {@link DescribeProducers}: wrap the
 *       {@link PartitionProtocol} command, which the partition answers; a partition that the latest metadata does
 *       not hold is answered here with {@link ErrorCode#UNKNOWN_TOPIC_OR_PARTITION};</li>
 *   <li>{@link JoinGroup}, {@link SyncGroup}, {@link Heartbeat}, {@link LeaveGroup}, {@link OffsetCommit},
 *       {@link OffsetFetch}, {@link OffsetDelete}, {@link ResetOffsets}, {@link DeleteGroup},
 *       {@link GroupOverview}: wrap the
 *       {@link GroupCoordinator} command and route it by group id to the group's coordinator entity
 *       ({@link BrokerNode#GROUP_COORDINATOR_TYPE_KEY}), which answers; a blank group id is answered here with
 *       {@link GroupError#INVALID_GROUP_ID};</li>
 *   <li>{@link DescribeGroup}: reads the group's committed offsets ({@link GroupCoordinator.OffsetFetch}), the log
 *       end offset of each of those partitions from its leader ({@link OffsetSpec#LATEST}), then has the coordinator
 *       answer {@link GroupCoordinator.DescribeGroup} with them, so the description carries real lag (-1 for a
 *       partition whose log end offset could not be read: a deleted topic, a replica that did not answer); a
 *       partition the cached metadata lacks refreshes it once first;</li>
 *   <li>{@link ListGroups}: answered by the {@link GroupDirectory} (see there for what it lists).</li>
 * </ul>
 *
 * <p><b>Metadata.</b> The broker caches the controller's {@link ClusterImage}, kept up to date by the controller's
 * publications ({@link PublishedMetadata}, pub/sub topic {@value ReplicaStatePublisher#METADATA_TOPIC}; an older
 * version than the last applied is ignored); topics created or deleted through it update the cache at once, and a
 * request for a partition the cache lacks refreshes it ({@link GetMetadata}) once before it is refused.
 * {@link GetClusterMetadata} answers the cache with the live brokers and the controller's id (the Kafka listener's
 * Metadata and DescribeCluster read it). On each publication the broker, for this broker's replicas:
 * <ul>
 *   <li>of a topic (or partitions) it had not seen: claims their shards ({@link ReplicaPlacement#claim}), then sends
 *       each its state ({@link PartitionProtocol.LeaderAndIsr}), which starts it;</li>
 *   <li>of a partition whose leader, epochs or ISR changed: sends it the new state (the controller also sends it; a
 *       replica ignores a state it already applied);</li>
 *   <li>of a topic the previous publication had and this one lacks (deleted through another node): has them delete
 *       their logs ({@link PartitionReplicaEntity.DeleteReplica}).</li>
 * </ul>
 *
 * <p><b>Leaders.</b> A partition request for a partition without a leader (-1: no in-sync replica is live) or whose
 * leader's broker is not live is refused with {@link ErrorCode#NOT_LEADER_OR_FOLLOWER} (retriable: clients refresh
 * metadata); otherwise it goes to the leader's replica entity wherever it runs.
 *
 * <p><b>Deleting a topic</b> asks the controller, then every replica of this broker to stop and delete its log
 * directory ({@link PartitionReplicaEntity.DeleteReplica}), and answers once they have (or after
 * {@code ask-timeout}, with a warning in the log: the topic is deleted either way).
 *
 * <p><b>Altering configs</b> asks the controller, then has this broker's replicas of the topic restart with the new
 * configs ({@link PartitionReplicaEntity.ReloadReplica}; requests meanwhile wait in the entity), and answers.
 *
 * <p><b>Groups.</b> The broker registers a group id with the {@link GroupDirectory} whenever it routes a JoinGroup
 * or ResetOffsets, and the first time it routes an OffsetCommit for it (commits are frequent: it remembers which ids
 * it registered, one entry per group), and
 * unregisters it when a {@link DeleteGroup} through it succeeded: it asks the coordinator for that one and answers
 * the caller itself, with {@link GroupError#COORDINATOR_NOT_AVAILABLE} if the coordinator did not answer within
 * {@code ask-timeout}. Every other group command goes straight to the coordinator with the caller's
 * {@code replyTo} (a JoinGroup is answered only when the rebalance's join phase ends, which may take longer than any
 * ask timeout).
 *
 * <p>Each node runs one, as a system actor at {@value BrokerNode#BROKER_PATH} (clients outside the cluster can resolve
 * it by address, e.g. {@code pekko://millrace@host:port/system/broker}).
 *
 * <p>Threading: an actor; its cache is confined to it.
 */
public final class Broker extends AbstractBehavior<Broker.Command>
{
    /** Everything the broker accepts. */
    public sealed interface Command extends MillraceMessage
        permits CreateTopic, DeleteTopic, ListTopics, DescribeTopic, AlterConfigs, CreatePartitions, AllocateProducerIds,
        PartitionRequest, GroupRequest, DescribeGroup, ListGroups, ResetGroupOffsets, GetClusterMetadata, Internal
    {
    }

    /**
     * @param topics  topics the asker needs: when the cache lacks one, the broker asks the controller once before
     *                answering (a topic created through another node whose publication has not arrived, or was
     *                missed while pub/sub had not yet learnt of this node), so a node never keeps answering from a
     *                stale image; empty: the cache as it is
     * @param replyTo receives the broker's cached metadata: image, live brokers, controller id
     */
    public record GetClusterMetadata(Set<String> topics, ActorRef<PublishedMetadata> replyTo) implements Command
    {
        public GetClusterMetadata
        {
            topics = Set.copyOf(topics);
        }

        /** @param replyTo receives the broker's cached metadata as it is */
        public GetClusterMetadata(final ActorRef<PublishedMetadata> replyTo)
        {
            this(Set.of(), replyTo);
        }
    }

    /** A group coordinator command to route to the coordinator of {@link #groupId()}. */
    public sealed interface GroupRequest extends Command
        permits JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch, OffsetDelete, ResetOffsets,
        DeleteGroup, GroupOverview
    {
        /** The group, which is the coordinator entity's id. */
        String groupId();

        /** The wrapped coordinator command. */
        GroupCoordinator.Command request();
    }

    /** A partition command to route to the partition's leader. */
    public sealed interface PartitionRequest extends Command
        permits Produce, Fetch, FetchLocal, CancelFetch, ListOffsets, DeleteRecords, OffsetForLeaderEpoch, DescribeProducers
    {
        /** The wrapped partition command. */
        PartitionProtocol.Command request();

        /** The partition it is for. */
        TopicPartition topicPartition();
    }

    /**
     * Creates a topic ({@link ControllerProtocol#DEFAULT} for partitions or replication factor takes the default).
     *
     * @param replyTo receives {@link TopicCreationAccepted} or {@link ControllerProtocol.Rejected}
     */
    public record CreateTopic(
        String name, int partitions, int replicationFactor, Map<String, String> configs,
        ActorRef<CreateTopicReply> replyTo) implements Command
    {
        public CreateTopic
        {
            configs = configs == null ? Map.of() : Map.copyOf(configs);
        }
    }

    /**
     * Deletes a topic and this broker's replicas of it, log directories included.
     *
     * @param replyTo receives {@link TopicDeletionAccepted} or {@link ControllerProtocol.Rejected}
     */
    public record DeleteTopic(String name, ActorRef<DeleteTopicReply> replyTo) implements Command
    {
    }

    /** @param replyTo receives every topic name, sorted */
    public record ListTopics(ActorRef<TopicListing> replyTo) implements Command
    {
    }

    /** @param replyTo receives {@link TopicDescription} or {@link ControllerProtocol.Rejected} */
    public record DescribeTopic(String name, ActorRef<DescribeTopicReply> replyTo) implements Command
    {
    }

    /**
     * Sets and deletes topic config overrides.
     *
     * @param replyTo receives {@link ControllerProtocol.TopicConfigsAccepted} or {@link ControllerProtocol.Rejected}
     */
    public record AlterConfigs(
        String name, Map<String, String> set, List<String> delete, ActorRef<AlterTopicConfigsReply> replyTo)
        implements Command
    {
        public AlterConfigs
        {
            set = set == null ? Map.of() : Map.copyOf(set);
            delete = delete == null ? List.of() : List.copyOf(delete);
        }
    }

    /**
     * Raises a topic's partition count to {@code newTotal}.
     *
     * @param replyTo receives {@link ControllerProtocol.PartitionsAccepted} or {@link ControllerProtocol.Rejected}
     */
    public record CreatePartitions(String name, int newTotal, ActorRef<ControllerProtocol.CreatePartitionsReply> replyTo)
        implements Command
    {
    }

    /**
     * Allocates a block of producer ids ({@link ControllerProtocol#DEFAULT} for the configured block size).
     *
     * @param replyTo receives {@link ControllerProtocol.ProducerIdBlock} or {@link ControllerProtocol.Rejected}
     */
    public record AllocateProducerIds(int blockSize, ActorRef<ControllerProtocol.AllocateProducerIdsReply> replyTo)
        implements Command
    {
    }

    /** Routes a {@link GroupCoordinator.JoinGroup}. */
    public record JoinGroup(String groupId, GroupCoordinator.JoinGroup request) implements GroupRequest
    {
    }

    /** Routes a {@link GroupCoordinator.SyncGroup}. */
    public record SyncGroup(String groupId, GroupCoordinator.SyncGroup request) implements GroupRequest
    {
    }

    /** Routes a {@link GroupCoordinator.Heartbeat}. */
    public record Heartbeat(String groupId, GroupCoordinator.Heartbeat request) implements GroupRequest
    {
    }

    /** Routes a {@link GroupCoordinator.LeaveGroup}. */
    public record LeaveGroup(String groupId, GroupCoordinator.LeaveGroup request) implements GroupRequest
    {
    }

    /** Routes a {@link GroupCoordinator.OffsetCommit}. */
    public record OffsetCommit(String groupId, GroupCoordinator.OffsetCommit request) implements GroupRequest
    {
    }

    /** Routes a {@link GroupCoordinator.OffsetFetch}. */
    public record OffsetFetch(String groupId, GroupCoordinator.OffsetFetch request) implements GroupRequest
    {
    }

    /** Routes a {@link GroupCoordinator.OffsetDelete}. */
    public record OffsetDelete(String groupId, GroupCoordinator.OffsetDelete request) implements GroupRequest
    {
    }

    /** Routes a {@link GroupCoordinator.ResetOffsets}. */
    public record ResetOffsets(String groupId, GroupCoordinator.ResetOffsets request) implements GroupRequest
    {
    }

    /** Routes a {@link GroupCoordinator.DeleteGroup} and, when it succeeds, removes the group from the directory. */
    public record DeleteGroup(String groupId, GroupCoordinator.DeleteGroup request) implements GroupRequest
    {
    }

    /**
     * Routes a {@link GroupCoordinator.DescribeGroup} without log end offsets: the group's state, protocol type and
     * members, no lag, and none of {@link DescribeGroup}'s reads of committed offsets and log ends (ListGroups asks it
     * of every listed group).
     */
    public record GroupOverview(String groupId, GroupCoordinator.DescribeGroup request) implements GroupRequest
    {
    }

    /**
     * Describes a group with its lag: the broker supplies the log end offsets of the group's committed partitions.
     *
     * @param replyTo receives the {@link GroupDescription} (error GROUP_ID_NOT_FOUND for a group that does not exist,
     *                COORDINATOR_NOT_AVAILABLE if the coordinator did not answer within {@code ask-timeout})
     */
    public record DescribeGroup(String groupId, ActorRef<GroupDescription> replyTo) implements Command
    {
    }

    /** Where {@link ResetGroupOffsets} moves a group's committed offsets. */
    public enum ResetTo implements MillraceMessage
    {
        /** Each partition's log start offset. */
        EARLIEST,
        /** Each partition's log end offset. */
        LATEST,
        /** The first offset whose timestamp is at or after {@code value} (epoch ms); the log end if there is none. */
        TIMESTAMP,
        /** The offset {@code value}, clamped into [log start, log end] of each partition. */
        OFFSET
    }

    /**
     * Resets a group's committed offsets for {@code partitions}, resolving the position per partition from its
     * leader (as {@code kafka-consumer-groups --reset-offsets}); only an empty group accepts it.
     *
     * @param value   the timestamp (epoch ms) for {@link ResetTo#TIMESTAMP}, the offset for {@link ResetTo#OFFSET},
     *                ignored otherwise
     * @param replyTo NONE, or INVALID_GROUP_ID, INVALID_REQUEST (no partitions, negative offset),
     *                UNKNOWN_TOPIC_OR_PARTITION, COORDINATOR_NOT_AVAILABLE (a partition did not answer),
     *                NON_EMPTY_GROUP (the coordinator refuses while members are present)
     */
    public record ResetGroupOffsets(
        String groupId, List<TopicPartition> partitions, ResetTo resetTo, long value, ActorRef<GroupAck> replyTo)
        implements Command
    {
    }

    /** @param replyTo receives the ids of the listed groups, sorted (see {@link GroupDirectory}) */
    public record ListGroups(ActorRef<GroupDirectory.GroupListing> replyTo) implements Command
    {
    }

    /** Routes a {@link PartitionProtocol.Produce}. */
    public record Produce(PartitionProtocol.Produce request) implements PartitionRequest
    {
        @Override
        public TopicPartition topicPartition()
        {
            return request.topicPartition();
        }
    }

    /** Routes a {@link PartitionProtocol.Fetch}. */
    public record Fetch(PartitionProtocol.Fetch request) implements PartitionRequest
    {
        @Override
        public TopicPartition topicPartition()
        {
            return request.topicPartition();
        }
    }

    /**
     * Routes a {@link PartitionProtocol.FetchLocal} to the leader when the leader is this broker. <b>Local only</b>, like
     * the command it wraps (never serialized): a partition led by another broker is refused with
     * {@link ErrorCode#NOT_LEADER_OR_FOLLOWER}, since the region it answers with is valid only in the leader's JVM.
     */
    public record FetchLocal(PartitionProtocol.FetchLocal request) implements PartitionRequest, NoSerializationVerificationNeeded
    {
        @Override
        public TopicPartition topicPartition()
        {
            return request.topicPartition();
        }
    }

    /** Routes a {@link PartitionProtocol.CancelFetch} (to the leader, where the fetch it withdraws was routed). */
    public record CancelFetch(PartitionProtocol.CancelFetch request) implements PartitionRequest
    {
        @Override
        public TopicPartition topicPartition()
        {
            return request.topicPartition();
        }
    }

    /** Routes a {@link PartitionProtocol.ListOffsets}. */
    public record ListOffsets(PartitionProtocol.ListOffsets request) implements PartitionRequest
    {
        @Override
        public TopicPartition topicPartition()
        {
            return request.topicPartition();
        }
    }

    /** Routes a {@link PartitionProtocol.DeleteRecords}. */
    public record DeleteRecords(PartitionProtocol.DeleteRecords request) implements PartitionRequest
    {
        @Override
        public TopicPartition topicPartition()
        {
            return request.topicPartition();
        }
    }

    /** Routes a {@link PartitionProtocol.OffsetForLeaderEpoch}. */
    public record OffsetForLeaderEpoch(PartitionProtocol.OffsetForLeaderEpoch request) implements PartitionRequest
    {
        @Override
        public TopicPartition topicPartition()
        {
            return request.topicPartition();
        }
    }

    /** Routes a {@link PartitionProtocol.DescribeProducers}. */
    public record DescribeProducers(PartitionProtocol.DescribeProducers request) implements PartitionRequest
    {
        @Override
        public TopicPartition topicPartition()
        {
            return request.topicPartition();
        }
    }

    /** The broker's own messages (adapted replies): local only, never serialized. */
    private sealed interface Internal extends Command, NoSerializationVerificationNeeded
        permits MetadataRefreshed, ClusterMetadataRefreshed, TopicCreated, TopicToDelete, TopicDeleted, ReplicasDeleted, ConfigsAltered,
        GroupDeleted, GroupOffsetsRead, GroupMetadataRefreshed, LogEndOffsetsRead, ResetOffsetsResolved, PartitionsCreated,
        MetadataPublished, TopicClaimed
    {
    }

    private record MetadataPublished(PublishedMetadata metadata) implements Internal
    {
    }

    /** This broker's replicas of {@code topic} were claimed (or claiming failed, logged): start them. */
    private record TopicClaimed(String topic) implements Internal
    {
    }

    private record PartitionsCreated(
        ControllerProtocol.CreatePartitionsReply reply, Throwable failure, CreatePartitions command) implements Internal
    {
    }

    private record GroupMetadataRefreshed(ClusterImage image, Throwable failure, GroupOffsetsRead read) implements Internal
    {
    }

    private record GroupDeleted(GroupAck ack, Throwable failure, DeleteGroup command) implements Internal
    {
    }

    private record GroupOffsetsRead(OffsetFetchResponse offsets, Throwable failure, DescribeGroup command)
        implements Internal
    {
    }

    private record ResetOffsetsResolved(Map<TopicPartition, Long> offsets, Throwable failure, ResetGroupOffsets command)
        implements Internal
    {
    }

    private record LogEndOffsetsRead(Map<TopicPartition, Long> logEndOffsets, DescribeGroup command) implements Internal
    {
    }

    /** The controller's answer to the refresh asked for a {@link GetClusterMetadata} naming a topic the cache lacks. */
    private record ClusterMetadataRefreshed(ClusterImage image, ActorRef<PublishedMetadata> replyTo) implements Internal
    {
    }

    /** The controller's answer to the refresh asked for the requests in {@code awaitingMetadata}. */
    private record MetadataRefreshed(ClusterImage image, Throwable failure) implements Internal
    {
    }

    private record TopicCreated(CreateTopicReply reply, Throwable failure, ActorRef<CreateTopicReply> replyTo)
        implements Internal
    {
    }

    private record TopicToDelete(DescribeTopicReply reply, Throwable failure, DeleteTopic command) implements Internal
    {
    }

    private record TopicDeleted(DeleteTopicReply reply, Throwable failure, TopicImage topic, DeleteTopic command)
        implements Internal
    {
    }

    private record ConfigsAltered(AlterTopicConfigsReply reply, Throwable failure, AlterConfigs command)
        implements Internal
    {
    }

    private record ReplicasDeleted(TopicDeletionAccepted accepted, Throwable failure, DeleteTopic command)
        implements Internal
    {
    }

    private final ActorRef<ControllerProtocol> controller;
    private final ClusterSharding sharding;
    private final ReplicaPlacement placement;
    private final int brokerId;
    private final Duration askTimeout;
    private final OffsetResetResolver offsetResetResolver;
    private final EntityRef<GroupDirectory.Command> directory;
    /** Group ids this broker registered with the directory (a group id per group, never per commit). */
    private final Set<String> registeredGroups = new HashSet<>();
    private ClusterImage image;
    /**
     * Partition requests waiting, in arrival order, for the controller's image because one of them named a partition
     * this node's image did not have. While any wait, every partition request queues behind them: routing a later
     * request first would reorder a producer's batches (the partition would append sequence 32 before 0).
     */
    private final ArrayDeque<PartitionRequest> awaitingMetadata = new ArrayDeque<>();
    /** The last publication applied (its image may be older than {@link #image}, which local changes update). */
    private PublishedMetadata published;
    /**
     * Ids of topics whose replicas on this broker were told to delete their logs (through this broker, or on a
     * publication), so that a publication does not do it again: a late delete could hit a topic created again.
     */
    private final Set<UUID> deletedTopicIds = new HashSet<>();

    private Broker(
        final ActorContext<Command> context, final ActorRef<ControllerProtocol> controller, final ClusterSharding sharding,
        final ReplicaPlacement placement, final BrokerNodeSettings settings, final PublishedMetadata initial)
    {
        super(context);
        this.published = initial;
        final ClusterImage image = initial.image();
        this.controller = controller;
        this.sharding = sharding;
        this.placement = placement;
        this.brokerId = settings.brokerId();
        this.askTimeout = settings.askTimeout();
        this.offsetResetResolver = new OffsetResetResolver(sharding, askTimeout);
        this.image = image;
        this.directory = sharding.entityRefFor(GroupDirectory.ENTITY_TYPE_KEY, GroupDirectory.ENTITY_ID);
    }

    /**
     * The broker's behavior.
     *
     * @param controller the controller singleton's proxy
     * @param sharding   sharding, with {@link PartitionReplicaEntity#ENTITY_TYPE_KEY},
     *                   {@link BrokerNode#GROUP_COORDINATOR_TYPE_KEY} and {@link GroupDirectory#ENTITY_TYPE_KEY}
     *                   initialized
     * @param placement  claims this broker's replicas of created topics
     * @param settings   the node's settings
     * @param image      the metadata at start
     */
    public static Behavior<Command> create(
        final ActorRef<ControllerProtocol> controller, final ClusterSharding sharding, final ReplicaPlacement placement,
        final BrokerNodeSettings settings, final ClusterImage image)
    {
        Objects.requireNonNull(image, "image");
        return Behaviors.setup(context -> new Broker(
            context, controller, sharding, placement, settings, new PublishedMetadata(image, List.of(), -1, -1)));
    }

    /**
     * The broker's behavior, subscribed to the controller's publications.
     *
     * @param initial       the metadata at start (live brokers from the cluster state, version -1)
     * @param metadataTopic this node's pub/sub topic of {@link PublishedMetadata}
     */
    static Behavior<Command> create(
        final ActorRef<ControllerProtocol> controller, final ClusterSharding sharding, final ReplicaPlacement placement,
        final BrokerNodeSettings settings, final PublishedMetadata initial,
        final ActorRef<Topic.Command<PublishedMetadata>> metadataTopic)
    {
        Objects.requireNonNull(initial, "initial");
        return Behaviors.setup(context ->
        {
            metadataTopic.tell(Topic.subscribe(context.messageAdapter(PublishedMetadata.class, MetadataPublished::new)));
            return new Broker(context, controller, sharding, placement, settings, initial);
        });
    }

    @Override
    public Receive<Command> createReceive()
    {
        return newReceiveBuilder()
            .onMessage(CreateTopic.class, this::onCreateTopic)
            .onMessage(TopicCreated.class, this::onTopicCreated)
            .onMessage(DeleteTopic.class, this::onDeleteTopic)
            .onMessage(TopicToDelete.class, this::onTopicToDelete)
            .onMessage(TopicDeleted.class, this::onTopicDeleted)
            .onMessage(ReplicasDeleted.class, this::onReplicasDeleted)
            .onMessage(ListTopics.class, this::onListTopics)
            .onMessage(DescribeTopic.class, this::onDescribeTopic)
            .onMessage(AlterConfigs.class, this::onAlterConfigs)
            .onMessage(ConfigsAltered.class, this::onConfigsAltered)
            .onMessage(CreatePartitions.class, this::onCreatePartitions)
            .onMessage(PartitionsCreated.class, this::onPartitionsCreated)
            .onMessage(PartitionRequest.class, this::onPartitionRequest)
            .onMessage(MetadataRefreshed.class, this::onMetadataRefreshed)
            .onMessage(AllocateProducerIds.class, this::onAllocateProducerIds)
            .onMessage(DeleteGroup.class, this::onDeleteGroup)
            .onMessage(GroupDeleted.class, this::onGroupDeleted)
            .onMessage(GroupRequest.class, this::onGroupRequest)
            .onMessage(DescribeGroup.class, this::onDescribeGroup)
            .onMessage(GroupOffsetsRead.class, this::onGroupOffsetsRead)
            .onMessage(GroupMetadataRefreshed.class, this::onGroupMetadataRefreshed)
            .onMessage(LogEndOffsetsRead.class, this::onLogEndOffsetsRead)
            .onMessage(ListGroups.class, this::onListGroups)
            .onMessage(ResetGroupOffsets.class, this::onResetGroupOffsets)
            .onMessage(ResetOffsetsResolved.class, this::onResetOffsetsResolved)
            .onMessage(GetClusterMetadata.class, this::onGetClusterMetadata)
            .onMessage(ClusterMetadataRefreshed.class, this::onClusterMetadataRefreshed)
            .onMessage(MetadataPublished.class, this::onMetadataPublished)
            .onMessage(TopicClaimed.class, this::onTopicClaimed)
            .build();
    }

    // ---- Published metadata (the controller's image, live brokers, controller id). ----

    private Behavior<Command> onGetClusterMetadata(final GetClusterMetadata get)
    {
        if (image.topics().keySet().containsAll(get.topics()))
        {
            get.replyTo().tell(published.withImage(image));
            return this;
        }
        getContext().ask(
            ClusterImage.class, controller, askTimeout, GetMetadata::new,
            (refreshed, failure) -> new ClusterMetadataRefreshed(refreshed, get.replyTo()));
        return this;
    }

    /** Answers with the refreshed image; when the controller did not answer, with the cache (the topic then unknown). */
    private Behavior<Command> onClusterMetadataRefreshed(final ClusterMetadataRefreshed refreshed)
    {
        if (refreshed.image() != null)
        {
            image = refreshed.image();
        }
        refreshed.replyTo().tell(published.withImage(image));
        return this;
    }

    private Behavior<Command> onMetadataPublished(final MetadataPublished message)
    {
        final PublishedMetadata update = message.metadata();
        if (update.version() < published.version())
        {
            return this;
        }
        final ClusterImage previous = published.image();
        published = update;
        image = update.image();
        for (final TopicImage topic : update.image().topics().values())
        {
            final TopicImage before = previous.topics().get(topic.name());
            if (before == null || !before.topicId().equals(topic.topicId()) ||
                before.partitionCount() != topic.partitionCount())
            {
                claimAndStart(topic);
            }
            else
            {
                for (final PartitionImage partition : topic.partitions())
                {
                    if (partition.replicas().contains(brokerId) && !partition.equals(before.partitions().get(partition.partition())))
                    {
                        deliverToOwnReplica(topic.name(), partition);
                    }
                }
            }
        }
        for (final TopicImage before : previous.topics().values())
        {
            if (!update.image().topics().containsKey(before.name()) && deletedTopicIds.add(before.topicId()))
            {
                deleteOwnReplicas(before);
            }
        }
        return this;
    }

    private void claimAndStart(final TopicImage topic)
    {
        if (topic.partitions().stream().noneMatch(partition -> partition.replicas().contains(brokerId)))
        {
            return;
        }
        final org.apache.pekko.actor.typed.ActorSystem<Void> system = getContext().getSystem();
        getContext().pipeToSelf(placement.claim(topic), (done, failure) ->
        {
            logClaimFailure(system, topic, failure);
            return new TopicClaimed(topic.name());
        });
    }

    private Behavior<Command> onTopicClaimed(final TopicClaimed claimed)
    {
        final TopicImage topic = image.topics().get(claimed.topic());
        if (topic != null)
        {
            for (final PartitionImage partition : topic.partitions())
            {
                if (partition.replicas().contains(brokerId))
                {
                    deliverToOwnReplica(topic.name(), partition);
                }
            }
        }
        return this;
    }

    /** This broker's replica of the partition gets its state (and starts, if it was not running). */
    private void deliverToOwnReplica(final String topic, final PartitionImage partition)
    {
        final TopicPartition topicPartition = new TopicPartition(topic, partition.partition());
        sharding.entityRefFor(PartitionReplicaEntity.ENTITY_TYPE_KEY, PartitionReplicaEntity.entityId(topicPartition, brokerId))
            .tell(new PartitionProtocol.LeaderAndIsr(topicPartition, partition.leader(), partition.leaderEpoch(),
                partition.partitionEpoch(), partition.isr(), partition.replicas()));
    }

    /** A topic deleted through another node: this broker's replicas delete their logs (not awaited). */
    private void deleteOwnReplicas(final TopicImage topic)
    {
        for (final PartitionImage partition : topic.partitions())
        {
            if (partition.replicas().contains(brokerId))
            {
                getContext().getLog().info("topic {} was deleted: deleting replica {}-{}", topic.name(),
                    topic.name(), partition.partition());
                sharding.entityRefFor(
                        PartitionReplicaEntity.ADMIN_TYPE_KEY,
                        PartitionReplicaEntity.entityId(new TopicPartition(topic.name(), partition.partition()), brokerId))
                    .tell(new PartitionReplicaEntity.DeleteReplica(getContext().getSystem().ignoreRef()));
            }
        }
    }

    // ---- End of published metadata. ----

    private Behavior<Command> onCreateTopic(final CreateTopic create)
    {
        getContext().ask(
            CreateTopicReply.class, controller, askTimeout,
            replyTo -> new ControllerProtocol.CreateTopic(
                create.name(), create.partitions(), create.replicationFactor(), create.configs(), false, replyTo),
            (reply, failure) -> new TopicCreated(reply, failure, create.replyTo()));
        return this;
    }

    private Behavior<Command> onTopicCreated(final TopicCreated created)
    {
        if (created.reply() instanceof TopicCreationAccepted accepted)
        {
            image = image.withTopic(accepted.topic());
            // The callback runs outside the actor: it may use the system's logger, never the context.
            final org.apache.pekko.actor.typed.ActorSystem<Void> system = getContext().getSystem();
            placement.claim(accepted.topic()).whenComplete((done, failure) -> logClaimFailure(system, accepted.topic(), failure));
        }
        created.replyTo().tell(created.reply() != null ? created.reply() : controllerFailed(created.failure()));
        return this;
    }

    private static void logClaimFailure(
        final org.apache.pekko.actor.typed.ActorSystem<Void> system, final TopicImage topic, final Throwable failure)
    {
        if (failure != null)
        {
            system.log().warn(
                "could not set the shard locations of topic {} (sharding falls back to the requesting node)",
                topic.name(), failure);
        }
    }

    private Behavior<Command> onDeleteTopic(final DeleteTopic delete)
    {
        getContext().ask(
            DescribeTopicReply.class, controller, askTimeout,
            replyTo -> new ControllerProtocol.DescribeTopic(delete.name(), replyTo),
            (reply, failure) -> new TopicToDelete(reply, failure, delete));
        return this;
    }

    private Behavior<Command> onTopicToDelete(final TopicToDelete toDelete)
    {
        final DeleteTopic delete = toDelete.command();
        if (toDelete.reply() instanceof TopicDescription description)
        {
            getContext().ask(
                DeleteTopicReply.class, controller, askTimeout,
                replyTo -> new ControllerProtocol.DeleteTopic(delete.name(), replyTo),
                (reply, failure) -> new TopicDeleted(reply, failure, description.topic(), delete));
        }
        else if (toDelete.reply() instanceof ControllerProtocol.Rejected rejected)
        {
            delete.replyTo().tell(rejected);
        }
        else
        {
            delete.replyTo().tell(controllerFailed(toDelete.failure()));
        }
        return this;
    }

    private Behavior<Command> onTopicDeleted(final TopicDeleted deleted)
    {
        final DeleteTopic delete = deleted.command();
        if (!(deleted.reply() instanceof TopicDeletionAccepted accepted))
        {
            delete.replyTo().tell(deleted.reply() != null ? deleted.reply() : controllerFailed(deleted.failure()));
            return this;
        }
        image = image.withoutTopic(delete.name());
        final List<CompletableFuture<PartitionReplicaEntity.ReplicaDeleted>> replies = new ArrayList<>();
        // Also when a publication already had them delete their logs: the caller is answered once they have.
        deletedTopicIds.add(accepted.topicId());
        for (final PartitionImage partition : deleted.topic().partitions())
        {
            if (partition.replicas().contains(brokerId))
            {
                final EntityRef<Object> replica = sharding.entityRefFor(
                    PartitionReplicaEntity.ADMIN_TYPE_KEY,
                    PartitionReplicaEntity.entityId(new TopicPartition(delete.name(), partition.partition()), brokerId));
                replies.add(replica.<PartitionReplicaEntity.ReplicaDeleted>ask(
                    PartitionReplicaEntity.DeleteReplica::new, askTimeout).toCompletableFuture());
            }
        }
        getContext().pipeToSelf(
            CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)),
            (ignored, failure) -> new ReplicasDeleted(accepted, failure, delete));
        return this;
    }

    private Behavior<Command> onReplicasDeleted(final ReplicasDeleted deleted)
    {
        if (deleted.failure() != null)
        {
            getContext().getLog().warn(
                "topic {} is deleted but not every replica confirmed deleting its log directory",
                deleted.command().name(), deleted.failure());
        }
        deleted.command().replyTo().tell(deleted.accepted());
        return this;
    }

    private Behavior<Command> onListTopics(final ListTopics list)
    {
        controller.tell(new ControllerProtocol.ListTopics(list.replyTo()));
        return this;
    }

    private Behavior<Command> onDescribeTopic(final DescribeTopic describe)
    {
        controller.tell(new ControllerProtocol.DescribeTopic(describe.name(), describe.replyTo()));
        return this;
    }

    private Behavior<Command> onAlterConfigs(final AlterConfigs alter)
    {
        getContext().ask(
            AlterTopicConfigsReply.class, controller, askTimeout,
            replyTo -> new AlterTopicConfigs(alter.name(), alter.set(), alter.delete(), false, replyTo),
            (reply, failure) -> new ConfigsAltered(reply, failure, alter));
        return this;
    }

    private Behavior<Command> onConfigsAltered(final ConfigsAltered altered)
    {
        final AlterConfigs alter = altered.command();
        if (altered.reply() instanceof TopicConfigsAccepted accepted)
        {
            final TopicImage topic = image.topics().get(alter.name());
            if (topic != null)
            {
                image = image.withTopic(topic.withConfigs(accepted.configs()));
                for (final PartitionImage partition : topic.partitions())
                {
                    if (partition.replicas().contains(brokerId))
                    {
                        sharding.entityRefFor(
                            PartitionReplicaEntity.ADMIN_TYPE_KEY,
                            PartitionReplicaEntity.entityId(new TopicPartition(topic.name(), partition.partition()), brokerId))
                            .tell(PartitionReplicaEntity.ReloadReplica.INSTANCE);
                    }
                }
            }
        }
        alter.replyTo().tell(altered.reply() != null ? altered.reply() : controllerFailed(altered.failure()));
        return this;
    }

    private Behavior<Command> onCreatePartitions(final CreatePartitions create)
    {
        getContext().ask(
            ControllerProtocol.CreatePartitionsReply.class, controller, askTimeout,
            replyTo -> new ControllerProtocol.CreatePartitions(create.name(), create.newTotal(), false, replyTo),
            (reply, failure) -> new PartitionsCreated(reply, failure, create));
        return this;
    }

    private Behavior<Command> onPartitionsCreated(final PartitionsCreated created)
    {
        if (created.reply() instanceof ControllerProtocol.PartitionsAccepted accepted)
        {
            image = image.withTopic(accepted.topic());
            final org.apache.pekko.actor.typed.ActorSystem<Void> system = getContext().getSystem();
            placement.claim(accepted.topic()).whenComplete((done, failure) -> logClaimFailure(system, accepted.topic(), failure));
        }
        created.command().replyTo().tell(created.reply() != null ? created.reply() : controllerFailed(created.failure()));
        return this;
    }

    private Behavior<Command> onPartitionRequest(final PartitionRequest request)
    {
        if (awaitingMetadata.isEmpty())
        {
            final Optional<Integer> leader = leaderOf(image, request.topicPartition());
            if (leader.isPresent())
            {
                routeOrRefuse(request, leader.get());
                return this;
            }
            getContext().ask(
                ClusterImage.class, controller, askTimeout, GetMetadata::new, MetadataRefreshed::new);
        }
        awaitingMetadata.add(request);
        return this;
    }

    private Behavior<Command> onMetadataRefreshed(final MetadataRefreshed refreshed)
    {
        if (refreshed.image() != null)
        {
            image = refreshed.image();
        }
        while (!awaitingMetadata.isEmpty())
        {
            final PartitionRequest request = awaitingMetadata.poll();
            final Optional<Integer> leader = leaderOf(image, request.topicPartition());
            if (leader.isPresent())
            {
                routeOrRefuse(request, leader.get());
            }
            else if (refreshed.image() == null)
            {
                PartitionReplicaEntity.reject(request.request(), ErrorCode.UNKNOWN_SERVER_ERROR, "the controller did " +
                    "not answer within " + askTimeout + ": " + refreshed.failure().getMessage() + "; retry");
            }
            else
            {
                PartitionReplicaEntity.reject(request.request(), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                    "topic-partition " + request.topicPartition() + " does not exist: create the topic or refresh metadata");
            }
        }
        return this;
    }

    private Behavior<Command> onAllocateProducerIds(final AllocateProducerIds allocate)
    {
        controller.tell(new ControllerProtocol.AllocateProducerIds(allocate.blockSize(), allocate.replyTo()));
        return this;
    }

    private Behavior<Command> onGroupRequest(final GroupRequest request)
    {
        if (rejectBlankGroupId(request.groupId(), request.request()))
        {
            return this;
        }
        if (request instanceof JoinGroup || request instanceof ResetOffsets)
        {
            // Rare: always, so that a group the directory's sweep unlisted is listed again.
            registeredGroups.add(request.groupId());
            directory.tell(new GroupDirectory.Register(request.groupId()));
        }
        else if (request instanceof OffsetCommit)
        {
            register(request.groupId());
        }
        coordinator(request.groupId()).tell(request.request());
        return this;
    }

    private Behavior<Command> onDeleteGroup(final DeleteGroup delete)
    {
        if (rejectBlankGroupId(delete.groupId(), delete.request()))
        {
            return this;
        }
        getContext().pipeToSelf(
            coordinator(delete.groupId()).<GroupAck>ask(GroupCoordinator.DeleteGroup::new, askTimeout),
            (ack, failure) -> new GroupDeleted(ack, failure, delete));
        return this;
    }

    private Behavior<Command> onGroupDeleted(final GroupDeleted deleted)
    {
        final DeleteGroup delete = deleted.command();
        if (deleted.ack() == null)
        {
            delete.request().reject(GroupError.COORDINATOR_NOT_AVAILABLE, coordinatorFailed(delete.groupId(), deleted.failure()));
            return this;
        }
        if (deleted.ack().error() == GroupError.NONE)
        {
            registeredGroups.remove(delete.groupId());
            directory.tell(new GroupDirectory.Unregister(delete.groupId()));
        }
        delete.request().replyTo().tell(deleted.ack());
        return this;
    }

    private Behavior<Command> onDescribeGroup(final DescribeGroup describe)
    {
        if (rejectBlankGroupId(describe.groupId(), new GroupCoordinator.DescribeGroup(Map.of(), describe.replyTo())))
        {
            return this;
        }
        getContext().pipeToSelf(
            coordinator(describe.groupId()).<OffsetFetchResponse>ask(
                replyTo -> new GroupCoordinator.OffsetFetch(Optional.empty(), replyTo), askTimeout),
            (offsets, failure) -> new GroupOffsetsRead(offsets, failure, describe));
        return this;
    }

    private Behavior<Command> onGroupOffsetsRead(final GroupOffsetsRead read)
    {
        final DescribeGroup describe = read.command();
        if (read.offsets() == null)
        {
            new GroupCoordinator.DescribeGroup(Map.of(), describe.replyTo())
                .reject(GroupError.COORDINATOR_NOT_AVAILABLE, coordinatorFailed(describe.groupId(), read.failure()));
            return this;
        }
        for (final TopicPartition topicPartition : read.offsets().offsets().keySet())
        {
            if (leaderOf(image, topicPartition).isEmpty())
            {
                // A topic created through another node: refresh once, as for partition requests.
                getContext().ask(
                    ClusterImage.class, controller, askTimeout, GetMetadata::new,
                    (refreshed, failure) -> new GroupMetadataRefreshed(refreshed, failure, read));
                return this;
            }
        }
        readLogEndOffsets(read);
        return this;
    }

    private Behavior<Command> onGroupMetadataRefreshed(final GroupMetadataRefreshed refreshed)
    {
        if (refreshed.image() != null)
        {
            image = refreshed.image();
        }
        readLogEndOffsets(refreshed.read());
        return this;
    }

    private void readLogEndOffsets(final GroupOffsetsRead read)
    {
        final DescribeGroup describe = read.command();
        final Map<TopicPartition, CompletableFuture<ListOffsetsReply>> replies = new HashMap<>();
        for (final TopicPartition topicPartition : read.offsets().offsets().keySet())
        {
            final Optional<Integer> leader = leaderOf(image, topicPartition);
            if (leader.isPresent() && hasLiveLeader(leader.get()))
            {
                replies.put(topicPartition, sharding.entityRefFor(
                        PartitionReplicaEntity.ENTITY_TYPE_KEY, PartitionReplicaEntity.entityId(topicPartition, leader.get()))
                    .<ListOffsetsReply>ask(
                        replyTo -> new PartitionProtocol.ListOffsets(topicPartition, OffsetSpec.LATEST, -1, replyTo),
                        askTimeout)
                    .toCompletableFuture());
            }
        }
        getContext().pipeToSelf(
            CompletableFuture.allOf(replies.values().toArray(CompletableFuture[]::new))
                .handle((ignored, failure) -> logEndOffsets(replies)),
            (logEndOffsets, failure) -> new LogEndOffsetsRead(logEndOffsets == null ? Map.of() : logEndOffsets, describe));
    }

    /** The offsets found; a partition that failed or was refused is left out (its lag is unknown). */
    private static Map<TopicPartition, Long> logEndOffsets(
        final Map<TopicPartition, CompletableFuture<ListOffsetsReply>> replies)
    {
        final Map<TopicPartition, Long> offsets = new HashMap<>();
        replies.forEach((topicPartition, reply) ->
        {
            if (!reply.isCompletedExceptionally() && reply.join() instanceof OffsetFound found)
            {
                offsets.put(topicPartition, found.offset());
            }
        });
        return offsets;
    }

    private Behavior<Command> onLogEndOffsetsRead(final LogEndOffsetsRead read)
    {
        final DescribeGroup describe = read.command();
        coordinator(describe.groupId()).tell(new GroupCoordinator.DescribeGroup(read.logEndOffsets(), describe.replyTo()));
        return this;
    }

    private Behavior<Command> onResetGroupOffsets(final ResetGroupOffsets reset)
    {
        final String problem = resetProblem(reset);
        if (problem != null)
        {
            final GroupError error = reset.groupId() == null || reset.groupId().isBlank() ?
                GroupError.INVALID_GROUP_ID : GroupError.INVALID_REQUEST;
            reset.replyTo().tell(new GroupAck(error, error.message(problem)));
            return this;
        }
        final Map<TopicPartition, Integer> leaders = new HashMap<>();
        for (final TopicPartition topicPartition : reset.partitions())
        {
            final Optional<Integer> leader = leaderOf(image, topicPartition);
            if (leader.isEmpty())
            {
                reset.replyTo().tell(new GroupAck(GroupError.UNKNOWN_TOPIC_OR_PARTITION,
                    GroupError.UNKNOWN_TOPIC_OR_PARTITION.message(topicPartition + " does not exist; nothing was reset")));
                return this;
            }
            if (!hasLiveLeader(leader.get()))
            {
                reset.replyTo().tell(new GroupAck(GroupError.COORDINATOR_NOT_AVAILABLE, GroupError.COORDINATOR_NOT_AVAILABLE
                    .message(leaderProblem(topicPartition, leader.get()) + "; nothing was reset")));
                return this;
            }
            leaders.put(topicPartition, leader.get());
        }
        getContext().pipeToSelf(
            offsetResetResolver.resolve(leaders, reset.resetTo(), reset.value()),
            (offsets, failure) -> new ResetOffsetsResolved(offsets, failure, reset));
        return this;
    }

    private static String resetProblem(final ResetGroupOffsets reset)
    {
        if (reset.groupId() == null || reset.groupId().isBlank())
        {
            return "group id '" + reset.groupId() + "' is blank";
        }
        if (reset.partitions() == null || reset.partitions().isEmpty() || reset.resetTo() == null)
        {
            return "name at least one partition and where to reset to";
        }
        if (reset.resetTo() == ResetTo.OFFSET && reset.value() < 0)
        {
            return "offset " + reset.value() + " is negative";
        }
        return null;
    }

    private Behavior<Command> onResetOffsetsResolved(final ResetOffsetsResolved resolved)
    {
        final ResetGroupOffsets reset = resolved.command();
        if (resolved.failure() != null)
        {
            final Throwable cause = resolved.failure().getCause() != null ? resolved.failure().getCause() : resolved.failure();
            reset.replyTo().tell(new GroupAck(GroupError.COORDINATOR_NOT_AVAILABLE,
                GroupError.COORDINATOR_NOT_AVAILABLE.message(cause.getMessage() + "; nothing was reset")));
            return this;
        }
        register(reset.groupId());
        coordinator(reset.groupId()).tell(new GroupCoordinator.ResetOffsets(resolved.offsets(), reset.replyTo()));
        return this;
    }

    private Behavior<Command> onListGroups(final ListGroups list)
    {
        directory.tell(new GroupDirectory.ListGroups(list.replyTo()));
        return this;
    }

    private void register(final String groupId)
    {
        if (registeredGroups.add(groupId))
        {
            directory.tell(new GroupDirectory.Register(groupId));
        }
    }

    private static boolean rejectBlankGroupId(final String groupId, final GroupCoordinator.Command request)
    {
        if (groupId == null || groupId.isBlank())
        {
            request.reject(GroupError.INVALID_GROUP_ID, GroupError.INVALID_GROUP_ID.message("group id '" + groupId + "' is blank"));
            return true;
        }
        return false;
    }

    private EntityRef<GroupCoordinator.Command> coordinator(final String groupId)
    {
        return sharding.entityRefFor(BrokerNode.GROUP_COORDINATOR_TYPE_KEY, groupId);
    }

    private String coordinatorFailed(final String groupId, final Throwable failure)
    {
        return GroupError.COORDINATOR_NOT_AVAILABLE.message("the coordinator of group " + groupId +
            " did not answer within " + askTimeout + " (" + (failure == null ? "no reply" : failure.getMessage()) + ")");
    }

    /**
     * Routes to the leader, or refuses with NOT_LEADER_OR_FOLLOWER (retriable) when there is none or its broker is not
     * live: sharding would otherwise start the leader's replica on this node.
     */
    private void routeOrRefuse(final PartitionRequest request, final int leader)
    {
        if (!hasLiveLeader(leader))
        {
            PartitionReplicaEntity.reject(request.request(), ErrorCode.NOT_LEADER_OR_FOLLOWER,
                leaderProblem(request.topicPartition(), leader) + "; refresh metadata and retry");
            return;
        }
        if (request instanceof FetchLocal && leader != brokerId)
        {
            PartitionReplicaEntity.reject(request.request(), ErrorCode.NOT_LEADER_OR_FOLLOWER, "partition " +
                request.topicPartition() + " is led by broker " + leader + ", not by broker " + brokerId +
                " whose listener was asked; refresh metadata and fetch from the leader");
            return;
        }
        route(request, leader);
    }

    private boolean hasLiveLeader(final int leader)
    {
        return leader >= 0 && (published.liveBrokers().isEmpty() || published.isLive(leader));
    }

    private static String leaderProblem(final TopicPartition topicPartition, final int leader)
    {
        return leader < 0 ? "partition " + topicPartition + " has no leader (no in-sync replica is live)" :
            "the leader of partition " + topicPartition + ", broker " + leader + ", is not live";
    }

    private void route(final PartitionRequest request, final int leader)
    {
        sharding.entityRefFor(
            PartitionReplicaEntity.ENTITY_TYPE_KEY, PartitionReplicaEntity.entityId(request.topicPartition(), leader))
            .tell(request.request());
    }

    private static Optional<Integer> leaderOf(final ClusterImage image, final TopicPartition topicPartition)
    {
        final TopicImage topic = image.topics().get(topicPartition.topic());
        if (topic == null || topicPartition.partition() >= topic.partitionCount())
        {
            return Optional.empty();
        }
        return Optional.of(topic.partitions().get(topicPartition.partition()).leader());
    }

    private ControllerProtocol.Rejected controllerFailed(final Throwable failure)
    {
        return new ControllerProtocol.Rejected(
            ControllerErrorCode.UNKNOWN_SERVER_ERROR,
            "the controller did not answer within " + askTimeout + " (" +
            (failure == null ? "no reply" : failure.getMessage()) + "); retry");
    }
}
