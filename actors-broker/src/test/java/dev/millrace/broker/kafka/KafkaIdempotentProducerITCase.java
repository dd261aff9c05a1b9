package dev.millrace.broker.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
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
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The idempotent producer with acks=all, once per compression type: every record is read back exactly once and, per
 * partition, in the order it was sent. Keys spread the records over the partitions with kafka-clients' own
 * partitioner; each value carries a per-key sequence number, so order and duplicates are checked per key (one key
 * always lands in one partition).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class KafkaIdempotentProducerITCase
{
    private static final int PARTITIONS = 3;
    private static final int KEYS = 12;
    private static final int RECORDS = 3_000;

    @TempDir
    static Path dataDir;

    private BrokerNode node;

    @BeforeAll
    void startNode()
    {
        node = BrokerNode.start(KafkaClientsTest.nodeConfig(dataDir));
    }

    @AfterAll
    void stopNode()
    {
        if (node != null)
        {
            node.close();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"none", "gzip", "snappy", "lz4", "zstd"})
    void shouldReadBackEveryRecordExactlyOnceAndInOrder(final String compression) throws Exception
    {
        final String topic = "idem-" + compression;
        try (Admin admin = KafkaClientsTest.admin(node))
        {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short)1))).all().get(20, TimeUnit.SECONDS);
        }
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaClientsTest.bootstrap(node));
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 5);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 2);
        props.put(ProducerConfig.BATCH_SIZE_CONFIG, 4_096);
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 20_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 10_000);
        final Map<Integer, Long> offsetsByPartition = new HashMap<>();
        try (KafkaProducer<byte[], byte[]> producer =
                 new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer()))
        {
            final List<java.util.concurrent.Future<org.apache.kafka.clients.producer.RecordMetadata>> sent = new ArrayList<>();
            for (int i = 0; i < RECORDS; i++)
            {
                sent.add(producer.send(new ProducerRecord<>(topic, key(i % KEYS), value(i / KEYS, i))));
            }
            producer.flush();
            for (final var future : sent)
            {
                final var metadata = future.get(20, TimeUnit.SECONDS);
                // Offsets acknowledged per partition are distinct and dense: no record was appended twice.
                offsetsByPartition.merge(metadata.partition(), 1L, Long::sum);
            }
        }

        final Properties consumerProps = new Properties();
        consumerProps.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaClientsTest.bootstrap(node));
        consumerProps.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        consumerProps.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        try (KafkaConsumer<byte[], byte[]> consumer =
                 new KafkaConsumer<>(consumerProps, new ByteArrayDeserializer(), new ByteArrayDeserializer()))
        {
            final List<TopicPartition> partitions = new ArrayList<>();
            for (int p = 0; p < PARTITIONS; p++)
            {
                partitions.add(new TopicPartition(topic, p));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final Map<Integer, Integer> nextSequenceByKey = new HashMap<>();
            final Map<Integer, Integer> partitionOfKey = new HashMap<>();
            final Map<Integer, Long> nextOffsetByPartition = new HashMap<>();
            int received = 0;
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (received < RECORDS && System.nanoTime() < deadlineNs)
            {
                for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(100)))
                {
                    received++;
                    final int key = ByteBuffer.wrap(record.key()).getInt();
                    final ByteBuffer value = ByteBuffer.wrap(record.value());
                    final int sequence = value.getInt();
                    assertEquals(nextSequenceByKey.getOrDefault(key, 0), sequence,
                        compression + ": key " + key + " out of order or duplicated at offset " + record.offset());
                    nextSequenceByKey.put(key, sequence + 1);
                    assertEquals(partitionOfKey.computeIfAbsent(key, k -> record.partition()), record.partition());
                    assertEquals(nextOffsetByPartition.getOrDefault(record.partition(), 0L), record.offset(),
                        compression + ": offsets of partition " + record.partition() + " are not dense");
                    nextOffsetByPartition.put(record.partition(), record.offset() + 1);
                }
            }
            assertEquals(RECORDS, received, compression + ": records read back");
            for (int key = 0; key < KEYS; key++)
            {
                assertEquals(RECORDS / KEYS, nextSequenceByKey.get(key), compression + ": records of key " + key);
            }
            assertEquals(offsetsByPartition, nextOffsetByPartition, compression + ": acknowledged vs read per partition");
            assertEquals(0, consumer.poll(Duration.ofMillis(200)).count(), compression + ": records beyond those sent");
            assertTrue(nextOffsetByPartition.size() > 1, "the keys should spread over several partitions");
        }
    }

    private static byte[] key(final int key)
    {
        return ByteBuffer.allocate(4).putInt(key).array();
    }

    /** The key's sequence number, then filler that compresses (a realistic payload). */
    private static byte[] value(final int sequence, final int i)
    {
        final byte[] filler = ("payment-" + i + "-EUR-" + (i % 97) + "-card-****1234").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        return ByteBuffer.allocate(4 + filler.length).putInt(sequence).put(filler).array();
    }
}
