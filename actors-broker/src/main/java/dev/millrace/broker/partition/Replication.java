package dev.millrace.broker.partition;

import java.util.List;
import java.util.Objects;

import dev.millrace.broker.partition.PartitionProtocol.LeaderAndIsr;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;

/**
 * What a {@link PartitionReplica} needs to take part in replication: who it is, the controller's decision it starts
 * from, the topic's {@code min.insync.replicas}, how it reaches the other replicas and how it asks the controller to
 * change the ISR.
 *
 * @param brokerId          the broker id of this replica
 * @param initial           the partition's state when the replica starts (from the controller's topic image)
 * @param minInsyncReplicas the topic's {@code min.insync.replicas}, >= 1
 * @param peers             sends to the other replicas (the leader, for a follower)
 * @param isrChanger        asks the controller for ISR changes (a leader)
 * @param settings          the replication knobs
 */
public record Replication(
    int brokerId, LeaderAndIsr initial, int minInsyncReplicas, ReplicaPeers peers, IsrChanger isrChanger,
    ReplicationSettings settings)
{
    public Replication
    {
        Objects.requireNonNull(initial, "initial");
        Objects.requireNonNull(peers, "peers");
        Objects.requireNonNull(isrChanger, "isrChanger");
        Objects.requireNonNull(settings, "settings");
        if (minInsyncReplicas < 1)
        {
            throw new IllegalArgumentException("min.insync.replicas must be >= 1 but was " + minInsyncReplicas);
        }
    }

    /**
     * A partition with one replica, this one, leading at {@code leaderEpoch}: the high watermark is the log end
     * offset, nothing is fetched and the ISR never changes (so peers and ISR changer are never used).
     */
    public static Replication single(
        final TopicPartition topicPartition, final int brokerId, final int leaderEpoch, final ReplicationSettings settings)
    {
        final List<Integer> self = List.of(brokerId);
        return new Replication(
            brokerId, new LeaderAndIsr(topicPartition, brokerId, leaderEpoch, 0, self, self), 1,
            (tp, broker, command) ->
            {
                throw new IllegalStateException("a single-replica partition has no peers, yet " + command + " was sent to " +
                    broker);
            },
            (tp, leader, epoch, partitionEpoch, isr) ->
            {
                throw new IllegalStateException("a single-replica partition never changes its ISR");
            },
            settings);
    }
}
