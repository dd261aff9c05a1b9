package dev.millrace.multinode;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Kill every node of a 3-node cluster (quorum journal) at once and start them all again on their data directories
 * while idempotent producers send with acks=all: every acknowledged record is read back exactly once and in order,
 * and the consumer group carries on from its committed offsets ({@link RestartScenario}).
 */
class FullRestartITCase
{
    @Test
    @Timeout(value = 200, unit = TimeUnit.SECONDS)
    void shouldKeepEveryAcknowledgedRecordAndTheGroupsOffsetsWhenAllNodesRestartAtOnce() throws Exception
    {
        try (LocalCluster cluster = LocalCluster.builder().nodes(3).journal("quorum").start())
        {
            RestartScenario.run(cluster, List.of(FaultStep.restartAll()), Duration.ofSeconds(140));
        }
    }
}
