package dev.millrace.multinode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.millrace.multinode.verify.ConsumerResult;
import dev.millrace.multinode.verify.DeliveryCheck;
import dev.millrace.multinode.verify.DeliveryReport;
import dev.millrace.multinode.verify.SendResult;
import dev.millrace.multinode.verify.VerifiableProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Freeze (SIGSTOP) the node of a 3-node cluster that hosts no partition of the test topic for longer than the
 * cluster's failure detection (the harness's 2 s acceptable heartbeat pause plus 3 s split-brain-resolver
 * stable-after), then continue it (SIGCONT): producing to the partitions on the other two nodes keeps working while
 * it is frozen, after it was downed and after it is back, and every acknowledged record is read back exactly once and
 * in order. The frozen node, downed by the others meanwhile, learns it on waking and ends itself.
 */
class PauseIdleNodeITCase
{
    private static final String TOPIC = "paused";
    private static final Duration PROGRESS = Duration.ofSeconds(30);

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void shouldKeepProducingToTheOtherNodesWhileAnIdleNodeIsFrozenPastFailureDetection() throws Exception
    {
        try (LocalCluster cluster = LocalCluster.builder().nodes(3).journal("quorum").start())
        {
            final Map<Integer, List<Integer>> byLeader = FaultTests.createTopic(cluster, TOPIC, 2);
            assertEquals(2, byLeader.size(), "2 partitions on 2 of the 3 brokers: " + byLeader);
            final int idle = cluster.nodes().stream().map(NodeProcess::index)
                .filter(index -> !byLeader.containsKey(index)).findFirst().orElseThrow();
            final NodeProcess frozen = cluster.node(idle);
            final List<SendResult> sent = new ArrayList<>(FaultTests.warmUp(cluster, TOPIC, byLeader));

            final List<VerifiableProducer> producers = new ArrayList<>();
            final Scenario.Builder scenario = Scenario.builder(cluster).timeout(Duration.ofSeconds(100));
            byLeader.forEach((node, partitions) ->
            {
                final VerifiableProducer producer = FaultTests.producer(cluster.node(node), TOPIC, partitions, 100);
                producers.add(producer);
                scenario.workload(producer);
            });
            producers.forEach(p -> scenario.steps(FaultTests.progress(p, 100, PROGRESS)));
            scenario.step(FaultStep.pause(idle))
                .step(FaultStep.waitFor(Duration.ofSeconds(8)));
            producers.forEach(p -> scenario.steps(FaultTests.progress(p, 100, PROGRESS)));
            scenario.step(FaultStep.resume(idle))
                .step(FaultStep.await("node " + idle + ", downed while frozen, ended itself", Duration.ofSeconds(30),
                    () -> !frozen.isAlive()));
            producers.forEach(p -> scenario.steps(FaultTests.progress(p, 100, PROGRESS)));
            producers.forEach(p -> scenario.step(FaultStep.finish(p)));
            final ScenarioResult played = scenario.run();
            producers.forEach(p -> System.out.println(p.name() + ": acked " + p.acked() + ", failed " + p.failed() +
                ", errors " + p.errors()));
            if (played.failure().isPresent())
            {
                cluster.nodes().forEach(node -> System.out.println("node " + node.index() + " stderr:" +
                    System.lineSeparator() + node.stderrTail(30)));
            }
            played.throwIfFailed();
            producers.forEach(p -> sent.addAll(played.outcome(p)));

            final List<ConsumerResult> sessions = new ArrayList<>();
            for (final Map.Entry<Integer, List<Integer>> entry : byLeader.entrySet())
            {
                final ConsumerResult read = FaultTests.consumer(cluster.node(entry.getKey()), TOPIC, "checker",
                    entry.getValue(), "read").readToEnd().build().call();
                System.out.println(read);
                assertTrue(read.reachedEnd(), "read to the end offsets: " + read);
                sessions.add(read);
            }
            final DeliveryReport report = DeliveryCheck.strict().check(sent, FaultTests.reads(sessions));
            System.out.println(report);
            assertTrue(report.passed(), report.toString());
            assertTrue(report.acked() >= 2 * 300, "acknowledged records: " + report.acked());
        }
    }
}
