package dev.millrace.broker.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import dev.millrace.broker.node.BrokerNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A classic-protocol consumer group over the listener: subscribe, consume, commit, and resume from the commit. */
class KafkaConsumerGroupTest
{
    private static final int RECORDS = 200;

    @TempDir
    Path dataDir;

    @Test
    @Timeout(60)
    void shouldConsumeAsAGroupCommitAndResumeFromTheCommittedOffset() throws Exception
    {
        try (BrokerNode node = BrokerNode.start(KafkaClientsTest.nodeConfig(dataDir)))
        {
            KafkaClientsTest.createTopic(node, "payments", 1);
            try (KafkaProducer<byte[], byte[]> producer = KafkaClientsTest.producer(node))
            {
                for (int i = 0; i < RECORDS; i++)
                {
                    producer.send(new ProducerRecord<>("payments", KafkaClientsTest.key(i), KafkaClientsTest.value(i)));
                }
                producer.flush();
            }
            final TopicPartition partition = new TopicPartition("payments", 0);
            try (KafkaConsumer<byte[], byte[]> consumer = consumer(node))
            {
                consumer.subscribe(List.of("payments"));
                final List<ConsumerRecord<byte[], byte[]>> received = pollUntil(consumer, RECORDS / 2);
                for (int i = 0; i < received.size(); i++)
                {
                    assertArrayEquals(KafkaClientsTest.value(i), received.get(i).value());
                }
                consumer.commitSync(Map.of(partition, new OffsetAndMetadata(RECORDS / 2, "half")));
                assertEquals(RECORDS / 2,
                    consumer.committed(Set.of(partition)).get(partition).offset());
                assertEquals(Set.of(partition), consumer.assignment());
            }
            try (KafkaConsumer<byte[], byte[]> consumer = consumer(node))
            {
                consumer.subscribe(List.of("payments"));
                final List<ConsumerRecord<byte[], byte[]>> rest = pollUntil(consumer, RECORDS / 2);
                assertEquals(RECORDS / 2, rest.get(0).offset());
                assertArrayEquals(KafkaClientsTest.value(RECORDS - 1), rest.get(RECORDS / 2 - 1).value());
                try (Admin admin = KafkaClientsTest.admin(node))
                {
                    assertTrue(admin.listGroups().all().get(20, TimeUnit.SECONDS).stream()
                        .anyMatch(group -> group.groupId().equals("billing")));
                    final ConsumerGroupDescription billing = admin.describeConsumerGroups(List.of("billing"))
                        .describedGroups().get("billing").get(20, TimeUnit.SECONDS);
                    assertEquals(GroupState.STABLE, billing.groupState());
                    assertEquals(1, billing.members().size());
                }
            }
            try (Admin admin = KafkaClientsTest.admin(node))
            {
                // The consumer left on close: the group is empty and can lose its offsets, then itself.
                admin.deleteConsumerGroupOffsets("billing", Set.of(partition)).all().get(20, TimeUnit.SECONDS);
                admin.deleteConsumerGroups(List.of("billing")).all().get(20, TimeUnit.SECONDS);
                assertTrue(admin.listGroups().all().get(20, TimeUnit.SECONDS).stream()
                    .noneMatch(group -> group.groupId().equals("billing")));
            }
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(final BrokerNode node)
    {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaClientsTest.bootstrap(node));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "billing");
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 10);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Polls until exactly {@code count} records arrived (max.poll.records divides it) or 30 s passed. */
    private static List<ConsumerRecord<byte[], byte[]>> pollUntil(final KafkaConsumer<byte[], byte[]> consumer, final int count)
    {
        final List<ConsumerRecord<byte[], byte[]>> received = new ArrayList<>();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (received.size() < count && System.nanoTime() < deadlineNs)
        {
            consumer.poll(Duration.ofMillis(200)).forEach(received::add);
        }
        assertEquals(count, received.size());
        return received;
    }
}
