package dev.millrace.runtime.api;

import dev.millrace.runtime.graph.OneInputTransformation;
import dev.millrace.runtime.graph.PartitionTransformation;
import dev.millrace.runtime.graph.Partitioning;
import dev.millrace.runtime.graph.SideOutputTransformation;
import dev.millrace.runtime.graph.Transformation;
import dev.millrace.runtime.graph.UnionTransformation;
import dev.millrace.runtime.operators.BehaviorOperator;
import dev.millrace.runtime.operators.FilterOperator;
import dev.millrace.runtime.operators.FlatMapOperator;
import dev.millrace.runtime.operators.MapOperator;
import dev.millrace.runtime.operators.ProcessOperator;
import dev.millrace.runtime.operators.SinkOperator;
import dev.millrace.runtime.operators.StreamOperator;
import dev.millrace.runtime.operators.TimestampsAndWatermarksOperator;
import dev.millrace.runtime.time.WatermarkStrategy;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.Behavior;

/**
 * A stream of records of one type. Every operation adds to the job and returns the resulting stream;
 * {@link #name}, {@link #uid} and {@link #setParallelism} configure the operator that produced this stream.
 *
 * <p>Functions given as plain objects (map, filter, flatMap, key selectors, sinks) may be shared by all
 * parallel instances and must be stateless or thread-safe; functions with per-instance state are given as
 * factories ({@code process(MyFunction::new)}).
 *
 * @param <T> record type
 */
public class DataStream<T>
{
    /** The job this stream belongs to. */
    protected final JobBuilder job;
    /** What produces this stream. */
    protected final Transformation transformation;

    DataStream(final JobBuilder job, final Transformation transformation)
    {
        this.job = job;
        this.transformation = transformation;
    }

    /** @return the transformation behind this stream (for the graph builder and tests) */
    public Transformation transformation()
    {
        return transformation;
    }

    /**
     * @param function one record to one record
     * @param <R>      output type
     * @return the mapped stream
     */
    public <R> DataStream<R> map(final MapFunction<T, R> function)
    {
        return transform("Map", () -> new MapOperator<>(function), false);
    }

    /**
     * @param function one record to zero or more
     * @param <R>      output type
     * @return the resulting stream
     */
    public <R> DataStream<R> flatMap(final FlatMapFunction<T, R> function)
    {
        return transform("FlatMap", () -> new FlatMapOperator<>(function), false);
    }

    /**
     * @param function keeps the records it accepts
     * @return the filtered stream
     */
    public DataStream<T> filter(final FilterFunction<T> function)
    {
        return transform("Filter", () -> new FilterOperator<>(function), false);
    }

    /**
     * @param factory makes one function per instance
     * @param <R>     output type
     * @return the function's main output
     */
    public <R> DataStream<R> process(final Supplier<? extends ProcessFunction<T, R>> factory)
    {
        return transform("Process", () -> new ProcessOperator<>(factory.get()), false);
    }

    /**
     * Processes the records with a Pekko typed behavior, one per instance: each record reaches it as the
     * message {@code toMessage} makes of it (with its timestamp), handled synchronously on the instance's
     * thread; it emits through the {@link BehaviorContext} its factory is given. No keyed state or timers here
     * ({@link KeyedStream#processWithBehavior} has them).
     *
     * @param factory   makes the instance's behavior (again after it stopped)
     * @param toMessage a record as a message
     * @param <M>       the behavior's message type
     * @param <R>       output type
     * @return what the behavior emits
     */
    public <M, R> DataStream<R> processWithBehavior(final Function<BehaviorContext<R>, Behavior<M>> factory,
        final RecordToMessage<T, M> toMessage)
    {
        return transform("Behavior", () -> new BehaviorOperator<>(factory, toMessage), false);
    }

    /**
     * @param strategy how to read event time and generate watermarks
     * @return the stream with event time
     */
    public DataStream<T> assignTimestampsAndWatermarks(final WatermarkStrategy<T> strategy)
    {
        return transform("Timestamps/Watermarks", () -> new TimestampsAndWatermarksOperator<>(strategy), false);
    }

    /**
     * @param others streams of the same type
     * @return all records of this stream and the others
     */
    @SafeVarargs
    public final DataStream<T> union(final DataStream<T>... others)
    {
        final List<Transformation> inputs = new ArrayList<>();
        inputs.add(transformation);
        for (final DataStream<T> other : others)
        {
            if (other.job != job)
            {
                throw new IllegalArgumentException("cannot union streams of two different jobs");
            }
            inputs.add(other.transformation);
        }
        return new DataStream<>(job, job.register(new UnionTransformation(job.nextId(), inputs)));
    }

