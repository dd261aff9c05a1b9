package dev.millrace.broker.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import dev.millrace.broker.node.BrokerNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A group's committed offsets survive a node restart: the node is closed and a new one starts on the same data
 * directory; the offsets (with their metadata) are still there and a consumer of the group resumes from them.
 */
class KafkaOffsetsRestartITCase
{
    private static final int PER_PARTITION = 25;
    private static final long WAIT_S = 20;

    @TempDir
    Path dataDir;

    @Test
    @Timeout(60)
    void shouldResumeFromOffsetsCommittedBeforeTheRestart() throws Exception
    {
        final TopicPartition p0 = new TopicPartition("restart", 0);
        final TopicPartition p1 = new TopicPartition("restart", 1);
        final Map<TopicPartition, OffsetAndMetadata> commits = Map.of(
            p0, new OffsetAndMetadata(10, "before-restart"), p1, new OffsetAndMetadata(15, "before-restart"));
        try (BrokerNode node = BrokerNode.start(KafkaAdminITCase.itConfig(dataDir)))
        {
            try (Admin admin = KafkaClientsTest.admin(node))
            {
                admin.createTopics(List.of(new NewTopic("restart", 2, (short)1))).all().get(WAIT_S, TimeUnit.SECONDS);
            }
            try (KafkaProducer<byte[], byte[]> producer = KafkaClientsTest.producer(node))
            {
                for (int i = 0; i < PER_PARTITION; i++)
                {
                    producer.send(new ProducerRecord<>("restart", 0, null, KafkaClientsTest.value(i)));
                    producer.send(new ProducerRecord<>("restart", 1, null, KafkaClientsTest.value(i)));
                }
                producer.flush();
            }
            try (KafkaConsumer<byte[], byte[]> consumer = consumer(node))
            {
                consumer.subscribe(List.of("restart"));
                final Map<TopicPartition, Long> first = firstOffsets(consumer);
                assertEquals(Map.of(p0, 0L, p1, 0L), first);
                consumer.commitSync(commits);
            }
        }

        try (BrokerNode node = BrokerNode.start(KafkaAdminITCase.itConfig(dataDir)))
        {
            try (Admin admin = KafkaClientsTest.admin(node))
            {
                assertEquals(commits, admin.listConsumerGroupOffsets("restart-group").partitionsToOffsetAndMetadata()
                    .get(WAIT_S, TimeUnit.SECONDS));
            }
            try (KafkaConsumer<byte[], byte[]> consumer = consumer(node))
            {
                consumer.subscribe(List.of("restart"));
                assertEquals(Map.of(p0, 10L, p1, 15L), firstOffsets(consumer));
            }
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(final BrokerNode node)
    {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaClientsTest.bootstrap(node));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "restart-group");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Polls until both partitions delivered a record (bounded); the first offset seen of each. */
    private static Map<TopicPartition, Long> firstOffsets(final KafkaConsumer<byte[], byte[]> consumer)
    {
        final Map<TopicPartition, Long> first = new HashMap<>();
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (first.size() < 2 && System.nanoTime() < deadlineNs)
        {
            for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100)))
            {
                first.putIfAbsent(new TopicPartition(record.topic(), record.partition()), record.offset());
            }
        }
        assertTrue(first.size() == 2, "records of both partitions, got " + first);
        return first;
    }
}
