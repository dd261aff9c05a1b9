package dev.millrace.benchmarks;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * The client load of {@code bench kafka}, the same against any broker that speaks the Kafka protocol: plain
 * {@code kafka-clients} with {@code byte[]} values and no keys, from the benchmark's JVM. Every loop is bounded by a
 * deadline, and every run checks that all records were acknowledged or received (a run that lost records fails rather
 * than reports a rate).
 */
final class KafkaLoad
{
    /** Bytes at the head of a latency record's value: the sender's {@link System#nanoTime()} and its sequence number. */
    private static final int STAMP_BYTES = 16;

    private final String bootstrapServers;
    private final int recordBytes;
    private final Duration phaseTimeout;
    private final short replicationFactor;
    private final Map<String, String> topicConfigs;

    KafkaLoad(final String bootstrapServers, final int recordBytes, final Duration phaseTimeout)
    {
        this(bootstrapServers, recordBytes, phaseTimeout, (short)1, Map.of());
    }

    /**
     * @param replicationFactor of every topic this load creates
     * @param topicConfigs      of every topic this load creates, e.g. {@code min.insync.replicas}
     */
    KafkaLoad(
        final String bootstrapServers, final int recordBytes, final Duration phaseTimeout, final short replicationFactor,
        final Map<String, String> topicConfigs)
    {
        if (recordBytes < STAMP_BYTES)
        {
            throw new IllegalArgumentException("--record-bytes must be at least " + STAMP_BYTES + " (the latency stamp)");
        }
        this.bootstrapServers = bootstrapServers;
        this.recordBytes = recordBytes;
        this.phaseTimeout = phaseTimeout;
        this.replicationFactor = replicationFactor;
        this.topicConfigs = Map.copyOf(topicConfigs);
    }

    /** A throughput run: records moved and the wall-clock time it took. */
    record Throughput(long records, long bytes, long elapsedNs)
    {
        double recordsPerSecond()
        {
            return records / (elapsedNs / 1e9);
        }

        double megabytesPerSecond()
        {
            return bytes / (elapsedNs / 1e9) / 1e6;
        }
    }

    /**
     * A consume run, and when the first 99 % of its records had arrived: a long gap between that and the end shows a
     * broker holding back the last fetches (e.g. waiting out {@code fetch.max.wait.ms} on drained partitions).
     */
    record Consumed(Throughput throughput, long ninetyNinePercentNs)
    {
    }

    /** A latency run: send→ack and send→consume in nanoseconds, and how far the paced sender fell behind at worst. */
    record Latency(Histogram sendToAckNs, Histogram sendToConsumeNs, long maxScheduleLagNs, long records)
    {
    }

