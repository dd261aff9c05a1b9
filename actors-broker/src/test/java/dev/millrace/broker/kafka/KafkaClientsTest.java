package dev.millrace.broker.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.millrace.broker.node.BrokerNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The real kafka-clients producer, consumer and admin against a node with the Kafka listener on a free port. */
class KafkaClientsTest
{
    private static final int RECORDS = 1_000;

    @TempDir
    Path dataDir;

    static Config nodeConfig(final Path dataDir)
    {
        return ConfigFactory.parseMap(Map.of(
                "millrace.broker.node.data-dir", dataDir.toString(),
                "millrace.broker.node.port", 0,
                "millrace.broker.node.start-timeout", "30s",
                "millrace.broker.kafka.enabled", "on",
                "millrace.broker.kafka.port", 0,
                "millrace.broker.kafka.socket.request.max.bytes", 1 << 20))
            .withFallback(ConfigFactory.load());
    }

    static String bootstrap(final BrokerNode node)
    {
        return "127.0.0.1:" + node.kafkaPort();
    }

    static KafkaProducer<byte[], byte[]> producer(final BrokerNode node)
    {
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(node));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        props.put(ProducerConfig.LINGER_MS_CONFIG, 5);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        return new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer());
    }

    static Admin admin(final BrokerNode node)
    {
        final Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(node));
        return Admin.create(props);
    }

    static void createTopic(final BrokerNode node, final String name, final int partitions) throws Exception
    {
        try (Admin admin = admin(node))
        {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short)1))).all().get(20, TimeUnit.SECONDS);
            final ExecutionException again = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
                () -> admin.createTopics(List.of(new NewTopic(name, partitions, (short)1))).all().get(20, TimeUnit.SECONDS));
            assertInstanceOf(TopicExistsException.class, again.getCause());
            assertEquals(Set.of(name), admin.listTopics().names().get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    @Timeout(60)
    void shouldProduceWithAcksAllAndLz4AndConsumeTheSameRecordsInOrder() throws Exception
    {
        try (BrokerNode node = BrokerNode.start(nodeConfig(dataDir)))
        {
            createTopic(node, "orders", 1);
            final List<Future<RecordMetadata>> sent = new ArrayList<>();
            try (KafkaProducer<byte[], byte[]> producer = producer(node))
            {
                for (int i = 0; i < RECORDS; i++)
                {
                    sent.add(producer.send(new ProducerRecord<>("orders", key(i), value(i))));
                }
                producer.flush();
                for (int i = 0; i < RECORDS; i++)
                {
                    assertEquals(i, sent.get(i).get(20, TimeUnit.SECONDS).offset());
                }
            }

            final Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(node));
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
            try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer()))
            {
                final TopicPartition partition = new TopicPartition("orders", 0);
                consumer.assign(List.of(partition));
                consumer.seekToBeginning(List.of(partition));
                final List<ConsumerRecord<byte[], byte[]>> received = new ArrayList<>();
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (received.size() < RECORDS && System.nanoTime() < deadlineNs)
                {
                    consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                }
                assertEquals(RECORDS, received.size());
                for (int i = 0; i < RECORDS; i++)
                {
                    final ConsumerRecord<byte[], byte[]> record = received.get(i);
                    assertEquals(i, record.offset());
                    assertArrayEquals(key(i), record.key());
                    assertArrayEquals(value(i), record.value());
                }
                assertEquals(Map.of(partition, (long)RECORDS), consumer.endOffsets(List.of(partition)));
                assertEquals(Map.of(partition, 0L), consumer.beginningOffsets(List.of(partition)));
                assertTrue(consumer.listTopics().containsKey("orders"));
            }

            try (Admin admin = admin(node))
            {
                assertEquals(1, admin.describeCluster().nodes().get(20, TimeUnit.SECONDS).size());
                assertEquals(RECORDS / 2, admin.deleteRecords(Map.of(new TopicPartition("orders", 0),
                        RecordsToDelete.beforeOffset(RECORDS / 2)))
                    .all().thenApply(done -> RECORDS / 2).get(20, TimeUnit.SECONDS));
                assertEquals(RECORDS / 2, admin.listOffsets(Map.of(new TopicPartition("orders", 0), OffsetSpec.earliest()))
                    .all().get(20, TimeUnit.SECONDS).get(new TopicPartition("orders", 0)).offset());
                final ConfigResource orders = new ConfigResource(ConfigResource.Type.TOPIC, "orders");
                admin.incrementalAlterConfigs(Map.of(orders, List.of(new AlterConfigOp(
                        new ConfigEntry("retention.ms", "3600000"), AlterConfigOp.OpType.SET))))
                    .all().get(20, TimeUnit.SECONDS);
                assertEquals("3600000", admin.describeConfigs(List.of(orders)).all().get(20, TimeUnit.SECONDS)
                    .get(orders).get("retention.ms").value());
                admin.deleteTopics(List.of("orders")).all().get(20, TimeUnit.SECONDS);
                assertEquals(Set.of(), admin.listTopics().names().get(20, TimeUnit.SECONDS));
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldAppendFireAndForgetRecordsSentWithAcksZero() throws Exception
    {
        try (BrokerNode node = BrokerNode.start(nodeConfig(dataDir)))
        {
            createTopic(node, "metrics", 1);
            final Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(node));
            props.put(ProducerConfig.ACKS_CONFIG, "0");
            props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, false);
            props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
            try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer()))
            {
                for (int i = 0; i < 100; i++)
                {
                    producer.send(new ProducerRecord<>("metrics", key(i), value(i)));
                }
                producer.flush();
            }
            final TopicPartition partition = new TopicPartition("metrics", 0);
            try (Admin admin = admin(node))
            {
                // No acknowledgements: wait until the log end shows every record.
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                long end = 0;
                while (end < 100 && System.nanoTime() < deadlineNs)
                {
                    end = admin.listOffsets(Map.of(partition, OffsetSpec.latest())).all().get(20, TimeUnit.SECONDS)
                        .get(partition).offset();
                }
                assertEquals(100, end);
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldFindOffsetsForTimesWithTheFoundRecordsOwnTimestamp() throws Exception
    {
        try (BrokerNode node = BrokerNode.start(nodeConfig(dataDir)))
        {
            createTopic(node, "ticks", 1);
            final long t0 = 1_700_000_000_000L;
            try (KafkaProducer<byte[], byte[]> producer = producer(node))
            {
                // Timestamps t0, t0 + 10, ... t0 + 90, sent together: most likely one lz4 batch, walked record by record.
                final List<Future<RecordMetadata>> sent = new ArrayList<>();
                for (int i = 0; i < 10; i++)
                {
                    sent.add(producer.send(new ProducerRecord<>("ticks", 0, t0 + 10L * i, key(i), value(i))));
                }
                for (final Future<RecordMetadata> ack : sent)
                {
                    ack.get(20, TimeUnit.SECONDS);
                }
            }
            final TopicPartition partition = new TopicPartition("ticks", 0);
            final Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(node));
            try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer()))
            {
                // Between two records: the next one, with its own timestamp (Kafka's consumer refuses a negative one).
                final OffsetAndTimestamp between = consumer.offsetsForTimes(Map.of(partition, t0 + 35), Duration.ofSeconds(20))
                    .get(partition);
                assertEquals(4, between.offset());
                assertEquals(t0 + 40, between.timestamp());
                final OffsetAndTimestamp exact = consumer.offsetsForTimes(Map.of(partition, t0), Duration.ofSeconds(20))
                    .get(partition);
                assertEquals(0, exact.offset());
                assertEquals(t0, exact.timestamp());
                assertNull(consumer.offsetsForTimes(Map.of(partition, t0 + 1_000), Duration.ofSeconds(20)).get(partition));
            }
        }
    }

    static byte[] key(final int i)
    {
        return ("key-" + i).getBytes(StandardCharsets.UTF_8);
    }

    static byte[] value(final int i)
    {
        return ("value-" + i + "-" + "x".repeat(i % 97)).getBytes(StandardCharsets.UTF_8);
    }
}
