package dev.millrace.broker.controller;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.Collectors;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.slf4j.Logger;

import dev.millrace.broker.controller.ControllerEvent.BrokerRegistered;
import dev.millrace.broker.controller.ControllerEvent.PartitionsAdded;
import dev.millrace.broker.controller.ControllerEvent.ProducerIdsAllocated;
import dev.millrace.broker.controller.ControllerEvent.TopicConfigsAltered;
import dev.millrace.broker.controller.ControllerEvent.TopicCreated;
import dev.millrace.broker.controller.ControllerEvent.TopicDeleted;
import dev.millrace.broker.controller.ControllerProtocol.AllocateProducerIds;
import dev.millrace.broker.controller.ControllerProtocol.AlterTopicConfigs;
import dev.millrace.broker.controller.ControllerProtocol.BrokerMembershipChanged;
import dev.millrace.broker.controller.ControllerProtocol.BrokerRegistrationAccepted;
import dev.millrace.broker.controller.ControllerProtocol.CreatePartitions;
import dev.millrace.broker.controller.ControllerProtocol.CreateTopic;
import dev.millrace.broker.controller.ControllerProtocol.DeleteTopic;
import dev.millrace.broker.controller.ControllerProtocol.DescribeTopic;
import dev.millrace.broker.controller.ControllerProtocol.GetMetadata;
import dev.millrace.broker.controller.ControllerProtocol.ListTopics;
import dev.millrace.broker.controller.ControllerProtocol.PartitionsAccepted;
import dev.millrace.broker.controller.ControllerProtocol.ProducerIdBlock;
import dev.millrace.broker.controller.ControllerProtocol.RegisterBroker;
import dev.millrace.broker.controller.ControllerProtocol.Rejected;
import dev.millrace.broker.controller.ControllerProtocol.TopicConfigsAccepted;
import dev.millrace.broker.controller.ControllerProtocol.TopicCreationAccepted;
import dev.millrace.broker.controller.ControllerProtocol.TopicDeletionAccepted;
import dev.millrace.broker.controller.ControllerProtocol.TopicDescription;
import dev.millrace.broker.controller.ControllerProtocol.TopicListing;

/**
 * The cluster controller: the single, event-sourced owner of the metadata {@link ClusterImage} (brokers, topics,
 * configs, replica assignment, leaders, leader epochs, ISR, producer-id allocation). Run as a cluster singleton;
 * its journal is the control-plane journal.
 *
 * <p>Decide, then apply: each {@code onXxx} command handler validates against the current image and either replies
 * {@link Rejected} (persisting nothing) or persists one {@link ControllerEvent} and replies once it is durable;
 * only the event handlers change the image, so replay rebuilds exactly the same image. Every random choice (topic
 * ids, which broker gets the first replica) is made in the command handler and carried in the event.
 *
 * <p>A snapshot of the image is saved every {@code millrace.controller.snapshot-every-events} events, so recovery
 * reads at most one snapshot and that many events.
 *
 * <p>Threading: an actor; all state is confined to it.
 */
