package dev.millrace.broker.node;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
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
import dev.millrace.broker.controller.TopicImage;
import dev.millrace.broker.partition.PartitionProtocol;
import dev.millrace.broker.partition.PartitionProtocol.ErrorCode;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import dev.millrace.serialization.kryo.MillraceMessage;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
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
 *   <li>{@link Produce}, {@link Fetch}, {@link ListOffsets}, {@link DeleteRecords}: wrap the
 *       {@link PartitionProtocol} command, which the partition answers; a partition that the latest metadata does
 *       not hold is answered here with {@link ErrorCode#UNKNOWN_TOPIC_OR_PARTITION}.</li>
 * </ul>
 *
 * <p><b>Metadata.</b> The broker caches the controller's {@link ClusterImage}; topics created or deleted through it
 * update the cache at once, and a request for a partition the cache lacks refreshes it ({@link GetMetadata}) once
 * before it is refused. A topic deleted through another path is noticed only on the next refresh.
 *
 * <p><b>Deleting a topic</b> asks the controller, then every replica of this broker to stop and delete its log
 * directory ({@link PartitionReplicaEntity.DeleteReplica}), and answers once they have (or after
 * {@code ask-timeout}, with a warning in the log: the topic is deleted either way).
 *
 * <p><b>Altering configs</b> asks the controller, then has this broker's replicas of the topic restart with the new
 * configs ({@link PartitionReplicaEntity.ReloadReplica}; requests meanwhile wait in the entity), and answers.
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
        permits CreateTopic, DeleteTopic, ListTopics, DescribeTopic, AlterConfigs, PartitionRequest, Internal
    {
    }

    /** A partition command to route to the partition's leader. */
    public sealed interface PartitionRequest extends Command permits Produce, Fetch, ListOffsets, DeleteRecords
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

    /** The broker's own messages (adapted replies): local only, never serialized. */
    private sealed interface Internal extends Command, NoSerializationVerificationNeeded
        permits MetadataRefreshed, TopicCreated, TopicToDelete, TopicDeleted, ReplicasDeleted, ConfigsAltered
    {
    }

    private record MetadataRefreshed(ClusterImage image, Throwable failure, PartitionRequest pending) implements Internal
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
    private ClusterImage image;

    private Broker(
        final ActorContext<Command> context, final ActorRef<ControllerProtocol> controller, final ClusterSharding sharding,
        final ReplicaPlacement placement, final BrokerNodeSettings settings, final ClusterImage image)
    {
        super(context);
        this.controller = controller;
        this.sharding = sharding;
        this.placement = placement;
        this.brokerId = settings.brokerId();
        this.askTimeout = settings.askTimeout();
        this.image = image;
    }

    /**
     * The broker's behavior.
     *
     * @param controller the controller singleton's proxy
     * @param sharding   sharding, with {@link PartitionReplicaEntity#ENTITY_TYPE_KEY} initialized
     * @param placement  claims this broker's replicas of created topics
     * @param settings   the node's settings
     * @param image      the metadata at start
     */
    public static Behavior<Command> create(
        final ActorRef<ControllerProtocol> controller, final ClusterSharding sharding, final ReplicaPlacement placement,
        final BrokerNodeSettings settings, final ClusterImage image)
    {
        Objects.requireNonNull(image, "image");
        return Behaviors.setup(context -> new Broker(context, controller, sharding, placement, settings, image));
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
            .onMessage(PartitionRequest.class, this::onPartitionRequest)
            .onMessage(MetadataRefreshed.class, this::onMetadataRefreshed)
            .build();
    }

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

    private Behavior<Command> onPartitionRequest(final PartitionRequest request)
    {
        final Optional<Integer> leader = leaderOf(image, request.topicPartition());
        if (leader.isPresent())
        {
            route(request, leader.get());
        }
        else
        {
            getContext().ask(
                ClusterImage.class, controller, askTimeout, GetMetadata::new,
                (refreshed, failure) -> new MetadataRefreshed(refreshed, failure, request));
        }
        return this;
    }

    private Behavior<Command> onMetadataRefreshed(final MetadataRefreshed refreshed)
    {
        final PartitionRequest request = refreshed.pending();
        if (refreshed.image() == null)
        {
            PartitionReplicaEntity.reject(request.request(), ErrorCode.UNKNOWN_SERVER_ERROR,
                "the controller did not answer within " + askTimeout + ": " + refreshed.failure().getMessage() + "; retry");
            return this;
        }
        image = refreshed.image();
        final Optional<Integer> leader = leaderOf(image, request.topicPartition());
        if (leader.isPresent())
        {
            route(request, leader.get());
        }
        else
        {
            PartitionReplicaEntity.reject(request.request(), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                "topic-partition " + request.topicPartition() + " does not exist: create the topic or refresh metadata");
        }
        return this;
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
