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
 * Network cuts between chosen nodes (Artery's test-transport blackhole, {@link LocalCluster#cut}), while producers
 * send to the two nodes that host the test topic: a cut between those two, healed within a second (before failure
 * detection), downs nobody; then the third node is cut off from both, so the split-brain resolver (keep-majority)
 * downs it on the majority's side and it downs itself: it ends, and producing through the majority goes on. Every
 * acknowledged record is read back exactly once and in order.
 */
class NetworkCutITCase
{
    private static final String TOPIC = "cut";
    private static final Duration PROGRESS = Duration.ofSeconds(30);

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void shouldDownOnlyANodeCutOffFromTheMajorityAndKeepProducingThroughTheOthers() throws Exception
    {
        try (LocalCluster cluster = LocalCluster.builder().nodes(3).journal("quorum").networkFaults().start())
        {
            final Map<Integer, List<Integer>> byLeader = FaultTests.createTopic(cluster, TOPIC, 2);
            assertEquals(2, byLeader.size(), "2 partitions on 2 of the 3 brokers: " + byLeader);
            final List<Integer> hosts = new ArrayList<>(byLeader.keySet());
            final int outsider = cluster.nodes().stream().map(NodeProcess::index)
                .filter(index -> !byLeader.containsKey(index)).findFirst().orElseThrow();
            final List<SendResult> sent = new ArrayList<>(FaultTests.warmUp(cluster, TOPIC, byLeader));

            final List<VerifiableProducer> producers = new ArrayList<>();
            final Scenario.Builder scenario = Scenario.builder(cluster).timeout(Duration.ofSeconds(100));
            byLeader.forEach((node, partitions) ->
            {
                final VerifiableProducer producer = FaultTests.producer(cluster.node(node), TOPIC, partitions, 100);
                producers.add(producer);
                scenario.workload(producer);
            });
            producers.forEach(p -> scenario.steps(FaultTests.progress(p, 50, PROGRESS)));
            scenario.step(FaultStep.cut(hosts.get(0), hosts.get(1)))
                .step(FaultStep.waitFor(Duration.ofSeconds(1)))
                .step(FaultStep.heal(hosts.get(0), hosts.get(1)))
                .step(FaultStep.waitFor(Duration.ofSeconds(8)))
                .step(FaultStep.await("every node still runs 8 s after a healed 1 s cut", Duration.ofSeconds(1),
                    () -> cluster.aliveNodes().size() == 3))
                .step(FaultStep.cut(outsider, hosts.get(0)))
                .step(FaultStep.cut(outsider, hosts.get(1)))
                .step(FaultStep.await("node " + outsider + ", cut off from the majority, downed itself and ended",
                    Duration.ofSeconds(40), () -> !cluster.node(outsider).isAlive()));
            producers.forEach(p -> scenario.steps(FaultTests.progress(p, 100, PROGRESS)));
            producers.forEach(p -> scenario.step(FaultStep.finish(p)));
            final ScenarioResult played = scenario.run();
            if (played.failure().isPresent())
            {
                cluster.nodes().forEach(node -> System.out.println("node " + node.index() + " stderr:" +
                    System.lineSeparator() + node.stderrTail(30)));
            }
            played.throwIfFailed();
            producers.forEach(p -> sent.addAll(played.outcome(p)));
            assertEquals(2, cluster.aliveNodes().size(), "the majority still runs: " + cluster.aliveNodes());

            final List<ConsumerResult> sessions = new ArrayList<>();
            for (final Map.Entry<Integer, List<Integer>> entry : byLeader.entrySet())
            {
                final ConsumerResult read = FaultTests.consumer(cluster.node(entry.getKey()), TOPIC, "checker",
                    entry.getValue(), "read").readToEnd().build().call();
                assertTrue(read.reachedEnd(), "read to the end offsets: " + read);
                sessions.add(read);
            }
            final DeliveryReport report = DeliveryCheck.strict().check(sent, FaultTests.reads(sessions));
            System.out.println(report);
            assertTrue(report.passed(), report.toString());
        }
    }
}
