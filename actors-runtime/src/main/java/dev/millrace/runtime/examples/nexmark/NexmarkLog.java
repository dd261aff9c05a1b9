package dev.millrace.runtime.examples.nexmark;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import dev.millrace.runtime.api.DataStream;
import dev.millrace.runtime.api.JobBuilder;
import dev.millrace.runtime.connectors.log.LogRecordDeserializer;
import dev.millrace.runtime.connectors.log.LogRecordSerializer;
import dev.millrace.runtime.connectors.log.LogSink;
import dev.millrace.runtime.connectors.log.LogSource;
import dev.millrace.runtime.time.WatermarkStrategy;
import java.time.Duration;

/**
 * Nexmark through the Millrace log: one job writes the generator's events to a topic ({@link #writeEvents}), the
 * queries of {@link NexmarkQueries} then read them from it ({@link #events}) instead of from the generator, with
 * event time tracked per partition by the log source. Each event's log timestamp is its event time, so the
 * source needs no timestamp assigner.
 *
 * <pre>{@code
 * JobBuilder writer = JobBuilder.create().setParallelism(1);          // see writeEvents
 * NexmarkLog.writeEvents(writer, NexmarkGenerator.defaults(), 60_000, "nexmark");
 * LocalJobRunner.submit(node.system(), writer.build("write")).await(timeout);
 *
 * JobBuilder reader = JobBuilder.create().setParallelism(2);
 * NexmarkQueries.q7(NexmarkLog.events(reader, "nexmark", Duration.ofMillis(200), true)).sinkTo(results);
 * }</pre>
 */
public final class NexmarkLog
{
    /** Kryo is not thread-safe and the serializers are shared by the instances: one per thread. */
    private static final ThreadLocal<Kryo> KRYO = ThreadLocal.withInitial(() ->
    {
        final Kryo kryo = new Kryo();
        kryo.register(Event.class);
        kryo.register(Person.class);
        kryo.register(Auction.class);
        kryo.register(Bid.class);
        return kryo;
    });

    private NexmarkLog()
    {
    }

    /**
     * Adds to {@code job} the generator's first {@code count} events written to {@code topic}, keyed by nothing
     * (round-robin over the partitions), each with its event time as its log timestamp. Run it at parallelism 1:
     * then each partition holds a subsequence of the generator's order, out of order by at most the generator's
     * bound; parallel writers would interleave their shares in whatever order they happened to run.
     *
     * @param job       the job
     * @param generator the events
     * @param count     how many
     * @param topic     an existing topic
     */
    public static void writeEvents(final JobBuilder job, final NexmarkGenerator generator, final long count,
        final String topic)
    {
        NexmarkQueries.events(job, generator, count)
            .sinkTo(LogSink.<Event>builder().topic(topic)
                .serializer(LogRecordSerializer.of(event -> null, NexmarkLog::serialize)).build());
    }

    /**
     * @param job               the job
     * @param topic             the topic the events were written to
     * @param maxOutOfOrderness the generator's bound (it holds per partition when one writer wrote them)
     * @param bounded           whether to read up to the end found at start and then finish
     * @return the events, with event time and watermarks per partition
     */
    public static DataStream<Event> events(final JobBuilder job, final String topic, final Duration maxOutOfOrderness,
        final boolean bounded)
    {
        final LogSource.Builder<Event> source = LogSource.<Event>builder().topic(topic)
            .deserializer(LogRecordDeserializer.values(NexmarkLog::deserialize))
            .watermarkStrategy(WatermarkStrategy.forBoundedOutOfOrderness(maxOutOfOrderness));
        return job.fromSource((bounded ? source.bounded() : source).build(), "Nexmark Log Source");
    }

    /**
     * @param event an event
     * @return its bytes
     */
    public static byte[] serialize(final Event event)
    {
        final Output output = new Output(256, -1);
        KRYO.get().writeObject(output, event);
        return output.toBytes();
    }

    /**
     * @param bytes an event's bytes
     * @return the event
     */
    public static Event deserialize(final byte[] bytes)
    {
        return KRYO.get().readObject(new Input(bytes), Event.class);
    }
}