    void createTopic(final String topic, final int partitions) throws InterruptedException, ExecutionException, TimeoutException
    {
        try (Admin admin = BrokerUnderTest.admin(bootstrapServers))
        {
            admin.createTopics(List.of(new NewTopic(topic, partitions, replicationFactor).configs(topicConfigs)))
                .all().get(phaseTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    void deleteTopics(final List<String> topics) throws InterruptedException, ExecutionException, TimeoutException
    {
        try (Admin admin = BrokerUnderTest.admin(bootstrapServers))
        {
            admin.deleteTopics(topics).all().get(phaseTimeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private Map<String, Object> producerConfig(final String acks, final int lingerMs)
    {
        final Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "bench-producer");
        config.put(ProducerConfig.ACKS_CONFIG, acks);
        config.put(ProducerConfig.BATCH_SIZE_CONFIG, 64 * 1024);
        config.put(ProducerConfig.LINGER_MS_CONFIG, lingerMs);
        config.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        config.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class);
        return config;
    }

    private Map<String, Object> consumerConfig()
    {
        final Map<String, Object> config = new HashMap<>();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ConsumerConfig.CLIENT_ID_CONFIG, "bench-consumer");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class);
        return config;
    }

    /**
     * Sends {@code records} values of {@code recordBytes} random bytes as fast as one producer thread can (the
     * producer batches them: {@code batch.size} 64 KiB, {@code linger.ms} 5), timed from the first send until
     * {@code flush()} has returned, i.e. every record acknowledged. {@code acks=1} leaves idempotence off (the client
     * turns its default off for it); {@code acks=all} keeps the client default, idempotence on.
     */
    Throughput produce(final String topic, final long records, final String acks)
        throws InterruptedException, TimeoutException
    {
        final byte[] value = new byte[recordBytes];
        new Random(42).nextBytes(value);
        final AtomicLong acked = new AtomicLong();
        final AtomicReference<Exception> failure = new AtomicReference<>();
        final Callback callback = (metadata, exception) ->
        {
            if (exception != null)
            {
                failure.compareAndSet(null, exception);
            }
            else
            {
                acked.incrementAndGet();
            }
        };
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig(acks, 5)))
        {
            // Metadata and the connection first, so that the timed part is the produce itself.
            producer.partitionsFor(topic);
            final long deadline = System.nanoTime() + phaseTimeout.toNanos();
            final long start = System.nanoTime();
            for (long i = 0; i < records; i++)
            {
                // The producer copies the value into its batch inside send(), so one array serves every record.
                producer.send(new ProducerRecord<>(topic, value), callback);
                if ((i & 0xFFF) == 0 && (failure.get() != null || System.nanoTime() - deadline > 0))
                {
                    break;
                }
            }
            producer.flush();
            final long elapsed = System.nanoTime() - start;
            if (failure.get() != null)
            {
                throw new IllegalStateException("produce to " + topic + " failed: " + failure.get(), failure.get());
            }
            if (acked.get() != records)
            {
                throw new TimeoutException("produce to " + topic + ": " + acked.get() + " of " + records +
                    " records acknowledged within " + phaseTimeout);
            }
            return new Throughput(records, records * recordBytes, elapsed);
        }
    }

