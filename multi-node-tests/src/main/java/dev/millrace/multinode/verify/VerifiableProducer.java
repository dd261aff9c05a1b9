package dev.millrace.multinode.verify;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import dev.millrace.multinode.Workload;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Sends numbered records to a topic with kafka-clients (acks=all, idempotence on) and records what became of each,
 * like the Kafka system tests' verifiable producer: record {@code n} has the value {@code <name>:<n>}
 * ({@link RecordValue}), goes to the chosen partitions in turn, and ends as {@link SendResult.Acked} (partition,
 * offset) or {@link SendResult.Failed} (the error). {@link DeliveryCheck} then judges the history.
 *
 * <p>Bounded: at most {@code maxRecords} records, for at most {@code maxDuration}, with at most {@code maxInFlight}
 * unanswered; every kafka-clients call has a timeout ({@code max.block.ms}, {@code delivery.timeout.ms}), so no call
 * blocks for ever. Errors do not stop it: a failed send is recorded and the next one goes; a producer left unusable
 * (a non-retriable error from {@code send}) is closed and replaced, its records keep their numbering. After the
 * loop the producer is closed with a bounded wait, and every record still unanswered is recorded as failed.
 *
 * <p>{@link #call} runs on one thread (a {@link dev.millrace.multinode.Scenario}'s, or the caller's); {@link #stop},
 * {@link #acked()}, {@link #failed()} and {@link #results()} may be called from any thread.
 */
public final class VerifiableProducer implements Workload<List<SendResult>>
{
    private final String name;
    private final String topic;
    private final List<Integer> partitions;
    private final long maxRecords;
    private final Duration maxDuration;
    private final int recordsPerSecond;
    private final int maxInFlight;
    private final Duration closeTimeout;
    private final Properties properties;

    private final Map<Long, SendResult> results = new ConcurrentHashMap<>();
    private final AtomicLong acked = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final Map<String, Long> errors = new ConcurrentHashMap<>();
    private volatile boolean stopped;

    private VerifiableProducer(final Builder builder)
    {
        this.name = builder.name;
        this.topic = builder.topic;
        this.partitions = List.copyOf(builder.partitions);
        this.maxRecords = builder.maxRecords;
        this.maxDuration = builder.maxDuration;
        this.recordsPerSecond = builder.recordsPerSecond;
        this.maxInFlight = builder.maxInFlight;
        this.closeTimeout = builder.closeTimeout;
        this.properties = new Properties();
        properties.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, builder.bootstrapServers);
        properties.put(ProducerConfig.CLIENT_ID_CONFIG, name);
        properties.put(ProducerConfig.ACKS_CONFIG, "all");
        properties.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        properties.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
        properties.put(ProducerConfig.LINGER_MS_CONFIG, "5");
        properties.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        properties.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "30000");
        properties.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "5000");
        properties.put(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        properties.putAll(builder.overrides);
    }

    /**
     * A producer named {@code name} (unique in a run, no {@code ':'}) sending to {@code topic} through
     * {@code bootstrapServers}.
     */
    public static Builder builder(final String bootstrapServers, final String topic, final String name)
    {
        return new Builder(bootstrapServers, topic, name);
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public void stop()
    {
        stopped = true;
    }

    /** Records acknowledged so far. */
    public long acked()
    {
        return acked.get();
    }

    /** Records failed so far. */
    public long failed()
    {
        return failed.get();
    }

    /** Errors so far by exception class and message, with how often each occurred. */
    public Map<String, Long> errors()
    {
        return new TreeMap<>(errors);
    }

    /** Every record answered so far, by sequence. */
    public List<SendResult> results()
    {
        return new ArrayList<>(new TreeMap<>(results).values());
    }

    /**
     * Sends until {@code maxRecords} were sent, {@code maxDuration} passed or {@link #stop} was called, then closes the
     * producer (bounded) and returns one result per record sent, by sequence.
     */
    @Override
    public List<SendResult> call() throws InterruptedException
    {
        final long startNs = System.nanoTime();
        final long deadlineNs = startNs + maxDuration.toNanos();
        final Semaphore inFlight = new Semaphore(maxInFlight);
        KafkaProducer<String, String> producer = newProducer();
        List<Integer> targets = partitions;
        long sequence = 0;
        long replacedNs = startNs - TimeUnit.SECONDS.toNanos(1);
        try
        {
            while (sequence < maxRecords && !stopped && System.nanoTime() - deadlineNs < 0)
            {
                if (targets.isEmpty())
                {
                    targets = partitionsOf(producer);
                    continue;
                }
                pace(startNs, sequence, deadlineNs);
                if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS))
                {
                    continue;
                }
                final RecordValue value = new RecordValue(name, sequence);
                final TopicPartition partition = new TopicPartition(topic, targets.get((int)(sequence % targets.size())));
                sequence++;
                try
                {
                    producer.send(new ProducerRecord<>(topic, partition.partition(), null, value.encode()),
                        (metadata, error) ->
                        {
                            inFlight.release();
                            if (error == null && metadata.hasOffset())
                            {
                                answer(value, new SendResult.Acked(value, partition, metadata.offset()));
                            }
                            else if (error == null)
                            {
                                answer(value, new SendResult.Failed(value, partition,
                                    "answered without an offset (acks=0?): nothing to check it against"));
                            }
                            else
                            {
                                answer(value, new SendResult.Failed(value, partition, describe(error)));
                            }
                        });
                }
                catch (final KafkaException ex)
                {
                    inFlight.release();
                    answer(value, new SendResult.Failed(value, partition, describe(ex)));
                    if (!(ex instanceof RetriableException))
                    {
                        // An idempotent producer that hit a fatal error refuses every later send: start a new one,
                        // at most one a second.
                        producer.close(closeTimeout);
                        final long waitNs = replacedNs + TimeUnit.SECONDS.toNanos(1) - System.nanoTime();
                        if (waitNs > 0)
                        {
                            LockSupport.parkNanos(waitNs);
                        }
                        replacedNs = System.nanoTime();
                        producer = newProducer();
                    }
                }
            }
        }
        finally
        {
            producer.close(closeTimeout);
        }
        for (long unanswered = 0; unanswered < sequence; unanswered++)
        {
            final RecordValue value = new RecordValue(name, unanswered);
            answer(value, new SendResult.Failed(value, null, "no answer before the producer was closed"));
        }
        return results();
    }

    private void answer(final RecordValue value, final SendResult result)
    {
        if (results.putIfAbsent(value.sequence(), result) == null)
        {
            if (result instanceof SendResult.Failed failure)
            {
                failed.incrementAndGet();
                errors.merge(failure.error(), 1L, Long::sum);
            }
            else
            {
                acked.incrementAndGet();
            }
        }
    }

    /** Waits (bounded by the deadline) until record {@code sequence} is due at {@code recordsPerSecond}. */
    private void pace(final long startNs, final long sequence, final long deadlineNs)
    {
        if (recordsPerSecond <= 0)
        {
            return;
        }
        final long dueNs = startNs + sequence * TimeUnit.SECONDS.toNanos(1) / recordsPerSecond;
        long nowNs;
        while ((nowNs = System.nanoTime()) - dueNs < 0 && nowNs - deadlineNs < 0 && !stopped)
        {
            LockSupport.parkNanos(Math.min(dueNs - nowNs, TimeUnit.MILLISECONDS.toNanos(50)));
        }
    }

    /** The topic's partitions from the producer's metadata (bounded by max.block.ms); empty while unknown. */
    private List<Integer> partitionsOf(final KafkaProducer<String, String> producer)
    {
        try
        {
            final List<Integer> found = new ArrayList<>();
            for (final PartitionInfo info : producer.partitionsFor(topic))
            {
                found.add(info.partition());
            }
            found.sort(null);
            return found;
        }
        catch (final KafkaException ex)
        {
            errors.merge("metadata: " + describe(ex), 1L, Long::sum);
            return List.of();
        }
    }

    private KafkaProducer<String, String> newProducer()
    {
        return new KafkaProducer<>(properties, new StringSerializer(), new StringSerializer());
    }

    private static String describe(final Throwable error)
    {
        return error.getClass().getSimpleName() + ": " + error.getMessage();
    }

    /** How to build a {@link VerifiableProducer}. */
    public static final class Builder
    {
        private final String bootstrapServers;
        private final String topic;
        private final String name;
        private List<Integer> partitions = List.of();
        private long maxRecords = 10_000;
        private Duration maxDuration = Duration.ofSeconds(60);
        private int recordsPerSecond = 500;
        private int maxInFlight = 1_000;
        private Duration closeTimeout = Duration.ofSeconds(10);
        private final Map<String, String> overrides = new TreeMap<>();

        private Builder(final String bootstrapServers, final String topic, final String name)
        {
            this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            this.topic = Objects.requireNonNull(topic, "topic");
            this.name = new RecordValue(name, 0).producer();
        }

        /**
         * The partitions to send to, in turn (record {@code n} to the {@code n % size}-th). Default: every partition of
         * the topic, as the producer's metadata lists them when it starts.
         */
        public Builder partitions(final Collection<Integer> indexes)
        {
            for (final Integer index : indexes)
            {
                if (index == null || index < 0)
                {
                    throw new IllegalArgumentException("partition indexes must be >= 0 but were " + indexes);
                }
            }
            this.partitions = List.copyOf(indexes);
            return this;
        }

        /** At most this many records, {@code >= 1} (default 10 000). */
        public Builder maxRecords(final long count)
        {
            if (count < 1)
            {
                throw new IllegalArgumentException("maxRecords must be >= 1 but was " + count);
            }
            this.maxRecords = count;
            return this;
        }

        /** Sends for at most this long (default 60 s); closing takes at most {@link #closeTimeout} more. */
        public Builder maxDuration(final Duration duration)
        {
            this.maxDuration = positive(duration, "maxDuration");
            return this;
        }

        /** Records per second, {@code 0} for as fast as the in-flight bound allows (default 500). */
        public Builder recordsPerSecond(final int rate)
        {
            if (rate < 0)
            {
                throw new IllegalArgumentException("recordsPerSecond must be >= 0 but was " + rate);
            }
            this.recordsPerSecond = rate;
            return this;
        }

        /** Records sent but not answered yet, at most (default 1 000). */
        public Builder maxInFlight(final int count)
        {
            if (count < 1)
            {
                throw new IllegalArgumentException("maxInFlight must be >= 1 but was " + count);
            }
            this.maxInFlight = count;
            return this;
        }

        /** How long closing the producer may wait for outstanding answers (default 10 s). */
        public Builder closeTimeout(final Duration timeout)
        {
            this.closeTimeout = positive(timeout, "closeTimeout");
            return this;
        }

        /**
         * A kafka-clients producer setting over the defaults ({@code acks=all}, idempotence on, 5 s request timeout and
         * max.block.ms, 30 s delivery timeout). Turning idempotence off calls for {@code DeliveryCheck.idempotent(false)}.
         */
        public Builder property(final String key, final String value)
        {
            overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public VerifiableProducer build()
        {
            return new VerifiableProducer(this);
        }

        static Duration positive(final Duration duration, final String what)
        {
            if (duration == null || duration.isNegative() || duration.isZero())
            {
                throw new IllegalArgumentException(what + " must be a positive duration but was " + duration);
            }
            return duration;
        }
    }
}
