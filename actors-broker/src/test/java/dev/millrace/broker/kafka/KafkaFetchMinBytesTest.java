package dev.millrace.broker.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import dev.millrace.broker.node.BrokerNode;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fetch over many partitions answers as soon as any of them has data (fetch.min.bytes = 1), not after
 * fetch.max.wait.ms because the others are empty.
 */
class KafkaFetchMinBytesTest
{
    private static final int PARTITIONS = 6;
    private static final int MAX_WAIT_MS = 5_000;
    /** Far below MAX_WAIT_MS: the old per-partition long poll took the full wait of the empty partitions. */
    private static final long BOUND_MS = 2_000;

    @TempDir
    Path dataDir;

    @Test
    @Timeout(60)
    void shouldWaitForMinBytesAcrossPartitionsAndAnswerOnceTheyAreThere() throws Exception
    {
        try (BrokerNode node = BrokerNode.start(KafkaClientsTest.nodeConfig(dataDir)))
        {
            KafkaClientsTest.createTopic(node, "bulk", PARTITIONS);
            final Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaClientsTest.bootstrap(node));
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, MAX_WAIT_MS);
            props.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 4_096);
            props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
            final Properties producerProps = new Properties();
            producerProps.put(org.apache.kafka.clients.producer.ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                KafkaClientsTest.bootstrap(node));
            producerProps.put(org.apache.kafka.clients.producer.ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
            try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                 KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerProps,
                     new org.apache.kafka.common.serialization.ByteArraySerializer(),
                     new org.apache.kafka.common.serialization.ByteArraySerializer()))
            {
                final List<TopicPartition> partitions = new ArrayList<>();
                for (int p = 0; p < PARTITIONS; p++)
                {
                    partitions.add(new TopicPartition("bulk", p));
                }
                consumer.assign(partitions);
                consumer.seekToEnd(partitions);
                partitions.forEach(consumer::position);
                assertEquals(0, consumer.poll(Duration.ofMillis(200)).count());

                final long smallNs = System.nanoTime();
                producer.send(new ProducerRecord<>("bulk", 0, null, new byte[200])).get(20, TimeUnit.SECONDS);
                // 200 bytes are below fetch.min.bytes: the broker holds the fetch.
                final long holdUntilNs = smallNs + TimeUnit.MILLISECONDS.toNanos(1_000);
                while (System.nanoTime() < holdUntilNs)
                {
                    assertEquals(0, consumer.poll(Duration.ofMillis(100)).count(),
                        "answered before fetch.min.bytes were there or fetch.max.wait.ms had passed");
                }
                final byte[] big = new byte[6_000];
                new java.util.Random(42).nextBytes(big);
                producer.send(new ProducerRecord<>("bulk", 3, null, big)).get(20, TimeUnit.SECONDS);
                int received = 0;
                while (received < 2 && System.nanoTime() - smallNs < TimeUnit.SECONDS.toNanos(20))
                {
                    received += consumer.poll(Duration.ofMillis(50)).count();
                }
                final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - smallNs);
                assertEquals(2, received);
                assertTrue(tookMs < MAX_WAIT_MS - 1_000, "both records took " + tookMs + " ms with fetch.max.wait.ms=" +
                    MAX_WAIT_MS + ": the fetch did not answer once fetch.min.bytes were there");
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldStillWaitTheMaxWaitWhenReplicasWillNotParkFetches() throws Exception
    {
        // No parked fetches at all: every probe is answered at once, empty. The listener must then wait out
        // fetch.max.wait.ms itself rather than answer at once (which would make consumers spin).
        final com.typesafe.config.Config config = com.typesafe.config.ConfigFactory
            .parseMap(java.util.Map.of("millrace.broker.partition.max-parked-fetches", 0))
            .withFallback(KafkaClientsTest.nodeConfig(dataDir));
        try (BrokerNode node = BrokerNode.start(config))
        {
            KafkaClientsTest.createTopic(node, "idle", 3);
            final Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaClientsTest.bootstrap(node));
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 500);
            try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer()))
            {
                final List<TopicPartition> partitions = List.of(
                    new TopicPartition("idle", 0), new TopicPartition("idle", 1), new TopicPartition("idle", 2));
                consumer.assign(partitions);
                consumer.seekToEnd(partitions);
                partitions.forEach(consumer::position);
                final long startNs = System.nanoTime();
                while (System.nanoTime() - startNs < TimeUnit.MILLISECONDS.toNanos(2_000))
                {
                    assertEquals(0, consumer.poll(Duration.ofMillis(200)).count());
                }
                final double fetches = consumer.metrics().entrySet().stream()
                    .filter(metric -> metric.getKey().name().equals("fetch-total") &&
                        metric.getKey().group().equals("consumer-fetch-manager-metrics") &&
                        metric.getKey().tags().size() == 1)
                    .mapToDouble(metric -> ((Number)metric.getValue().metricValue()).doubleValue())
                    .sum();
                // 2 s of polling with a 500 ms wait: about 4 fetches; answering at once would make hundreds.
                assertTrue(fetches >= 1 && fetches <= 8, "fetches in 2 s: " + fetches);
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldDeliverOneRecordOfSixPartitionsWellBeforeTheMaxWait() throws Exception
    {
        deliverOneRecordPerRound(KafkaClientsTest.nodeConfig(dataDir), 3);
    }

    @Test
    @Timeout(90)
    void shouldWithdrawTheProbesOfAnAnsweredFetchSoTheyDoNotFillTheReplicas() throws Exception
    {
        // Each answered fetch leaves a probe in every partition that got no data. Were they left parked for their
        // whole wait, with room for two parked fetches per replica the third round would find every replica full,
        // every probe answered at once and empty, and the listener would serve the whole max wait before the record.
        final com.typesafe.config.Config config = com.typesafe.config.ConfigFactory
            .parseMap(java.util.Map.of("millrace.broker.partition.max-parked-fetches", 2))
            .withFallback(KafkaClientsTest.nodeConfig(dataDir));
        deliverOneRecordPerRound(config, 2 * PARTITIONS);
    }

    /** Each round: a fetch of all partitions waits, one record goes to the next partition, it must arrive fast. */
    private static void deliverOneRecordPerRound(final com.typesafe.config.Config config, final int rounds)
        throws Exception
    {
        try (BrokerNode node = BrokerNode.start(config))
        {
            KafkaClientsTest.createTopic(node, "sparse", PARTITIONS);
            final Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaClientsTest.bootstrap(node));
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, MAX_WAIT_MS);
            props.put(ConsumerConfig.FETCH_MIN_BYTES_CONFIG, 1);
            props.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
            try (KafkaConsumer<byte[], byte[]> consumer =
                     new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
                 KafkaProducer<byte[], byte[]> producer = KafkaClientsTest.producer(node))
            {
                final List<TopicPartition> partitions = new ArrayList<>();
                for (int p = 0; p < PARTITIONS; p++)
                {
                    partitions.add(new TopicPartition("sparse", p));
                }
                consumer.assign(partitions);
                consumer.seekToEnd(partitions);
                partitions.forEach(consumer::position);
                producer.partitionsFor("sparse");

                for (int round = 0; round < rounds; round++)
                {
                    // Leaves a fetch of all six partitions waiting in the broker.
                    assertEquals(0, consumer.poll(Duration.ofMillis(200)).count());
                    final long sentNs = System.nanoTime();
                    producer.send(new ProducerRecord<>("sparse", round % PARTITIONS, null, KafkaClientsTest.value(round)))
                        .get(20, TimeUnit.SECONDS);
                    ConsumerRecord<byte[], byte[]> received = null;
                    while (received == null && System.nanoTime() - sentNs < TimeUnit.SECONDS.toNanos(20))
                    {
                        for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50)))
                        {
                            received = record;
                        }
                    }
                    final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sentNs);
                    assertTrue(received != null, "round " + round + ": the record never arrived");
                    assertEquals(round % PARTITIONS, received.partition());
                    assertTrue(tookMs < BOUND_MS, "round " + round + ": produce to consume took " + tookMs +
                        " ms with fetch.max.wait.ms=" + MAX_WAIT_MS + "; the fetch waited for empty partitions");
                }
            }
        }
    }
}