public final class Controller
    extends EventSourcedBehaviorWithEnforcedReplies<ControllerProtocol, ControllerEvent, ClusterImage>
{
    private static final int MAX_PORT = 65535;

    /** The cluster role prefix of a node's broker id (BrokerNode.BROKER_ROLE_PREFIX). */
    private static final String BROKER_ROLE_PREFIX = "broker-";

    private final ControllerSettings settings;
    private final Supplier<UUID> topicIds;
    private final Logger log;
    /**
     * The up cluster members of each broker id seen in membership events (normally one; two for a moment when a
     * node restarts on another port). An id with an empty set is gone. Derived from membership, not persisted.
     */
    private final Map<Integer, Set<String>> brokerMembers = new HashMap<>();

    private Controller(
        final PersistenceId persistenceId,
        final ControllerSettings settings,
        final Supplier<UUID> topicIds,
        final Logger log)
    {
        super(persistenceId);
        this.settings = settings;
        this.topicIds = topicIds;
        this.log = log;
    }

    /**
     * @param persistenceId the controller's journal id (one per cluster).
     * @param settings      validated settings, usually {@link ControllerSettings#fromConfig}.
     */
    public static Behavior<ControllerProtocol> create(final PersistenceId persistenceId, final ControllerSettings settings)
    {
        return create(persistenceId, settings, UUID::randomUUID);
    }

    /**
     * @param topicIds supplies the id of each new topic (injected so tests can be deterministic).
     */
    public static Behavior<ControllerProtocol> create(
        final PersistenceId persistenceId, final ControllerSettings settings, final Supplier<UUID> topicIds)
    {
        return Behaviors.setup(context ->
        {
            subscribeToMembership(context);
            return new Controller(persistenceId, settings, topicIds, context.getLog());
        });
    }

    /** Cluster members carrying a broker role tell the controller which registered brokers are gone. */
    private static void subscribeToMembership(final ActorContext<ControllerProtocol> context)
    {
        final String provider = context.getSystem().settings().config().getString("pekko.actor.provider");
        if (!"cluster".equals(provider) && !provider.contains("ClusterActorRefProvider"))
        {
            return;
        }
        final ActorRef<ClusterEvent.MemberEvent> adapter = context.messageAdapter(
            ClusterEvent.MemberEvent.class, Controller::membershipChange);
        Cluster.get(context.getSystem()).subscriptions().tell(Subscribe.create(adapter, ClusterEvent.MemberEvent.class));
    }

    private static ControllerProtocol membershipChange(final ClusterEvent.MemberEvent event)
    {
        final Member member = event.member();
        int brokerId = -1;
        for (final String role : member.getRoles())
        {
            if (role.startsWith(BROKER_ROLE_PREFIX))
            {
                try
                {
                    brokerId = Integer.parseInt(role.substring(BROKER_ROLE_PREFIX.length()));
                }
                catch (final NumberFormatException ex)
                {
                    brokerId = -1;
                }
            }
        }
        final boolean present = event instanceof ClusterEvent.MemberUp || event instanceof ClusterEvent.MemberWeaklyUp;
        final boolean absent = event instanceof ClusterEvent.MemberLeft || event instanceof ClusterEvent.MemberExited ||
            event instanceof ClusterEvent.MemberDowned || event instanceof ClusterEvent.MemberRemoved;
        // Joining and the shutdown-preparation events change nothing: id -1 is ignored.
        return new BrokerMembershipChanged(present || absent ? brokerId : -1, member.uniqueAddress().toString(), present);
    }

    @Override
    public ClusterImage emptyState()
    {
        return ClusterImage.EMPTY;
    }

    @Override
    public RetentionCriteria retentionCriteria()
    {
        return RetentionCriteria.snapshotEvery(settings.snapshotEveryEvents(), settings.keepSnapshots());
    }

    @Override
    public CommandHandlerWithReply<ControllerProtocol, ControllerEvent, ClusterImage> commandHandler()
    {
        return newCommandHandlerWithReplyBuilder()
            .forAnyState()
            .onCommand(RegisterBroker.class, this::onRegisterBroker)
            .onCommand(CreateTopic.class, this::onCreateTopic)
            .onCommand(DeleteTopic.class, this::onDeleteTopic)
            .onCommand(DescribeTopic.class, this::onDescribeTopic)
            .onCommand(ListTopics.class, this::onListTopics)
            .onCommand(AlterTopicConfigs.class, this::onAlterTopicConfigs)
            .onCommand(CreatePartitions.class, this::onCreatePartitions)
            .onCommand(AllocateProducerIds.class, this::onAllocateProducerIds)
            .onCommand(GetMetadata.class, this::onGetMetadata)
            .onCommand(BrokerMembershipChanged.class, this::onBrokerMembershipChanged)
            .build();
    }

    @Override
    public EventHandler<ClusterImage, ControllerEvent> eventHandler()
    {
        return newEventHandlerBuilder()
            .forAnyState()
            .onEvent(BrokerRegistered.class, this::onBrokerRegistered)
            .onEvent(TopicCreated.class, this::onTopicCreated)
            .onEvent(TopicDeleted.class, this::onTopicDeleted)
            .onEvent(TopicConfigsAltered.class, this::onTopicConfigsAltered)
            .onEvent(PartitionsAdded.class, this::onPartitionsAdded)
            .onEvent(ProducerIdsAllocated.class, this::onProducerIdsAllocated)
            .build();
    }

    // Commands: decide.

    private ReplyEffect<ControllerEvent, ClusterImage> onBrokerMembershipChanged(
        final ClusterImage image, final BrokerMembershipChanged change)
    {
        if (change.brokerId() >= 0)
        {
            final Set<String> members = brokerMembers.computeIfAbsent(change.brokerId(), id -> new HashSet<>());
            final boolean wasGone = members.isEmpty();
            if (change.member())
            {
                members.add(change.memberAddress());
            }
            else
            {
                members.remove(change.memberAddress());
            }
            if (wasGone != members.isEmpty())
            {
                log.info(members.isEmpty() ? "broker {} left the cluster: no new replicas are assigned to it" :
                    "broker {} is a cluster member", change.brokerId());
            }
        }
        return Effect().noReply();
    }

    /** Registered brokers that are not gone, by id: where new replicas go. */
    private List<Integer> liveBrokerIds(final ClusterImage image)
    {
        return image.sortedBrokerIds().stream()
            .filter(id -> !brokerMembers.getOrDefault(id, Set.of("never seen: not gone")).isEmpty())
            .collect(Collectors.toList());
    }

    private ReplyEffect<ControllerEvent, ClusterImage> onRegisterBroker(final ClusterImage image, final RegisterBroker command)
    {
        if (command.brokerId() < 0)
        {
            return reject(command.replyTo(), ControllerErrorCode.INVALID_REQUEST,
                "Broker id must be >= 0 but was " + command.brokerId() + "; give each broker its own non-negative id.");
        }
        if (command.host() == null || command.host().isBlank())
        {
            return reject(command.replyTo(), ControllerErrorCode.INVALID_REQUEST,
                "Broker " + command.brokerId() + " registered without a host; advertise the host clients should use.");
        }
        if (command.port() < 1 || command.port() > MAX_PORT)
        {
            return reject(command.replyTo(), ControllerErrorCode.INVALID_REQUEST,
                "Broker " + command.brokerId() + " registered port " + command.port() + "; advertise the bound port, 1-" +
                MAX_PORT + ".");
        }

        final Optional<String> rack = command.rack() == null ? Optional.empty() : command.rack();
        final BrokerRegistration broker = new BrokerRegistration(command.brokerId(), command.host(), command.port(), rack);
        if (broker.equals(image.brokers().get(broker.brokerId())))
        {
            return Effect().reply(command.replyTo(), new BrokerRegistrationAccepted(broker));
        }
        return Effect()
            .persist(new BrokerRegistered(broker))
            .thenReply(command.replyTo(), newImage -> new BrokerRegistrationAccepted(broker));
    }

    private ReplyEffect<ControllerEvent, ClusterImage> onCreateTopic(final ClusterImage image, final CreateTopic command)
    {
        final ActorRef<ControllerProtocol.CreateTopicReply> replyTo = command.replyTo();
        final String name = command.name();
        final Optional<String> invalidName = TopicNames.invalidReason(name);
        if (invalidName.isPresent())
        {
            return reject(replyTo, ControllerErrorCode.INVALID_TOPIC_EXCEPTION, invalidName.get());
        }
        if (image.topics().containsKey(name))
        {
            return reject(replyTo, ControllerErrorCode.TOPIC_ALREADY_EXISTS,
                "Topic '" + name + "' already exists; use another name, or delete it first.");
        }
        final Optional<String> collision = TopicNames.collision(name, image.topics().keySet());
        if (collision.isPresent())
        {
            return reject(replyTo, ControllerErrorCode.INVALID_TOPIC_EXCEPTION,
                "Topic '" + name + "' collides with existing topic '" + collision.get() + "': '.' and '_' are the same in " +
                "metric names; choose a name that differs in other characters.");
        }

        final int partitions = command.partitions() == ControllerProtocol.DEFAULT ?
            settings.defaultPartitions() : command.partitions();
        final Optional<String> invalidPartitions = invalidPartitionCount(partitions);
        if (invalidPartitions.isPresent())
        {
            return reject(replyTo, ControllerErrorCode.INVALID_PARTITIONS, invalidPartitions.get());
        }

        final int replicationFactor = command.replicationFactor() == ControllerProtocol.DEFAULT ?
            settings.defaultReplicationFactor() : command.replicationFactor();
        final Optional<String> invalidReplication = invalidReplicationFactor(image, replicationFactor);
        if (invalidReplication.isPresent())
        {
            return reject(replyTo, ControllerErrorCode.INVALID_REPLICATION_FACTOR, invalidReplication.get());
        }

        final Optional<String> invalidConfig = TopicConfigs.invalidReason(command.configs(), replicationFactor);
        if (invalidConfig.isPresent())
        {
            return reject(replyTo, ControllerErrorCode.INVALID_CONFIG, invalidConfig.get());
        }

        final UUID topicId = topicIds.get();
        final List<Integer> brokerIds = liveBrokerIds(image);
        final int startIndex = Math.floorMod(topicId.hashCode(), brokerIds.size());
        final List<List<Integer>> assignment =
            ReplicaAssignor.assign(brokerIds, partitions, replicationFactor, startIndex, 0);
        final TopicImage topic = new TopicImage(
            name, topicId, replicationFactor, command.configs(), initialPartitions(0, assignment));

        if (command.validateOnly())
        {
            return Effect().reply(replyTo, new TopicCreationAccepted(topic, true));
        }
        return Effect()
            .persist(new TopicCreated(topic))
            .thenRun(newImage -> logTopicCreated(topic))
            .thenReply(replyTo, newImage -> new TopicCreationAccepted(topic, false));
    }

    private ReplyEffect<ControllerEvent, ClusterImage> onDeleteTopic(final ClusterImage image, final DeleteTopic command)
    {
        final Optional<TopicImage> topic = image.topic(command.name());
        if (topic.isEmpty())
        {
            return reject(command.replyTo(), ControllerErrorCode.UNKNOWN_TOPIC_OR_PARTITION, unknownTopic(command.name()));
        }
        final UUID topicId = topic.get().topicId();
        return Effect()
            .persist(new TopicDeleted(command.name(), topicId))
            .thenRun(newImage -> log.info("Deleted topic {} ({})", command.name(), topicId))
            .thenReply(command.replyTo(), newImage -> new TopicDeletionAccepted(command.name(), topicId));
    }

    private ReplyEffect<ControllerEvent, ClusterImage> onDescribeTopic(final ClusterImage image, final DescribeTopic command)
    {
        final Optional<TopicImage> topic = image.topic(command.name());
        if (topic.isEmpty())
        {
            return reject(command.replyTo(), ControllerErrorCode.UNKNOWN_TOPIC_OR_PARTITION, unknownTopic(command.name()));
        }
        return Effect().reply(command.replyTo(), new TopicDescription(topic.get()));
    }

    private ReplyEffect<ControllerEvent, ClusterImage> onListTopics(final ClusterImage image, final ListTopics command)
    {
        return Effect().reply(command.replyTo(), new TopicListing(image.sortedTopicNames()));
    }

    private ReplyEffect<ControllerEvent, ClusterImage> onAlterTopicConfigs(
        final ClusterImage image, final AlterTopicConfigs command)
    {
        final ActorRef<ControllerProtocol.AlterTopicConfigsReply> replyTo = command.replyTo();
        final Optional<TopicImage> existing = image.topic(command.name());
        if (existing.isEmpty())
        {
            return reject(replyTo, ControllerErrorCode.UNKNOWN_TOPIC_OR_PARTITION, unknownTopic(command.name()));
        }
        for (final String key : command.delete())
        {
            if (command.set().containsKey(key))
            {
                return reject(replyTo, ControllerErrorCode.INVALID_REQUEST,
                    "Config " + key + " is both set and deleted; send it in one list only.");
            }
        }
        final Optional<String> unknownDeleted = TopicConfigs.unknownKey(command.delete());
        if (unknownDeleted.isPresent())
        {
            return reject(replyTo, ControllerErrorCode.INVALID_CONFIG, unknownDeleted.get());
        }

        final TopicImage topic = existing.get();
        final Map<String, String> configs = TopicConfigs.altered(topic.configs(), command.set(), command.delete());
        final Optional<String> invalid = TopicConfigs.invalidReason(configs, topic.replicationFactor());
        if (invalid.isPresent())
        {
            return reject(replyTo, ControllerErrorCode.INVALID_CONFIG, invalid.get());
        }

        final TopicConfigsAccepted accepted = new TopicConfigsAccepted(command.name(), configs, command.validateOnly());
        if (command.validateOnly() || configs.equals(topic.configs()))
        {
            return Effect().reply(replyTo, accepted);
        }
        return Effect()
            .persist(new TopicConfigsAltered(command.name(), configs))
            .thenReply(replyTo, newImage -> accepted);
    }

    private ReplyEffect<ControllerEvent, ClusterImage> onCreatePartitions(
        final ClusterImage image, final CreatePartitions command)
    {
        final ActorRef<ControllerProtocol.CreatePartitionsReply> replyTo = command.replyTo();
        final Optional<TopicImage> existing = image.topic(command.name());
        if (existing.isEmpty())
        {
            return reject(replyTo, ControllerErrorCode.UNKNOWN_TOPIC_OR_PARTITION, unknownTopic(command.name()));
        }
        final TopicImage topic = existing.get();
        final int current = topic.partitionCount();
        if (command.newTotal() == current)
        {
            return reject(replyTo, ControllerErrorCode.INVALID_PARTITIONS,
                "Topic '" + command.name() + "' already has " + current + " partitions; ask for more to add some.");
        }
        if (command.newTotal() < current)
        {
            return reject(replyTo, ControllerErrorCode.INVALID_PARTITIONS,
                "Topic '" + command.name() + "' has " + current + " partitions and cannot shrink to " + command.newTotal() +
                "; partitions can only be added (create a new topic to have fewer).");
        }
        final Optional<String> invalidPartitions = invalidPartitionCount(command.newTotal());
        if (invalidPartitions.isPresent())
        {
            return reject(replyTo, ControllerErrorCode.INVALID_PARTITIONS, invalidPartitions.get());
        }
        final Optional<String> invalidReplication = invalidReplicationFactor(image, topic.replicationFactor());
        if (invalidReplication.isPresent())
        {
            return reject(replyTo, ControllerErrorCode.INVALID_REPLICATION_FACTOR, invalidReplication.get());
        }

        // As Kafka does: continue the existing round-robin from the broker that leads partition 0.
        final List<Integer> brokerIds = liveBrokerIds(image);
        final int startIndex = Math.max(0, brokerIds.indexOf(topic.partitions().get(0).replicas().get(0)));
        final List<List<Integer>> assignment = ReplicaAssignor.assign(
            brokerIds, command.newTotal() - current, topic.replicationFactor(), startIndex, current);
        final List<PartitionImage> added = initialPartitions(current, assignment);

        final PartitionsAccepted accepted = new PartitionsAccepted(topic.withPartitionsAdded(added), command.validateOnly());
        if (command.validateOnly())
        {
            return Effect().reply(replyTo, accepted);
        }
        return Effect()
            .persist(new PartitionsAdded(command.name(), added))
            .thenRun(newImage -> log.info("Topic {} grew from {} to {} partitions", command.name(), current,
                command.newTotal()))
            .thenReply(replyTo, newImage -> accepted);
    }

    private ReplyEffect<ControllerEvent, ClusterImage> onAllocateProducerIds(
        final ClusterImage image, final AllocateProducerIds command)
    {
        final int blockSize = command.blockSize() == ControllerProtocol.DEFAULT ?
            settings.producerIdBlockSize() : command.blockSize();
        if (blockSize < 1)
        {
            return reject(command.replyTo(), ControllerErrorCode.INVALID_REQUEST,
                "Producer id block size must be >= 1 (or -1 for the default " + settings.producerIdBlockSize() +
                ") but was " + command.blockSize() + ".");
        }
        final long first = image.nextProducerId();
        if (first > Long.MAX_VALUE - blockSize)
        {
            return reject(command.replyTo(), ControllerErrorCode.UNKNOWN_SERVER_ERROR,
                "Producer ids are exhausted: the next block of " + blockSize + " would pass " + Long.MAX_VALUE +
                "; ask for a smaller block.");
        }
        return Effect()
            .persist(new ProducerIdsAllocated(first, blockSize))
            .thenReply(command.replyTo(), newImage -> new ProducerIdBlock(first, blockSize));
    }

    private ReplyEffect<ControllerEvent, ClusterImage> onGetMetadata(final ClusterImage image, final GetMetadata command)
    {
        return Effect().reply(command.replyTo(), image);
    }

    // Events: apply. Also run on replay, so no side effects here.

    private ClusterImage onBrokerRegistered(final ClusterImage image, final BrokerRegistered event)
    {
        return image.withBroker(event.broker());
    }

    private ClusterImage onTopicCreated(final ClusterImage image, final TopicCreated event)
    {
        return image.withTopic(event.topic());
    }

    private ClusterImage onTopicDeleted(final ClusterImage image, final TopicDeleted event)
    {
        return image.withoutTopic(event.name());
    }

    private ClusterImage onTopicConfigsAltered(final ClusterImage image, final TopicConfigsAltered event)
    {
        return image.withTopic(existingTopic(image, event.name()).withConfigs(event.configs()));
    }

    private ClusterImage onPartitionsAdded(final ClusterImage image, final PartitionsAdded event)
    {
        return image.withTopic(existingTopic(image, event.name()).withPartitionsAdded(event.partitions()));
    }

    private ClusterImage onProducerIdsAllocated(final ClusterImage image, final ProducerIdsAllocated event)
    {
        return image.withNextProducerId(event.firstProducerId() + event.blockSize());
    }

    // Helpers.

    private void logTopicCreated(final TopicImage topic)
    {
        log.info("Created topic {} ({}) with {} partitions, replication factor {}",
            topic.name(), topic.topicId(), topic.partitionCount(), topic.replicationFactor());
        if (topic.name().indexOf('.') >= 0 || topic.name().indexOf('_') >= 0)
        {
            log.warn("Topic {} contains '.' or '_': metric names cannot tell the two apart, so no topic that differs " +
                "from it only in those characters can be created", topic.name());
        }
    }

    private static TopicImage existingTopic(final ClusterImage image, final String name)
    {
        final TopicImage topic = image.topics().get(name);
        if (topic == null)
        {
            throw new IllegalStateException("journal holds an event for topic '" + name + "' that does not exist");
        }
        return topic;
    }

    private Optional<String> invalidPartitionCount(final int partitions)
    {
        if (partitions < 1)
        {
            return Optional.of("Number of partitions must be >= 1 (or -1 for the default " + settings.defaultPartitions() +
                ") but was " + partitions + ".");
        }
        if (partitions > settings.maxPartitionsPerTopic())
        {
            return Optional.of("Number of partitions " + partitions + " is above the limit of " +
                settings.maxPartitionsPerTopic() + " per topic; ask for fewer or raise " + ControllerSettings.PREFIX + "." +
                ControllerSettings.MAX_PARTITIONS_PER_TOPIC + ".");
        }
        return Optional.empty();
    }

    private Optional<String> invalidReplicationFactor(final ClusterImage image, final int replicationFactor)
    {
        if (replicationFactor < 1)
        {
            return Optional.of("Replication factor must be >= 1 (or -1 for the default " +
                settings.defaultReplicationFactor() + ") but was " + replicationFactor + ".");
        }
        final int brokers = liveBrokerIds(image).size();
        if (replicationFactor > brokers)
        {
            return Optional.of("Replication factor " + replicationFactor + " is larger than the " + brokers +
                " registered broker(s) in the cluster; register more brokers or lower the replication factor.");
        }
        return Optional.empty();
    }

    private static List<PartitionImage> initialPartitions(final int firstPartition, final List<List<Integer>> assignment)
    {
        final PartitionImage[] partitions = new PartitionImage[assignment.size()];
        for (int i = 0; i < partitions.length; i++)
        {
            partitions[i] = PartitionImage.initial(firstPartition + i, assignment.get(i));
        }
        return List.of(partitions);
    }

    private static String unknownTopic(final String name)
    {
        return "Topic '" + name + "' does not exist; list the topics to see which do, or create it first.";
    }

    private ReplyEffect<ControllerEvent, ClusterImage> reject(
        final ActorRef<? super Rejected> replyTo, final ControllerErrorCode error, final String message)
    {
        return Effect().reply(replyTo, new Rejected(error, message));
    }
}
