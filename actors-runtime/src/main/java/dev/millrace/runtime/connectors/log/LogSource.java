package dev.millrace.runtime.connectors.log;

import dev.millrace.broker.node.Broker;
import dev.millrace.runtime.api.Source;
import dev.millrace.runtime.api.SourceContext;
import dev.millrace.runtime.api.SourceReader;
import dev.millrace.runtime.time.WatermarkStrategy;
import java.time.Duration;
import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Reads a topic of the Millrace log. Instance {@code s} of {@code p} reads the partitions {@code q} with
 * {@code q % p == s}, each from its starting offset ({@link StartingOffsets}) or from the restored position, in
 * offset order. Bounded, it reads up to the log end offsets it finds at start and then ends; unbounded, it
 * follows the partitions with long-polling fetches.
 *
 * <p>Event time: each record carries its log timestamp, or the one a watermark strategy's assigner gives it.
 * With a {@link Builder#watermarkStrategy watermark strategy}, the source runs one watermark generator per
 * partition and emits the minimum over its partitions; a partition idle for the strategy's idleness timeout does
 * not hold it back, and when all are idle the instance's output goes idle.
 *
 * <pre>{@code
 * LogSource<String> source = LogSource.<String>builder()
 *     .topic("clicks")
 *     .deserializer(LogRecordDeserializer.utf8Values())
 *     .startingOffsets(StartingOffsets.committed("reports", StartingOffsets.earliest()))
 *     .bounded()
 *     .build();
 * job.fromSource(source, "clicks");
 * }</pre>
 *
 * @param <T> record type
 */
public final class LogSource<T> implements Source<T>
{
    private final String topic;
    private final LogRecordDeserializer<T> deserializer;
    private final StartingOffsets startingOffsets;
    private final boolean bounded;
    private final WatermarkStrategy<T> watermarkStrategy;
    private final ActorRef<Broker.Command> broker;
    private final int fetchMaxBytes;
    private final Duration fetchMaxWait;
    private final Duration requestTimeout;

    private LogSource(final Builder<T> builder)
    {
        this.topic = builder.topic;
        this.deserializer = builder.deserializer;
        this.startingOffsets = builder.startingOffsets;
        this.bounded = builder.bounded;
        this.watermarkStrategy = builder.watermarkStrategy;
        this.broker = builder.broker;
        this.fetchMaxBytes = builder.fetchMaxBytes;
        this.fetchMaxWait = builder.fetchMaxWait;
        this.requestTimeout = builder.requestTimeout;
    }

    /**
     * @param <T> record type
     * @return a builder
     */
    public static <T> Builder<T> builder()
    {
        return new Builder<>();
    }

    @Override
    public SourceReader<T> createReader(final SourceContext context)
    {
        return new LogSourceReader<>(this, context, BrokerLocator.resolve(context.system(), broker));
    }

    /** @return the topic */
    public String topic()
    {
        return topic;
    }

    LogRecordDeserializer<T> deserializer()
    {
        return deserializer;
    }

    StartingOffsets startingOffsets()
    {
        return startingOffsets;
    }

    boolean bounded()
    {
        return bounded;
    }

    WatermarkStrategy<T> watermarkStrategy()
    {
        return watermarkStrategy;
    }

    int fetchMaxBytes()
    {
        return fetchMaxBytes;
    }

    Duration fetchMaxWait()
    {
        return fetchMaxWait;
    }

    Duration requestTimeout()
    {
        return requestTimeout;
    }

    /**
     * Builds a {@link LogSource}: a topic and a deserializer are required.
     *
     * @param <T> record type
     */
    public static final class Builder<T>
    {
        private String topic;
        private LogRecordDeserializer<T> deserializer;
        private StartingOffsets startingOffsets = StartingOffsets.earliest();
        private boolean bounded;
        private WatermarkStrategy<T> watermarkStrategy;
        private ActorRef<Broker.Command> broker;
        private int fetchMaxBytes = 1 << 20;
        private Duration fetchMaxWait = Duration.ofMillis(500);
        private Duration requestTimeout = Duration.ofSeconds(30);

        private Builder()
        {
        }

        /**
         * @param name the topic to read
         * @return this builder
         */
        public Builder<T> topic(final String name)
        {
            this.topic = name;
            return this;
        }

        /**
         * @param recordDeserializer turns each log record into a stream record
         * @return this builder
         */
        public Builder<T> deserializer(final LogRecordDeserializer<T> recordDeserializer)
        {
            this.deserializer = recordDeserializer;
            return this;
        }

        /**
         * @param offsets where each partition starts (default {@link StartingOffsets#earliest()})
         * @return this builder
         */
        public Builder<T> startingOffsets(final StartingOffsets offsets)
        {
            this.startingOffsets = Objects.requireNonNull(offsets, "startingOffsets");
            return this;
        }

        /**
         * Reads up to the log end offsets found at start, then ends (a batch job, a test).
         *
         * @return this builder
         */
        public Builder<T> bounded()
        {
            this.bounded = true;
            return this;
        }

        /**
         * Follows the partitions without end (the default).
         *
         * @return this builder
         */
        public Builder<T> unbounded()
        {
            this.bounded = false;
            return this;
        }

        /**
         * @param strategy event time per partition: its assigner gives each record its timestamp (from the log
         *                 timestamp by default), one generator per partition, the minimum is emitted
         * @return this builder
         */
        public Builder<T> watermarkStrategy(final WatermarkStrategy<T> strategy)
        {
            this.watermarkStrategy = strategy;
            return this;
        }

        /**
         * @param facade the {@code Broker} facade to talk to; default: the one of the node whose actor system runs
         *               the job ({@code /system/broker})
         * @return this builder
         */
        public Builder<T> broker(final ActorRef<Broker.Command> facade)
        {
            this.broker = facade;
            return this;
        }

        /**
         * @param maxBytes soft limit of one fetch of one partition (default 1 MiB); a partition's next fetch
         *                 starts when the records of the last one were emitted
         * @param maxWait  how long a fetch waits in the partition for new records (long poll, default 500 ms)
         * @return this builder
         */
        public Builder<T> fetch(final int maxBytes, final Duration maxWait)
        {
            if (maxBytes <= 0 || maxWait.isNegative())
            {
                throw new IllegalArgumentException("fetch max bytes must be > 0 and max wait >= 0: " + maxBytes
                    + ", " + maxWait);
            }
            this.fetchMaxBytes = maxBytes;
            this.fetchMaxWait = maxWait;
            return this;
        }

        /**
         * @param timeout how long to wait for the broker's answer to a metadata or offsets request (default 30 s);
         *                no answer in time fails the job
         * @return this builder
         */
        public Builder<T> requestTimeout(final Duration timeout)
        {
            if (timeout.isNegative() || timeout.isZero())
            {
                throw new IllegalArgumentException("request timeout must be positive: " + timeout);
            }
            this.requestTimeout = timeout;
            return this;
        }

        /**
         * @return the source
         * @throws IllegalArgumentException without a topic or a deserializer
         */
        public LogSource<T> build()
        {
            if (topic == null || topic.isBlank())
            {
                throw new IllegalArgumentException("a log source needs a topic");
            }
            if (deserializer == null)
            {
                throw new IllegalArgumentException("the log source of topic '" + topic + "' needs a deserializer");
            }
            return new LogSource<>(this);
        }
    }
}
