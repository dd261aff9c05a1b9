package dev.millrace.multinode;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Restart the nodes of a 3-node cluster (quorum journal) one at a time (SIGKILL, a new JVM on the same data
 * directory) while idempotent producers send with acks=all: every acknowledged record is read back exactly once and
 * in order, and the consumer group carries on from its committed offsets ({@link RestartScenario}).
 */
class RollingRestartITCase
{
    @Test
    @Timeout(value = 200, unit = TimeUnit.SECONDS)
    void shouldKeepEveryAcknowledgedRecordAndTheGroupsOffsetsWhenEachNodeRestartsInTurn() throws Exception
    {
        try (LocalCluster cluster = LocalCluster.builder().nodes(3).journal("quorum").start())
        {
            RestartScenario.run(cluster, List.of(FaultStep.restart(0), FaultStep.restart(1), FaultStep.restart(2)),
                Duration.ofSeconds(140));
        }
    }
}
