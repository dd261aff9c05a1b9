package dev.millrace.broker.controller;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Kafka's rack-unaware replica assignment: the first replica of each partition walks the brokers round-robin
 * from a start index, and the other replicas follow it at a shift that grows by one every time the partitions
 * have gone once around the brokers, so replicas spread evenly and no broker holds two replicas of a partition.
 *
 * <p>{@link #assignRackAware} is Kafka's rack-aware variant: the brokers are ordered so that racks alternate, and a
 * partition's later replicas skip brokers in racks that already hold one of its replicas until every rack does, so
 * a partition with as many replicas as there are racks has one replica per rack.
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

    /**
     * Rack-aware assignment (Kafka's {@code assignReplicasToBrokersRackAware}).
     *
     * @param brokerRacks the rack of every broker to place replicas on.
     * @param startIndex  index into the rack-alternated broker list of the first replica of partition 0.
     * @return for each partition from {@code firstPartition}, its replicas, leader first.
     */
    public static List<List<Integer>> assignRackAware(
        final Map<Integer, String> brokerRacks,
        final int partitionCount,
        final int replicationFactor,
        final int startIndex,
        final int firstPartition)
    {
        final int brokerCount = brokerRacks.size();
        if (replicationFactor < 1 || replicationFactor > brokerCount)
        {
            throw new IllegalArgumentException(
                "replication factor " + replicationFactor + " must be in [1, " + brokerCount + "]");
        }
        final List<Integer> brokers = rackAlternated(brokerRacks);
        final int rackCount = new HashSet<>(brokerRacks.values()).size();
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
            final int leader = brokers.get(firstReplicaIndex);
            final List<Integer> replicas = new ArrayList<>(replicationFactor);
            replicas.add(leader);
            final Set<String> racksWithReplicas = new HashSet<>();
            racksWithReplicas.add(brokerRacks.get(leader));
            int k = 0;
            while (replicas.size() < replicationFactor)
            {
                final int shift = brokerCount == 1 ? 0 : 1 + (replicaShift * rackCount + k) % (brokerCount - 1);
                final int broker = brokers.get((firstReplicaIndex + shift) % brokerCount);
                final String rack = brokerRacks.get(broker);
                k++;
                if ((!racksWithReplicas.contains(rack) || racksWithReplicas.size() == rackCount) &&
                    !replicas.contains(broker))
                {
                    replicas.add(broker);
                    racksWithReplicas.add(rack);
                }
            }
            assignment.add(List.copyOf(replicas));
        }
        return assignment;
    }

    /** Brokers ordered so that racks alternate: the first of each rack (racks sorted), then the second of each... */
    static List<Integer> rackAlternated(final Map<Integer, String> brokerRacks)
    {
        final TreeMap<String, List<Integer>> byRack = new TreeMap<>();
        new TreeMap<>(brokerRacks).forEach((broker, rack) -> byRack.computeIfAbsent(rack, r -> new ArrayList<>()).add(broker));
        final List<Integer> result = new ArrayList<>(brokerRacks.size());
        for (int round = 0; result.size() < brokerRacks.size(); round++)
        {
            for (final List<Integer> rackBrokers : byRack.values())
            {
                if (round < rackBrokers.size())
                {
                    result.add(rackBrokers.get(round));
                }
            }
        }
        return result;
    }
}