    /**
     * @param other a stream of another (or the same) type
     * @param <B>   its type
     * @return both streams, to be read by one co-process function (after an optional {@code keyBy})
     */
    public <B> ConnectedStreams<T, B> connect(final DataStream<B> other)
    {
        return new ConnectedStreams<>(this, other);
    }

    /**
     * @param other the stream to join with in windows
     * @param <B>   its type
     * @return the join, to complete with {@code where(...).equalTo(...).window(...).apply(...)}
     */
    public <B> JoinedStreams<T, B> join(final DataStream<B> other)
    {
        return new JoinedStreams<>(this, other);
    }

    /**
     * @param keySelector the key of each record
     * @param <K>         key type
     * @return the stream partitioned by key group, with keyed operations
     */
    public <K> KeyedStream<K, T> keyBy(final KeySelector<T, K> keySelector)
    {
        return new KeyedStream<>(job, job.register(new PartitionTransformation(job.nextId(), transformation,
            Partitioning.hash(keySelector))), keySelector);
    }

    /** @return this stream, spread round robin over the next operator's instances */
    public DataStream<T> rebalance()
    {
        return new DataStream<>(job, job.register(new PartitionTransformation(job.nextId(), transformation,
            Partitioning.REBALANCE)));
    }

    /** @return this stream, every record to every instance of the next operator */
    public DataStream<T> broadcast()
    {
        return new DataStream<>(job, job.register(new PartitionTransformation(job.nextId(), transformation,
            Partitioning.BROADCAST)));
    }

    /** @return this stream, instance i to instance i (needs equal parallelism) */
    public DataStream<T> forward()
    {
        return new DataStream<>(job, job.register(new PartitionTransformation(job.nextId(), transformation,
            Partitioning.FORWARD)));
    }

    /**
     * @param tag a side output of the operator that produced this stream
     * @param <X> its type
     * @return its records
     */
    public <X> DataStream<X> getSideOutput(final OutputTag<X> tag)
    {
        return new DataStream<>(job, job.register(new SideOutputTransformation(job.nextId(), transformation, tag)));
    }

    /**
     * @param sink receives every record
     * @return the sink, to name and configure
     */
    public DataStreamSink sinkTo(final SinkFunction<T> sink)
    {
        final OneInputTransformation t = job.register(new OneInputTransformation(job.nextId(), "Sink", transformation,
            () -> new SinkOperator<>(sink), false, true));
        return new DataStreamSink(t);
    }

    /**
     * @param sink makes a writer per instance (e.g. the log sink)
     * @return the sink, to name and configure
     */
    public DataStreamSink sinkTo(final Sink<T> sink)
    {
        final OneInputTransformation t = job.register(new OneInputTransformation(job.nextId(), sink.name(),
            transformation, sink::createWriter, false, true));
        return new DataStreamSink(t);
    }

    /** @return a sink that prints every record to standard output */
    public DataStreamSink print()
    {
        return sinkTo(new PrintSink<>()).name("Print");
    }

    /**
     * Adds an operator written against the operator API directly.
     *
     * @param name    its display name
     * @param factory makes one operator per instance
     * @param keyed   whether it uses keyed state or timers (then its input must be keyed)
     * @param <R>     output type
     * @return its output
     */
    public <R> DataStream<R> transform(final String name, final Supplier<? extends StreamOperator<T, R>> factory,
        final boolean keyed)
    {
        return new DataStream<>(job, job.register(new OneInputTransformation(job.nextId(), name, transformation, factory,
            keyed, false)));
    }

    /**
     * @param name the operator's display name
     * @return this stream
     */
    public DataStream<T> name(final String name)
    {
        physical("name").setName(name);
        return this;
    }

    /**
     * @param uid a stable id for the operator's state in snapshots
     * @return this stream
     */
    public DataStream<T> uid(final String uid)
    {
        physical("uid").setUid(uid);
        return this;
    }

    /**
     * @param parallelism the operator's number of instances
     * @return this stream
     */
    public DataStream<T> setParallelism(final int parallelism)
    {
        if (parallelism < 1)
        {
            throw new IllegalArgumentException("parallelism must be at least 1: " + parallelism);
        }
        physical("setParallelism").setParallelism(parallelism);
        return this;
    }

    private Transformation physical(final String what)
    {
        if (!transformation.isPhysical())
        {
            throw new IllegalStateException(what + "(...) applies to an operator, but this stream comes from "
                + transformation.name() + "; call it right after the operator");
        }
        return transformation;
    }
}
