package dev.millrace.broker.node;

import dev.millrace.broker.partition.PartitionProtocol.Command;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import dev.millrace.broker.partition.ReplicaPeers;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The node's {@link ReplicaPeers}: the replica of a partition on broker {@code b} is the sharded entity
 * {@code <topic>-<partition>-<b>} ({@link PartitionReplicaEntity}), which forwards the command to its replica; sharding
 * routes to wherever the entity lives (external shard allocation keeps it on broker {@code b}) and starts it if needed.
 *
 * <p>Threading: stateless apart from the sharding extension; safe from any thread.
 */
final class ShardedReplicaPeers implements ReplicaPeers
{
    private final ClusterSharding sharding;

    ShardedReplicaPeers(final ClusterSharding sharding)
    {
        this.sharding = sharding;
    }

    @Override
    public void send(final TopicPartition topicPartition, final int brokerId, final Command command)
    {
        sharding.entityRefFor(PartitionReplicaEntity.ENTITY_TYPE_KEY, PartitionReplicaEntity.entityId(topicPartition, brokerId))
            .tell(command);
    }
}
