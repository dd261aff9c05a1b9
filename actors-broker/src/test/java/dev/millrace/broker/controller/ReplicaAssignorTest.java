package dev.millrace.broker.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.HashSet;
import java.util.List;
import java.util.stream.IntStream;

import org.junit.jupiter.api.Test;

class ReplicaAssignorTest
{
    private static final List<Integer> FIVE_BROKERS = List.of(0, 1, 2, 3, 4);

    @Test
    void shouldMatchKafkasDocumentedAssignmentForFiveBrokersTenPartitionsThreeReplicas()
    {
        final List<List<Integer>> assignment = ReplicaAssignor.assign(FIVE_BROKERS, 10, 3, 0, 0);

        // The example in Kafka's AdminUtils javadoc (start index 0, shift 0).
        assertEquals(List.of(0, 1, 2), assignment.get(0));
        assertEquals(List.of(4, 0, 1), assignment.get(4));
        assertEquals(List.of(0, 2, 3), assignment.get(5));
        assertEquals(List.of(4, 1, 2), assignment.get(9));
    }

    @Test
    void shouldNeverPlaceTwoReplicasOfAPartitionOnOneBroker()
    {
        for (int brokers = 1; brokers <= 6; brokers++)
        {
            final List<Integer> ids = IntStream.range(0, brokers).map(i -> 10 + i).boxed().toList();
            for (int replicationFactor = 1; replicationFactor <= ids.size(); replicationFactor++)
            {
                for (int start = 0; start < ids.size(); start++)
                {
                    for (final List<Integer> replicas : ReplicaAssignor.assign(ids, 20, replicationFactor, start, 0))
                    {
                        assertEquals(replicationFactor, new HashSet<>(replicas).size(), replicas::toString);
                    }
                }
            }
        }
    }

    @Test
    void shouldContinueFromTheGivenPartitionWhenAddingPartitions()
    {
        final List<List<Integer>> all = ReplicaAssignor.assign(FIVE_BROKERS, 4, 2, 1, 0);
        final List<List<Integer>> added = ReplicaAssignor.assign(FIVE_BROKERS, 2, 2, 1, 4);

        assertEquals(List.of(0, 1), List.of(added.get(0).get(0), added.get(1).get(0)));
        assertEquals(List.of(2, 3, 4, 0), List.of(all.get(1).get(0), all.get(2).get(0), all.get(3).get(0), added.get(0).get(0)));
    }

    @Test
    void shouldRefuseAReplicationFactorAboveTheBrokerCount()
    {
        assertThrows(IllegalArgumentException.class, () -> ReplicaAssignor.assign(List.of(0, 1), 1, 3, 0, 0));
    }
}
