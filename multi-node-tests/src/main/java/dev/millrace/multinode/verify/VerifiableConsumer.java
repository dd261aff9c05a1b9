package dev.millrace.multinode.verify;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import dev.millrace.multinode.Workload;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * Reads a topic as one consumer session of a consumer group and records every record it read
 * ({@link ConsumedRecord}), like the Kafka system tests' verifiable consumer. It starts from the group's committed
 * offsets (earliest where there are none), commits the offsets it read past after every poll that returned records
 * and once more when it ends, and reports where it started and what it committed ({@link ConsumerResult}), so that a
 * later session of the same group can be shown to carry on where this one stopped.
 *
 * <p>Two ways to get partitions: as a group member ({@code subscribe}, the default: the group coordinator assigns
 * them), or a fixed set ({@link Builder#assign}: no membership, but the group's committed offsets all the same).
 *
 * <p>Bounded: it ends after {@code maxDuration}, after {@code maxRecords} records, after {@code idleTimeout} without a
 * record, once its positions reached the end offsets it took when it got its partitions ({@link Builder#readToEnd}),
 * or soon after {@link #stop}, whichever comes first. Every kafka-clients call has a timeout; errors of polls and
 * commits are counted and it goes on.
 *
 * <p>{@link #call} runs on one thread; {@link #stop} and {@link #read()} may be called from any thread.
 */
public final class VerifiableConsumer implements Workload<ConsumerResult>
{
    private static final Duration POLL = Duration.ofMillis(200);
    private static final Duration CALL = Duration.ofSeconds(10);

    private final String name;
    private final String topic;
    private final List<Integer> assigned;
    private final Duration maxDuration;
    private final Duration idleTimeout;
    private final long maxRecords;
    private final boolean readToEnd;
    private final Properties properties;

    private final AtomicLong read = new AtomicLong();
    private final Map<String, Long> errors = new ConcurrentHashMap<>();
    private volatile boolean stopped;
    private volatile KafkaConsumer<String, String> running;

    // Owned by the thread running call() (the rebalance listener runs inside its poll).
    private final List<ConsumedRecord> records = new ArrayList<>();
    private final Map<TopicPartition, Long> startPositions = new HashMap<>();
    private final Map<TopicPartition, Long> nextOffsets = new HashMap<>();
    private final Map<TopicPartition, Long> committed = new HashMap<>();
    private final Map<TopicPartition, Long> endOffsets = new HashMap<>();

    private VerifiableConsumer(final Builder builder)
    {
        this.name = builder.name;
        this.topic = builder.topic;
        this.assigned = builder.assigned;
        this.maxDuration = builder.maxDuration;
        this.idleTimeout = builder.idleTimeout;
        this.maxRecords = builder.maxRecords;
        this.readToEnd = builder.readToEnd;
        this.properties = new Properties();
        properties.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, builder.bootstrapServers);
        properties.put(ConsumerConfig.GROUP_ID_CONFIG, builder.groupId);
        properties.put(ConsumerConfig.CLIENT_ID_CONFIG, name);
        properties.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        properties.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        properties.put(ConsumerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        properties.put(ConsumerConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        properties.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "10000");
        properties.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, "1000");
        properties.put(ConsumerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, "1000");
        properties.putAll(builder.overrides);
    }

    /**
     * A consumer session named {@code name} (unique in a run) of group {@code groupId}, reading {@code topic} through
     * {@code bootstrapServers}.
     */
    public static Builder builder(final String bootstrapServers, final String topic, final String groupId, final String name)
    {
        return new Builder(bootstrapServers, topic, groupId, name);
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
        final KafkaConsumer<String, String> consumer = running;
        if (consumer != null)
        {
            consumer.wakeup();
        }
    }

    /** Records read so far. */
    public long read()
    {
        return read.get();
    }

    /** Reads until one of its bounds is reached, commits, closes the consumer (bounded) and returns what it did. */
    @Override
    public ConsumerResult call()
    {
        final long deadlineNs = System.nanoTime() + maxDuration.toNanos();
        long lastRecordNs = System.nanoTime();
        boolean reachedEnd = false;
        final KafkaConsumer<String, String> consumer =
            new KafkaConsumer<>(properties, new StringDeserializer(), new StringDeserializer());
        running = consumer;
        try
        {
            if (assigned.isEmpty())
            {
                consumer.subscribe(List.of(topic), new Listener(consumer));
            }
            else
            {
                consumer.assign(assigned.stream().map(p -> new TopicPartition(topic, p)).toList());
            }
            while (!stopped && read.get() < maxRecords && System.nanoTime() - deadlineNs < 0)
            {
                if (!assigned.isEmpty())
                {
                    startFrom(consumer, consumer.assignment());
                }
                if (readToEnd)
                {
                    takeEndOffsets(consumer);
                    reachedEnd = reachedEnd(consumer.assignment());
                    if (reachedEnd)
                    {
                        break;
                    }
                }
                if (idleTimeout != null && System.nanoTime() - lastRecordNs > idleTimeout.toNanos())
                {
                    break;
                }
                final ConsumerRecords<String, String> polled;
                try
                {
                    polled = consumer.poll(POLL);
                }
                catch (final WakeupException ex)
                {
                    break;
                }
                catch (final KafkaException ex)
                {
                    error("poll", ex);
                    continue;
                }
                for (final ConsumerRecord<String, String> record : polled)
                {
                    final TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                    records.add(new ConsumedRecord(name, partition, record.offset(), record.value()));
                    nextOffsets.put(partition, record.offset() + 1);
                    read.incrementAndGet();
                }
                if (!polled.isEmpty())
                {
                    lastRecordNs = System.nanoTime();
                    commit(consumer, consumer.assignment());
                }
            }
            if (readToEnd && !reachedEnd)
            {
                reachedEnd = reachedEnd(consumer.assignment());
            }
            commit(consumer, consumer.assignment());
        }
        finally
        {
            running = null;
            try
            {
                consumer.close(CloseOptions.timeout(CALL));
            }
            catch (final KafkaException ex)
            {
                error("close", ex);
            }
        }
        return new ConsumerResult(name, records, startPositions, committed, endOffsets, reachedEnd, new TreeMap<>(errors));
    }

    /** Notes the position of every partition not seen yet: the group's committed offset, or the reset position. */
    private void startFrom(final KafkaConsumer<String, String> consumer, final Collection<TopicPartition> partitions)
    {
        for (final TopicPartition partition : partitions)
        {
            if (!startPositions.containsKey(partition))
            {
                try
                {
                    final long position = consumer.position(partition, CALL);
                    startPositions.put(partition, position);
                    nextOffsets.put(partition, position);
                }
                catch (final WakeupException ex)
                {
                    stopped = true;
                    return;
                }
                catch (final KafkaException ex)
                {
                    error("position of " + partition, ex);
                }
            }
        }
    }

    private void takeEndOffsets(final KafkaConsumer<String, String> consumer)
    {
        final Set<TopicPartition> missing = new HashSet<>(consumer.assignment());
        missing.removeAll(endOffsets.keySet());
        if (missing.isEmpty())
        {
            return;
        }
        try
        {
            endOffsets.putAll(consumer.endOffsets(missing, CALL));
        }
        catch (final WakeupException ex)
        {
            stopped = true;
        }
        catch (final KafkaException ex)
        {
            error("end offsets", ex);
        }
    }

    private boolean reachedEnd(final Set<TopicPartition> assignment)
    {
        if (assignment.isEmpty() || !endOffsets.keySet().containsAll(assignment))
        {
            return false;
        }
        for (final TopicPartition partition : assignment)
        {
            final Long next = nextOffsets.get(partition);
            if (next == null || next < endOffsets.get(partition))
            {
                return false;
            }
        }
        return true;
    }

    private void commit(final KafkaConsumer<String, String> consumer, final Collection<TopicPartition> partitions)
    {
        final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (final TopicPartition partition : partitions)
        {
            final Long next = nextOffsets.get(partition);
            if (next != null && !next.equals(committed.get(partition)))
            {
                offsets.put(partition, new OffsetAndMetadata(next));
            }
        }
        if (offsets.isEmpty())
        {
            return;
        }
        try
        {
            consumer.commitSync(offsets, CALL);
            offsets.forEach((partition, offset) -> committed.put(partition, offset.offset()));
        }
        catch (final WakeupException ex)
        {
            stopped = true;
        }
        catch (final KafkaException ex)
        {
            error("commit", ex);
        }
    }

    private void error(final String what, final Exception ex)
    {
        errors.merge(what + ": " + ex.getClass().getSimpleName() + ": " + ex.getMessage(), 1L, Long::sum);
    }

    /** Group membership: note where newly assigned partitions start; commit what was read before losing some. */
    private final class Listener implements ConsumerRebalanceListener
    {
        private final KafkaConsumer<String, String> consumer;

        Listener(final KafkaConsumer<String, String> consumer)
        {
            this.consumer = consumer;
        }

        @Override
        public void onPartitionsRevoked(final Collection<TopicPartition> partitions)
        {
            commit(consumer, partitions);
            partitions.forEach(nextOffsets::remove);
        }

        @Override
        public void onPartitionsLost(final Collection<TopicPartition> partitions)
        {
            partitions.forEach(nextOffsets::remove);
        }

        @Override
        public void onPartitionsAssigned(final Collection<TopicPartition> partitions)
        {
            for (final TopicPartition partition : partitions)
            {
                try
                {
                    final long position = consumer.position(partition, CALL);
                    startPositions.putIfAbsent(partition, position);
                    nextOffsets.put(partition, position);
                }
                catch (final KafkaException ex)
                {
                    error("position of " + partition, ex);
                }
            }
        }
    }

    /** How to build a {@link VerifiableConsumer}. */
    public static final class Builder
    {
        private final String bootstrapServers;
        private final String topic;
        private final String groupId;
        private final String name;
        private List<Integer> assigned = List.of();
        private Duration maxDuration = Duration.ofSeconds(60);
        private Duration idleTimeout;
        private long maxRecords = Long.MAX_VALUE;
        private boolean readToEnd;
        private final Map<String, String> overrides = new TreeMap<>();

        private Builder(final String bootstrapServers, final String topic, final String groupId, final String name)
        {
            this.bootstrapServers = Objects.requireNonNull(bootstrapServers, "bootstrapServers");
            this.topic = Objects.requireNonNull(topic, "topic");
            this.groupId = Objects.requireNonNull(groupId, "groupId");
            this.name = Objects.requireNonNull(name, "name");
        }

        /** Read these partitions of the topic, without group membership (offsets are still the group's). */
        public Builder assign(final Collection<Integer> partitions)
        {
            if (partitions.isEmpty() || partitions.stream().anyMatch(p -> p == null || p < 0))
            {
                throw new IllegalArgumentException("assign needs partition indexes >= 0 but got " + partitions);
            }
            this.assigned = List.copyOf(new TreeSet<>(partitions));
            return this;
        }

        /** Reads for at most this long (default 60 s). */
        public Builder maxDuration(final Duration duration)
        {
            this.maxDuration = VerifiableProducer.Builder.positive(duration, "maxDuration");
            return this;
        }

        /** Ends after this long without a record (default: never for that reason). */
        public Builder idleTimeout(final Duration timeout)
        {
            this.idleTimeout = VerifiableProducer.Builder.positive(timeout, "idleTimeout");
            return this;
        }

        /** Ends after this many records, {@code >= 1}. */
        public Builder maxRecords(final long count)
        {
            if (count < 1)
            {
                throw new IllegalArgumentException("maxRecords must be >= 1 but was " + count);
            }
            this.maxRecords = count;
            return this;
        }

        /**
         * Ends once its positions reach the end offsets its partitions had when it got them: reads everything that
         * was written before it started (start it after the producers stopped).
         */
        public Builder readToEnd()
        {
            this.readToEnd = true;
            return this;
        }

        /** A kafka-clients consumer setting over the defaults (no auto-commit, earliest reset, 10 s API timeout). */
        public Builder property(final String key, final String value)
        {
            overrides.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
            return this;
        }

        public VerifiableConsumer build()
        {
            return new VerifiableConsumer(this);
        }
    }
}
