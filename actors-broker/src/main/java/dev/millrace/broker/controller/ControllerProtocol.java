package dev.millrace.broker.controller;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

import org.apache.pekko.actor.typed.ActorRef;

import dev.millrace.serialization.kryo.MillraceMessage;

/**
 * The commands the {@link Controller} accepts and the replies it sends. Every command carries a {@code replyTo}
 * and gets exactly one reply: a success record, or {@link Rejected} with a {@link ControllerErrorCode} and a
 * message that says what to do. A rejected or {@code validateOnly} command persists nothing.
 *
 * <p>Commands:
 * <ul>
 *   <li>{@link RegisterBroker} - add a broker, or change a registered broker's endpoint;</li>
 *   <li>{@link CreateTopic} - create a topic and assign its replicas (-1 for partitions or replication factor
 *       takes the configured default);</li>
 *   <li>{@link DeleteTopic} - delete a topic;</li>
 *   <li>{@link DescribeTopic} - one topic's image;</li>
 *   <li>{@link ListTopics} - every topic name, sorted;</li>
 *   <li>{@link AlterTopicConfigs} - set and delete topic config overrides;</li>
 *   <li>{@link CreatePartitions} - raise a topic's partition count to {@code newTotal};</li>
 *   <li>{@link AllocateProducerIds} - a block of producer ids never handed out before (-1 for the configured
 *       block size);</li>
 *   <li>{@link GetMetadata} - the whole {@link ClusterImage};</li>
 *   <li>{@link AlterIsr} - a partition leader changes its ISR;</li>
 *   <li>{@link ControlledShutdown} - a broker about to stop hands its leaderships over;</li>
 *   <li>{@link ElectPreferredLeaders} - move leadership back to preferred replicas now.</li>
 * </ul>
 */
public sealed interface ControllerProtocol extends MillraceMessage
{
    /** Use the configured default ({@code millrace.controller.default-partitions}, ...). */
    int DEFAULT = -1;

    record RegisterBroker(int brokerId, String host, int port, Optional<String> rack, ActorRef<RegisterBrokerReply> replyTo)
        implements ControllerProtocol
    {
    }

    record CreateTopic(
        String name,
        int partitions,
        int replicationFactor,
        Map<String, String> configs,
        boolean validateOnly,
        ActorRef<CreateTopicReply> replyTo) implements ControllerProtocol
    {
        public CreateTopic
        {
            configs = configs == null ? Map.of() : Map.copyOf(configs);
        }
    }

    record DeleteTopic(String name, ActorRef<DeleteTopicReply> replyTo) implements ControllerProtocol
    {
    }

    record DescribeTopic(String name, ActorRef<DescribeTopicReply> replyTo) implements ControllerProtocol
    {
    }

    record ListTopics(ActorRef<TopicListing> replyTo) implements ControllerProtocol
    {
    }

    /**
     * @param set    keys to set to these values.
     * @param delete keys to remove, so they fall back to the broker default; unset keys are ignored.
     */
    record AlterTopicConfigs(
        String name,
        Map<String, String> set,
        List<String> delete,
        boolean validateOnly,
        ActorRef<AlterTopicConfigsReply> replyTo) implements ControllerProtocol
    {
        public AlterTopicConfigs
        {
            set = set == null ? Map.of() : Map.copyOf(set);
            delete = delete == null ? List.of() : List.copyOf(delete);
        }
    }

    record CreatePartitions(String name, int newTotal, boolean validateOnly, ActorRef<CreatePartitionsReply> replyTo)
        implements ControllerProtocol
    {
    }

    record AllocateProducerIds(int blockSize, ActorRef<AllocateProducerIdsReply> replyTo) implements ControllerProtocol
    {
    }

    record GetMetadata(ActorRef<ClusterImage> replyTo) implements ControllerProtocol
    {
    }

    /**
     * From the controller's own subscription to cluster membership (not for other senders): the member of broker
     * {@code brokerId} (cluster role {@code broker-<id>}) at {@code memberAddress} (its unique address) is up
     * ({@code member = true}) or has left, been downed or removed. A registered broker that had members and has none
     * left is gone: no new replica is assigned to it. Not persisted: a controller that starts learns the current
     * members from its subscription.
     */
    record BrokerMembershipChanged(int brokerId, String memberAddress, boolean member) implements ControllerProtocol
    {
    }

    /**
     * From the controller's own subscription to reachability (not for other senders): the member of broker
     * {@code brokerId} at {@code memberAddress} has become unreachable ({@code reachable = false}: the failure detector
     * misses its heartbeats) or reachable again. An unreachable broker is fenced like a gone one — it leads nothing and
     * leaves every ISR — long before the split-brain resolver downs it, so partitions fail over within the failure
     * detector's time (Kafka fences a broker whose heartbeats stop the same way). Not persisted.
     */
    record BrokerReachabilityChanged(int brokerId, String memberAddress, boolean reachable) implements ControllerProtocol
    {
    }