    /**
     * Reads {@code topic} from the start with one consumer (all partitions assigned, no group, client defaults for
     * fetching) until {@code expected} records have arrived; checks their total size.
     */
    Consumed consume(final String topic, final long expected) throws TimeoutException
    {
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig()))
        {
            final List<TopicPartition> partitions = partitionsOf(consumer, topic);
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            final long deadline = System.nanoTime() + phaseTimeout.toNanos();
            long received = 0;
            long bytes = 0;
            long ninetyNinePercentNs = -1;
            final long start = System.nanoTime();
            while (received < expected && System.nanoTime() - deadline < 0)
            {
                final ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(200));
                for (final ConsumerRecord<byte[], byte[]> record : polled)
                {
                    bytes += record.value().length;
                }
                received += polled.count();
                if (ninetyNinePercentNs < 0 && received * 100 >= expected * 99)
                {
                    ninetyNinePercentNs = System.nanoTime() - start;
                }
            }
            final long elapsed = System.nanoTime() - start;
            if (received != expected || bytes != expected * recordBytes)
            {
                throw new TimeoutException("consume of " + topic + ": " + received + " records (" + bytes + " bytes) of " +
                    expected + " within " + phaseTimeout);
            }
            return new Consumed(new Throughput(received, bytes, elapsed), ninetyNinePercentNs);
        }
    }

    /**
     * A paced producer ({@code linger.ms} 0, so one request per record at these rates; {@code acks=all}, the client
     * default, with idempotence) sends {@code ratePerSecond} records a second for {@code seconds}, each value starting
     * with its send time; a consumer on its own thread, positioned before the first send, polls them. Send→ack is
     * measured from just before {@code send()} to the producer's callback, send→consume from the same instant to the
     * record's arrival in {@code poll()} — both on this JVM's {@link System#nanoTime()}.
     */
    Latency latency(final String topic, final int ratePerSecond, final int seconds)
        throws InterruptedException, TimeoutException
    {
        final long records = (long)ratePerSecond * seconds;
        final long intervalNs = TimeUnit.SECONDS.toNanos(1) / ratePerSecond;
        final Histogram sendToAck = new Histogram(3);
        final Histogram sendToConsume = new Histogram(3);
        final AtomicReference<Exception> failure = new AtomicReference<>();
        final AtomicLong acked = new AtomicLong();
        final AtomicLong consumed = new AtomicLong();
        final CountDownLatch consumerReady = new CountDownLatch(1);
        final long deadline = System.nanoTime() + phaseTimeout.toNanos() + TimeUnit.SECONDS.toNanos(seconds);

        final Thread consumerThread = new Thread(() ->
        {
            try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(consumerConfig()))
            {
                final List<TopicPartition> partitions = partitionsOf(consumer, topic);
                consumer.assign(partitions);
                consumer.seekToBeginning(partitions);
                for (final TopicPartition partition : partitions)
                {
                    consumer.position(partition);
                }
                consumerReady.countDown();
                while (consumed.get() < records && failure.get() == null && System.nanoTime() - deadline < 0)
                {
                    final ConsumerRecords<byte[], byte[]> polled = consumer.poll(Duration.ofMillis(100));
                    final long now = System.nanoTime();
                    for (final ConsumerRecord<byte[], byte[]> record : polled)
                    {
                        sendToConsume.recordValue(Math.max(0, now - ByteBuffer.wrap(record.value()).getLong(0)));
                    }
                    consumed.addAndGet(polled.count());
                }
            }
            catch (final RuntimeException ex)
            {
                failure.compareAndSet(null, ex);
            }
            finally
            {
                consumerReady.countDown();
            }
        }, "bench-latency-consumer");
        consumerThread.start();

        long maxLagNs = 0;
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(producerConfig("all", 0)))
        {
            producer.partitionsFor(topic);
            if (!consumerReady.await(phaseTimeout.toMillis(), TimeUnit.MILLISECONDS) || failure.get() != null)
            {
                throw new IllegalStateException("latency consumer of " + topic + " not ready: " + failure.get());
            }
            final long start = System.nanoTime();
            for (long i = 0; i < records && failure.get() == null && System.nanoTime() - deadline < 0; i++)
            {
                final long due = start + i * intervalNs;
                long now = System.nanoTime();
                while (due - now > 0)
                {
                    LockSupport.parkNanos(due - now);
                    now = System.nanoTime();
                }
                maxLagNs = Math.max(maxLagNs, now - due);
                final byte[] value = new byte[recordBytes];
                final ByteBuffer stamp = ByteBuffer.wrap(value);
                stamp.putLong(8, i);
                final long sentNs = System.nanoTime();
                stamp.putLong(0, sentNs);
                producer.send(new ProducerRecord<>(topic, value), (metadata, exception) ->
                {
                    if (exception != null)
                    {
                        failure.compareAndSet(null, exception);
                    }
                    else
                    {
                        // Callbacks run on the producer's one I/O thread: the histogram has a single writer.
                        sendToAck.recordValue(Math.max(0, System.nanoTime() - sentNs));
                        acked.incrementAndGet();
                    }
                });
            }
            producer.flush();
        }
        finally
        {
            consumerThread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
            if (consumerThread.isAlive())
            {
                failure.compareAndSet(null, new TimeoutException("latency consumer still running at the deadline"));
                consumerThread.interrupt();
                consumerThread.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
        if (failure.get() != null)
        {
            throw new IllegalStateException("latency run on " + topic + " failed: " + failure.get(), failure.get());
        }
        if (acked.get() != records || consumed.get() != records)
        {
            throw new TimeoutException("latency run on " + topic + ": " + acked.get() + " acknowledged and " +
                consumed.get() + " consumed of " + records + " within " + phaseTimeout);
        }
        return new Latency(sendToAck, sendToConsume, maxLagNs, records);
    }

    private List<TopicPartition> partitionsOf(final KafkaConsumer<byte[], byte[]> consumer, final String topic)
    {
        final List<TopicPartition> partitions = new ArrayList<>();
        for (final PartitionInfo info : consumer.partitionsFor(topic, phaseTimeout))
        {
            partitions.add(new TopicPartition(topic, info.partition()));
        }
        if (partitions.isEmpty())
        {
            throw new IllegalStateException("topic " + topic + " has no partitions");
        }
        return partitions;
    }
}
