package dev.millrace.runtime.connectors.log;

import dev.millrace.broker.node.Broker;
import dev.millrace.runtime.api.Sink;
import dev.millrace.runtime.operators.StreamOperator;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Writes a stream to a topic of the Millrace log. A record with a key goes to partition
 * {@code toPositive(murmur2(key)) % partitions}, as with Kafka's default partitioner, so it lands where a Kafka
 * producer would put it; records without a key go round-robin. Each instance gathers records into one batch per
 * partition (closed at {@code batchBytes}, or as soon as the partition has no produce in flight, so batches grow
 * with the broker's latency) and produces them through the
 * {@code Broker} facade with at most one request in flight per partition (so a partition's records keep their
 * order) and {@code maxInFlightRequests} in all; it stops taking input while {@code bufferBytes} of records are
 * not yet acknowledged.
 *
 * <p>A refused produce (unknown topic, record too large, ...) or one not answered within the request timeout fails
 * the job with a {@link LogConnectorException} naming the topic, partition and error; retriable refusals (a
 * replica restarting) are retried after a pause. A job finishes only after every produce was acknowledged
 * ({@code acks} 1 or -1; with {@code acks=0} nothing is acknowledged and nothing is known).
 *
 * <pre>{@code
 * stream.sinkTo(LogSink.<Click>builder()
 *     .topic("clicks-by-user")
 *     .serializer(LogRecordSerializer.utf8(Click::user, Click::toString))
 *     .build());
 * }</pre>
 *
 * @param <T> record type
 */
public final class LogSink<T> implements Sink<T>
{
    private final String topic;
    private final LogRecordSerializer<T> serializer;
    private final short acks;
    private final int maxInFlightRequests;
    private final int batchBytes;
    private final long bufferBytes;
    private final Duration requestTimeout;
    private final int retries;
    private final ActorRef<Broker.Command> broker;

    private LogSink(final Builder<T> builder)
    {
        this.topic = builder.topic;
        this.serializer = builder.serializer;
        this.acks = builder.acks;
        this.maxInFlightRequests = builder.maxInFlightRequests;
        this.batchBytes = builder.batchBytes;
        this.bufferBytes = builder.bufferBytes;
        this.requestTimeout = builder.requestTimeout;
        this.retries = builder.retries;
        this.broker = builder.broker;
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
    public StreamOperator<T, Object> createWriter()
    {
        return new LogSinkWriter<>(this);
    }

    @Override
    public String name()
    {
        return "Log Sink " + topic;
    }

    /** @return the topic */
    public String topic()
    {
        return topic;
    }

    LogRecordSerializer<T> serializer()
    {
        return serializer;
    }

    short acks()
    {
        return acks;
    }

    int maxInFlightRequests()
    {
        return maxInFlightRequests;
    }

    int batchBytes()
    {
        return batchBytes;
    }

    long bufferBytes()
    {
        return bufferBytes;
    }

    Duration requestTimeout()
    {
        return requestTimeout;
    }

    int retries()
    {
        return retries;
    }

    ActorRef<Broker.Command> broker()
    {
        return broker;
    }

    /**
     * Builds a {@link LogSink}: a topic and a serializer are required.
     *
     * @param <T> record type
     */
    public static final class Builder<T>
    {
        private String topic;
        private LogRecordSerializer<T> serializer;
        private short acks = -1;
        private int maxInFlightRequests = 5;
        private int batchBytes = 256 * 1024;
        private long bufferBytes = 32L * 1024 * 1024;
        private Duration requestTimeout = Duration.ofSeconds(30);
        private int retries = 5;
        private ActorRef<Broker.Command> broker;

        private Builder()
        {
        }

        /**
         * @param name the topic to write (it must exist)
         * @return this builder
         */
        public Builder<T> topic(final String name)
        {
            this.topic = name;
            return this;
        }

        /**
         * @param recordSerializer a record's key and value
         * @return this builder
         */
        public Builder<T> serializer(final LogRecordSerializer<T> recordSerializer)
        {
            this.serializer = recordSerializer;
            return this;
        }

        /**
         * @param required -1 (all in-sync replicas, the default), 1 (the leader) or 0 (no acknowledgement)
         * @return this builder
         */
        public Builder<T> acks(final int required)
        {
            if (required != -1 && required != 0 && required != 1)
            {
                throw new IllegalArgumentException("acks must be -1, 0 or 1: " + required);
            }
            this.acks = (short)required;
            return this;
        }

        /**
         * @param requests produce requests in flight per instance (default 5; at most one per partition)
         * @return this builder
         */
        public Builder<T> maxInFlightRequests(final int requests)
        {
            if (requests < 1)
            {
                throw new IllegalArgumentException("max in-flight requests must be >= 1: " + requests);
            }
            this.maxInFlightRequests = requests;
            return this;
        }

        /**
         * @param bytes a partition's batch is closed once its records reach this size (default 256 KiB)
         * @return this builder
         */
        public Builder<T> batchBytes(final int bytes)
        {
            if (bytes < 1)
            {
                throw new IllegalArgumentException("batch bytes must be >= 1: " + bytes);
            }
            this.batchBytes = bytes;
            return this;
        }

        /**
         * @param bytes records not yet acknowledged above which the instance takes no more input (default 32 MiB)
         * @return this builder
         */
        public Builder<T> bufferBytes(final long bytes)
        {
            if (bytes < 1)
            {
                throw new IllegalArgumentException("buffer bytes must be >= 1: " + bytes);
            }
            this.bufferBytes = bytes;
            return this;
        }

        /**
         * @param timeout how long to wait for the broker's answer (default 30 s); none in time fails the job
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
         * @param attempts how often a batch refused with a retriable error is sent again (default 5)
         * @return this builder
         */
        public Builder<T> retries(final int attempts)
        {
            if (attempts < 0)
            {
                throw new IllegalArgumentException("retries must be >= 0: " + attempts);
            }
            this.retries = attempts;
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
         * @return the sink
         * @throws IllegalArgumentException without a topic or a serializer
         */
        public LogSink<T> build()
        {
            if (topic == null || topic.isBlank())
            {
                throw new IllegalArgumentException("a log sink needs a topic");
            }
            if (serializer == null)
            {
                throw new IllegalArgumentException("the log sink of topic '" + topic + "' needs a serializer");
            }
            return new LogSink<>(this);
        }
    }
}
