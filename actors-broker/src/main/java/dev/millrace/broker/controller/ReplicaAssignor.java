package dev.millrace.broker.controller;

import java.util.ArrayList;
import java.util.List;

/**
 * Kafka's rack-unaware replica assignment: the first replica of each partition walks the brokers round-robin
 * from a start index, and the other replicas follow it at a shift that grows by one every time the partitions
 * have gone once around the brokers, so replicas spread evenly and no broker holds two replicas of a partition.
 *
 * <p>Deterministic: the caller chooses the start index (the controller derives it from the topic id) and the
 * result goes into the event, so replay never re-assigns. Stateless and thread-safe.
 */
public final class ReplicaAssignor
{
    private ReplicaAssignor()
    {
    }

    /**
     * @param brokerIds         the brokers to place replicas on, in a stable order (ascending ids).
     * @param partitionCount    how many partitions to assign.
     * @param replicationFactor replicas per partition, {@code 1 <= replicationFactor <= brokerIds.size()}.
     * @param startIndex        index into {@code brokerIds} of the first replica of partition 0, {@code >= 0}.
     * @param firstPartition    index of the first partition to assign (the existing count when adding partitions).
     * @return for each partition from {@code firstPartition}, its replicas, leader first.
     */
    public static List<List<Integer>> assign(
        final List<Integer> brokerIds,
        final int partitionCount,
        final int replicationFactor,
        final int startIndex,
        final int firstPartition)
    {
        final int brokerCount = brokerIds.size();
        if (replicationFactor < 1 || replicationFactor > brokerCount)
        {
            throw new IllegalArgumentException(
                "replication factor " + replicationFactor + " must be in [1, " + brokerCount + "]");
        }
        final List<List<Integer>> assignment = new ArrayList<>(partitionCount);
        final int start = startIndex % brokerCount;
        int replicaShift = start;
        for (int i = 0; i < partitionCount; i++)
        {
            final int partition = firstPartition + i;
            if (partition > 0 && partition % brokerCount == 0)
            {
                replicaShift++;
            }
            final int firstReplicaIndex = (partition + start) % brokerCount;
            final List<Integer> replicas = new ArrayList<>(replicationFactor);
            replicas.add(brokerIds.get(firstReplicaIndex));
            for (int j = 0; j < replicationFactor - 1; j++)
            {
                final int shift = 1 + (replicaShift + j) % (brokerCount - 1);
                replicas.add(brokerIds.get((firstReplicaIndex + shift) % brokerCount));
            }
            assignment.add(List.copyOf(replicas));
        }
        return assignment;
    }
}
