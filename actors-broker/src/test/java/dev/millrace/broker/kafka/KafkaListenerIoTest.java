package dev.millrace.broker.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.ConfigFactory;
import dev.millrace.broker.node.BrokerNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A large consume through kafka-clients with each network layer: every record comes back, in order, with its key and
 * value, read from many segments (small {@code segment.bytes}) and in fetch responses larger than a socket buffer.
 */
class KafkaListenerIoTest
{
    private static final int RECORDS = 30_000;
    private static final String TOPIC = "large";

    @TempDir
    Path dataDir;

    @ParameterizedTest
    @ValueSource(strings = {"nio", "pekko-streams"})
    @Timeout(120)
    void shouldConsumeEveryRecordInOrder(final String io) throws Exception
    {
        final int port;
        try (BrokerNode node = BrokerNode.start(ConfigFactory.parseMap(Map.of("millrace.broker.kafka.io", io))
            .withFallback(KafkaClientsTest.nodeConfig(dataDir))))
        {
            port = node.kafkaPort();
            try (Admin admin = KafkaClientsTest.admin(node))
            {
                admin.createTopics(List.of(new NewTopic(TOPIC, 1, (short)1).configs(Map.of("segment.bytes", "1048576"))))
                    .all().get(20, TimeUnit.SECONDS);
            }
            try (KafkaProducer<byte[], byte[]> producer = KafkaClientsTest.producer(node))
            {
                for (int i = 0; i < RECORDS; i++)
                {
                    producer.send(new ProducerRecord<>(TOPIC, KafkaClientsTest.key(i), value(i)));
                }
                producer.flush();
            }

            final Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaClientsTest.bootstrap(node));
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
            props.put(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG, 4 << 20);
            props.put(ConsumerConfig.FETCH_MAX_BYTES_CONFIG, 8 << 20);
            try (KafkaConsumer<byte[], byte[]> consumer =
                new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer()))
            {
                final TopicPartition partition = new TopicPartition(TOPIC, 0);
                consumer.assign(List.of(partition));
                consumer.seekToBeginning(List.of(partition));
                final List<ConsumerRecord<byte[], byte[]>> received = new ArrayList<>(RECORDS);
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (received.size() < RECORDS && System.nanoTime() < deadlineNs)
                {
                    consumer.poll(Duration.ofMillis(200)).forEach(received::add);
                }
                assertEquals(RECORDS, received.size(), io);
                for (int i = 0; i < RECORDS; i++)
                {
                    final ConsumerRecord<byte[], byte[]> record = received.get(i);
                    assertEquals(i, record.offset(), io);
                    assertArrayEquals(KafkaClientsTest.key(i), record.key(), io);
                    assertArrayEquals(value(i), record.value(), io);
                }
            }
        }
        // The node's shutdown ends the nio listener's thread (pekko-streams has none).
        final String thread = "millrace-kafka-io-" + port;
        for (final Thread running : Thread.getAllStackTraces().keySet())
        {
            if (running.getName().equals(thread))
            {
                running.join(TimeUnit.SECONDS.toMillis(20));
                assertFalse(running.isAlive(), thread + " still runs 20 s after the node closed");
            }
        }
    }

    /** About 1 KB, different per record (lz4 still compresses it, by about half). */
    private static byte[] value(final int i)
    {
        final byte[] value = new byte[1000 + i % 50];
        long state = i * 0x9E3779B97F4A7C15L + 1;
        for (int b = 0; b < value.length; b++)
        {
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            value[b] = (byte)(b % 4 == 0 ? state : 'a' + b % 7);
        }
        return value;
    }
}
