package dev.millrace.broker.node;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.controller.ClusterImage;
import dev.millrace.broker.controller.PartitionImage;
import dev.millrace.broker.controller.TopicImage;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocation;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocationStrategy;
import org.apache.pekko.cluster.sharding.external.javadsl.ExternalShardAllocationClient;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.util.Timeout;

/**
 * Where partition replica entities live: "a replica lives where its data lives".
 *
 * <p>Each replica is its own shard (shard id = entity id, {@link dev.millrace.sharding.OneShardPerEntity}), allocated by Pekko's
 * {@link ExternalShardAllocationStrategy}: a shard goes to the node whose address was set for it with
 * {@link ExternalShardAllocationClient#setShardLocations}, and, while none is set, to the node that first asked for
 * it. Each node claims the replicas assigned to its own broker id ({@link #claim(TopicImage)}): when it starts (every
 * topic in the image) and when a topic is created through it. On one node every claim and the fallback agree.
 *
 * <p>In a cluster, the controller's publisher ({@link ReplicaStatePublisher}) places each replica on the node of its
 * broker ({@link #place}) before delivering the replica's state, and every node claims its replicas of each topic it
 * learns of from the published image ({@link Broker}); an existing location that changes moves the shard at
 * sharding's next rebalance. A replica whose broker is not up is never sent anything (neither the controller nor a
 * broker routes to it), so sharding's fallback (the requesting node) does not start it elsewhere.
 *
 * <p>Thread-safe: the client is Pekko's (distributed data underneath).
 */
public final class ReplicaPlacement
{
    private final ExternalShardAllocationClient client;
    private final Address selfAddress;
    private final int brokerId;

    ReplicaPlacement(final ActorSystem<?> system, final int brokerId)
    {
        this.client = ExternalShardAllocation.get(system).getClient(PartitionReplicaEntity.TYPE_NAME);
        this.selfAddress = Cluster.get(system).selfMember().address();
        this.brokerId = brokerId;
    }

    /** The allocation strategy of the {@value PartitionReplicaEntity#TYPE_NAME} entity type. */
    static ShardCoordinator.StartableAllocationStrategy allocationStrategy(final ActorSystem<?> system, final Duration timeout)
    {
        return new HomeOnlyAllocationStrategy(
            new ExternalShardAllocationStrategy(system, PartitionReplicaEntity.TYPE_NAME, Timeout.create(timeout)),
            Adapter.toClassic(system));
    }

    /** Places every replica of this broker in the image on this node. */
    public CompletionStage<Done> claimAll(final ClusterImage image)
    {
        final Map<String, Address> locations = new HashMap<>();
        image.topics().values().forEach(topic -> locationsOf(topic, locations));
        return locations.isEmpty() ? CompletableFuture.completedFuture(Done.getInstance()) : client.setShardLocations(locations);
    }

    /** Places this broker's replicas of the topic on this node. */
    public CompletionStage<Done> claim(final TopicImage topic)
    {
        final Map<String, Address> locations = new HashMap<>();
        locationsOf(topic, locations);
        return locations.isEmpty() ? CompletableFuture.completedFuture(Done.getInstance()) : client.setShardLocations(locations);
    }

    /**
     * Places one replica's shard on the node at {@code node} (the controller's publisher does this for the replica
     * of each broker before delivering its state, so the replica starts on its broker's node).
     */
    public CompletionStage<Done> place(final String entityId, final Address node)
    {
        return client.setShardLocation(entityId, node);
    }

    private void locationsOf(final TopicImage topic, final Map<String, Address> locations)
    {
        for (final PartitionImage partition : topic.partitions())
        {
            if (partition.replicas().contains(brokerId))
            {
                locations.put(
                    PartitionReplicaEntity.entityId(new TopicPartition(topic.name(), partition.partition()), brokerId),
                    selfAddress);
            }
        }
    }
}