    /**
     * From a partition leader: set the partition's ISR (Kafka's AlterPartition). Refused when {@code leaderId} is not
     * the partition's leader, when {@code leaderEpoch} or {@code partitionEpoch} is not the current one (the leader is
     * stale), or when {@code newIsr} names a broker that is not a replica or not live (expansion only). On success the
     * change is persisted, the partition epoch rises, and the new state goes to every replica as a
     * {@code PartitionProtocol.LeaderAndIsr} as well as in the reply.
     */
    record AlterIsr(
        String topic, int partition, int leaderId, int leaderEpoch, int partitionEpoch, List<Integer> newIsr,
        ActorRef<AlterIsrReply> replyTo) implements ControllerProtocol
    {
        public AlterIsr
        {
            newIsr = List.copyOf(newIsr);
        }
    }

    /**
     * From a node about to leave the cluster: move the leadership of every partition broker {@code brokerId} leads to
     * another live ISR member (leader epoch + 1) and take it out of every ISR, publish, then reply
     * {@link ControlledShutdownDone}. Until its member is gone the broker is not elected again.
     */
    record ControlledShutdown(int brokerId, ActorRef<ControlledShutdownReply> replyTo) implements ControllerProtocol
    {
    }

    /**
     * Move leadership back to each partition's preferred (first) replica where it is live and in the ISR (the periodic
     * check does the same when {@code auto-leader-rebalance} is on).
     */
    record ElectPreferredLeaders(ActorRef<PreferredLeadersElected> replyTo) implements ControllerProtocol
    {
    }

    /**
     * The controller's own: bring leaders and ISRs in line with live brokers and publish every partition's state
     * (sent to itself after recovery, so that replicas converge after a failover of the singleton).
     */
    enum Reconcile implements ControllerProtocol
    {
        INSTANCE
    }

    /** The controller's own timer: publish the metadata image to every node. */
    enum PublishMetadata implements ControllerProtocol
    {
        INSTANCE
    }

    // Replies. Each command has its own sealed reply type; Rejected is shared by all of them.

    sealed interface RegisterBrokerReply extends MillraceMessage
    {
    }

    sealed interface CreateTopicReply extends MillraceMessage
    {
    }

    sealed interface DeleteTopicReply extends MillraceMessage
    {
    }

    sealed interface DescribeTopicReply extends MillraceMessage
    {
    }

    sealed interface AlterTopicConfigsReply extends MillraceMessage
    {
    }

    sealed interface CreatePartitionsReply extends MillraceMessage
    {
    }

    sealed interface AllocateProducerIdsReply extends MillraceMessage
    {
    }

    sealed interface AlterIsrReply extends MillraceMessage
    {
    }

    sealed interface ControlledShutdownReply extends MillraceMessage
    {
    }

    /** The command was refused; nothing changed. */
    record Rejected(ControllerErrorCode error, String message) implements
        RegisterBrokerReply, CreateTopicReply, DeleteTopicReply, DescribeTopicReply, AlterTopicConfigsReply,
        CreatePartitionsReply, AllocateProducerIdsReply, AlterIsrReply, ControlledShutdownReply
    {
        public Rejected
        {
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(message, "message");
        }
    }

    record BrokerRegistrationAccepted(BrokerRegistration broker) implements RegisterBrokerReply
    {
    }

    /** @param topic the created topic, or with {@code validateOnly} the topic as it would have been created. */
    record TopicCreationAccepted(TopicImage topic, boolean validateOnly) implements CreateTopicReply
    {
    }

    record TopicDeletionAccepted(String name, UUID topicId) implements DeleteTopicReply
    {
    }

    record TopicDescription(TopicImage topic) implements DescribeTopicReply
    {
    }

    record TopicListing(List<String> names) implements MillraceMessage
    {
        public TopicListing
        {
            names = List.copyOf(names);
        }
    }

    /** @param configs the topic's overrides after the change (or as they would be, with {@code validateOnly}). */
    record TopicConfigsAccepted(String name, Map<String, String> configs, boolean validateOnly)
        implements AlterTopicConfigsReply
    {
        public TopicConfigsAccepted
        {
            configs = Map.copyOf(configs);
        }
    }

    /** @param topic the topic with its new partitions (or as it would be, with {@code validateOnly}). */
    record PartitionsAccepted(TopicImage topic, boolean validateOnly) implements CreatePartitionsReply
    {
    }

    /** The ISR change was applied: the partition as it is now. */
    record IsrAltered(String topic, PartitionImage partition) implements AlterIsrReply
    {
    }

    /**
     * The broker's leaderships were handed over and it left every ISR it could leave.
     *
     * @param stillLed partitions ({@code topic-partition}) it still leads: no other ISR member is live.
     */
    record ControlledShutdownDone(int brokerId, List<String> stillLed) implements ControlledShutdownReply
    {
        public ControlledShutdownDone
        {
            stillLed = List.copyOf(stillLed);
        }
    }

    /** @param moved the partitions whose leadership moved back to their preferred replica. */
    record PreferredLeadersElected(List<PartitionChange> moved) implements MillraceMessage
    {
        public PreferredLeadersElected
        {
            moved = List.copyOf(moved);
        }
    }

    /** The producer ids [firstProducerId, firstProducerId + blockSize), durable and never handed out again. */
    record ProducerIdBlock(long firstProducerId, int blockSize) implements AllocateProducerIdsReply
    {
        public long lastProducerId()
        {
            return firstProducerId + blockSize - 1;
        }
    }
}
