package dev.millrace.multinode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.millrace.multinode.verify.ConsumedRecord;
import dev.millrace.multinode.verify.ConsumerResult;
import dev.millrace.multinode.verify.DeliveryCheck;
import dev.millrace.multinode.verify.DeliveryReport;
import dev.millrace.multinode.verify.SendResult;
import dev.millrace.multinode.verify.VerifiableConsumer;
import dev.millrace.multinode.verify.VerifiableProducer;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The verifiable clients' default paths on one node (whose Metadata lists every broker, itself): a producer on every
 * partition of the topic, consumer group members ({@code subscribe}) in two sessions, the second carrying on from the
 * first's committed offsets; the check passes, and fails once a record is taken out of what was read.
 */
class VerifiableClientsITCase
{
    private static final String TOPIC = "clients";

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldSendToEveryPartitionAndReadBackAsAGroupThatCarriesOn() throws Exception
    {
        try (LocalCluster cluster = LocalCluster.builder().nodes(1).journal("embedded").start())
        {
            final NodeProcess node = cluster.node(0);
            FaultTests.createTopic(cluster, TOPIC, 3);
            final List<SendResult> sent = VerifiableProducer.builder(node.bootstrapServers(), TOPIC, "p")
                .maxRecords(900).recordsPerSecond(0).maxDuration(Duration.ofSeconds(30)).build().call();
            assertEquals(900, sent.size());
            assertTrue(sent.stream().allMatch(s -> s instanceof SendResult.Acked), "every send acknowledged");
            assertEquals(3, sent.stream().map(s -> ((SendResult.Acked)s).partition()).distinct().count(),
                "records spread over every partition");

            final ConsumerResult first = VerifiableConsumer.builder(node.bootstrapServers(), TOPIC, "g", "first")
                .maxRecords(300).maxDuration(Duration.ofSeconds(30)).build().call();
            final ConsumerResult second = VerifiableConsumer.builder(node.bootstrapServers(), TOPIC, "g", "second")
                .readToEnd().maxDuration(Duration.ofSeconds(30)).build().call();
            System.out.println(first);
            System.out.println(second);
            assertFalse(first.committed().isEmpty(), "the first session committed: " + first);
            for (final TopicPartition partition : first.committed().keySet())
            {
                assertEquals(first.committed().get(partition), second.startPositions().get(partition),
                    "the second session starts where the first committed " + partition);
            }
            assertTrue(second.reachedEnd(), second.toString());

            final List<ConsumedRecord> reads = new ArrayList<>(first.records());
            reads.addAll(second.records());
            final DeliveryReport report = DeliveryCheck.strict().check(sent, reads);
            assertTrue(report.passed(), report.toString());
            assertEquals(900, report.distinctOffsetsRead());

            reads.remove(reads.size() - 1);
            final DeliveryReport missing = DeliveryCheck.strict().check(sent, reads);
            assertEquals(1, missing.count(dev.millrace.multinode.verify.DeliveryReport.Rule.LOST), missing.toString());
        }
    }
}
