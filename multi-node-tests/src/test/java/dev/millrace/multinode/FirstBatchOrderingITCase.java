package dev.millrace.multinode;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.millrace.multinode.verify.ConsumerResult;
import dev.millrace.multinode.verify.DeliveryCheck;
import dev.millrace.multinode.verify.DeliveryReport;
import dev.millrace.multinode.verify.SendResult;
import dev.millrace.multinode.verify.VerifiableConsumer;
import dev.millrace.multinode.verify.VerifiableProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * An idempotent producer's first records in a partition keep their order even when the node it sends through has
 * not seen the topic yet: a topic is created through node 0, and a producer at once sends as fast as 5 requests in
 * flight allow through another node that leads some of its partitions, while a consumer reads there; every record
 * is then read back. The race it guards against (fixed: the broker now queues partition requests behind a metadata
 * refresh, in arrival order) did not happen on every run: a later batch routed before an earlier one that waited
 * for the controller's image was appended first.
 */
class FirstBatchOrderingITCase
{
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldKeepAProducersFirstBatchesInOrderThroughANodeThatHasNotSeenTheTopic() throws Exception
    {
        try (LocalCluster cluster = LocalCluster.builder().nodes(3).journal("embedded").start())
        {
            final Map<Integer, List<Integer>> byLeader = FaultTests.createTopic(cluster, "fresh", 6);
            final int through = byLeader.keySet().stream().filter(id -> id != 0).findFirst().orElseThrow();
            final NodeProcess node = cluster.node(through);
            final VerifiableProducer producer = VerifiableProducer.builder(node.bootstrapServers(), "fresh", "fresh")
                .partitions(byLeader.get(through)).recordsPerSecond(0).maxRecords(4_000).maxDuration(Duration.ofSeconds(20))
                .build();
            // A consumer on the same node at the same time: its requests refresh the node's metadata too, which lets
            // a later Produce overtake an earlier one still waiting for its own refresh.
            final VerifiableConsumer reader = FaultTests.consumer(node, "fresh", "during", byLeader.get(through), "during")
                .build();
            final ScenarioResult played = Scenario.builder(cluster).workload(reader).workload(producer)
                .step(FaultStep.await("the producer sent 4000 records", Duration.ofSeconds(40),
                    () -> producer.acked() + producer.failed() >= 4_000))
                .step(FaultStep.finish(producer))
                .run().throwIfFailed();
            final List<SendResult> sent = played.outcome(producer);
            final ConsumerResult read = FaultTests.consumer(node, "fresh", "g", byLeader.get(through), "read")
                .readToEnd().build().call();
            final DeliveryReport report = DeliveryCheck.strict().check(sent, read.records());
            System.out.println(report);
            assertTrue(report.passed(), report.toString());
        }
    }
}
