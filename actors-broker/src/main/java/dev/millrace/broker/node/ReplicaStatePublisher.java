package dev.millrace.broker.node;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import dev.millrace.broker.controller.PartitionStatePublisher;
import dev.millrace.broker.controller.PublishedMetadata;
import dev.millrace.broker.partition.PartitionProtocol.LeaderAndIsr;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The node's side of the controller's {@link PartitionStatePublisher}: a {@link LeaderAndIsr} goes to the replica
 * entity {@code <topic>-<partition>-<brokerId>} through Cluster Sharding, after its shard has been placed on the
 * node of broker {@code brokerId} (the member with role {@code broker-<id>}), so that a replica never starts on the
 * controller's node by sharding's fallback; the image goes to every node through the pub/sub topic
 * {@value #METADATA_TOPIC}, to which each node's {@link Broker} subscribes.
 *
 * <p>Deliveries before the partition entity type is started on this node ({@link #start}) are dropped: the
 * controller re-delivers every partition when it starts, and each node's broker delivers the published state to its
 * own replicas.
 *
 * <p>Thread-safe: called from the controller actor; shard placement completes on other threads.
 */
final class ReplicaStatePublisher implements PartitionStatePublisher
{
    /** The pub/sub topic of {@link PublishedMetadata}. */
    static final String METADATA_TOPIC = "millrace-metadata";

    private final ActorSystem<?> system;
    private final ReplicaPlacement placement;
    private final ActorRef<Topic.Command<PublishedMetadata>> topic;
    /** The node each replica's shard was placed on by this publisher: placed once, not on every delivery. */
    private final Map<String, Address> placed = new ConcurrentHashMap<>();
    private volatile ClusterSharding sharding;

    ReplicaStatePublisher(
        final ActorSystem<?> system, final ReplicaPlacement placement, final ActorRef<Topic.Command<PublishedMetadata>> topic)
    {
        this.system = system;
        this.placement = placement;
        this.topic = topic;
    }

    /** Deliveries start once the partition entity type is initialized on this node. */
    void start(final ClusterSharding startedSharding)
    {
        this.sharding = startedSharding;
    }

    @Override
    public void leaderAndIsr(final int brokerId, final LeaderAndIsr decision)
    {
        final ClusterSharding current = sharding;
        final Optional<Address> node = nodeOf(brokerId);
        if (current == null || node.isEmpty())
        {
            system.log().debug("not delivering {} to broker {}: {}", decision, brokerId,
                current == null ? "replicas not started on this node yet" : "no member of it is up");
            return;
        }
        final String entityId = PartitionReplicaEntity.entityId(decision.topicPartition(), brokerId);
        final Runnable deliver = () -> current.entityRefFor(PartitionReplicaEntity.ENTITY_TYPE_KEY, entityId).tell(decision);
        if (node.get().equals(placed.get(entityId)))
        {
            deliver.run();
            return;
        }
        placement.place(entityId, node.get()).whenComplete((done, failure) ->
        {
            if (failure != null)
            {
                system.log().warn("could not place replica {} on {}; delivering its state anyway", entityId, node.get(),
                    failure);
            }
            else
            {
                placed.put(entityId, node.get());
            }
            deliver.run();
        });
    }

    @Override
    public void metadata(final PublishedMetadata metadata)
    {
        topic.tell(Topic.publish(metadata));
    }

    /** The address of the up member carrying broker {@code brokerId}'s role. */
    private Optional<Address> nodeOf(final int brokerId)
    {
        final String role = BrokerNode.brokerRole(brokerId);
        for (final Member member : Cluster.get(system).state().getMembers())
        {
            if (member.hasRole(role) && (member.status() == MemberStatus.up() || member.status() == MemberStatus.weaklyUp()))
            {
                return Optional.of(member.address());
            }
        }
        return Optional.empty();
    }
}
