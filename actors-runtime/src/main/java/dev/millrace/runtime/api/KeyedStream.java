package dev.millrace.runtime.api;

import dev.millrace.runtime.graph.Transformation;
import dev.millrace.runtime.operators.KeyedAggregateOperator;
import dev.millrace.runtime.operators.KeyedProcessOperator;
import dev.millrace.runtime.operators.KeyedReduceOperator;
import dev.millrace.runtime.windows.CountEvictor;
import dev.millrace.runtime.windows.CountTrigger;
import dev.millrace.runtime.windows.GlobalWindow;
import dev.millrace.runtime.windows.GlobalWindows;
import dev.millrace.runtime.windows.PurgingTrigger;
import dev.millrace.runtime.windows.Window;
import dev.millrace.runtime.windows.WindowAssigner;
import java.util.function.Supplier;

/**
 * A stream partitioned by key: each key's records go to one instance, which keeps the key's state and
 * timers. {@link #asDataStream()} gives the partitioned stream for non-keyed operations.
 *
 * @param <K> key type
 * @param <T> record type
 */
public final class KeyedStream<K, T>
{
    private final DataStream<T> partitioned;
    private final KeySelector<T, K> keySelector;

    KeyedStream(final JobBuilder job, final Transformation transformation, final KeySelector<T, K> keySelector)
    {
        this.partitioned = new DataStream<>(job, transformation);
        this.keySelector = keySelector;
    }

    /** @return the stream partitioned by key, for non-keyed operations after the exchange */
    public DataStream<T> asDataStream()
    {
        return partitioned;
    }

    /**
     * Adds a keyed operator written against the operator API directly.
     *
     * @param name    its display name
     * @param factory makes one operator per instance
     * @param <R>     output type
     * @return its output
     */
    public <R> DataStream<R> transform(final String name,
        final Supplier<? extends dev.millrace.runtime.operators.StreamOperator<T, R>> factory)
    {
        return partitioned.transform(name, factory, true);
    }

    /** @return the key selector */
    public KeySelector<T, K> keySelector()
    {
        return keySelector;
    }

    /**
     * @param function combines a key's records
     * @return the key's reduced value after each record
     */
    public DataStream<T> reduce(final ReduceFunction<T> function)
    {
        return transform("Reduce", () -> new KeyedReduceOperator<>(keySelector, function));
    }

    /**
     * @param function aggregates a key's records
     * @param <ACC>    accumulator type
     * @param <R>      result type
     * @return the key's aggregate after each record
     */
    public <ACC, R> DataStream<R> aggregate(final AggregateFunction<T, ACC, R> function)
    {
        return transform("Aggregate", () -> new KeyedAggregateOperator<>(keySelector, function));
    }

    /**
     * @param factory makes one function per instance
     * @param <R>     output type
     * @return the function's main output
     */
    public <R> DataStream<R> process(final Supplier<? extends KeyedProcessFunction<K, T, R>> factory)
    {
        return transform("KeyedProcess", () -> new KeyedProcessOperator<>(keySelector, factory.get()));
    }

    /**
     * @param other a keyed stream with the same key type
     * @param <B>   its record type
     * @return both streams keyed by their own selectors, for a {@link KeyedCoProcessFunction}
     */
    public <B> KeyedConnectedStreams<K, T, B> connect(final KeyedStream<K, B> other)
    {
        return new KeyedConnectedStreams<>(TwoInputs.keyed(TwoInputs.beforePartition(this),
            TwoInputs.beforePartition(other), keySelector, other.keySelector(), "Connect"));
    }

    /**
     * @param other the right side, keyed by the same key type
     * @param <B>   its record type
     * @return the interval join, to complete with {@code between(lower, upper).process(...)}
     */
    public <B> IntervalJoin<K, T, B> intervalJoin(final KeyedStream<K, B> other)
    {
        return new IntervalJoin<>(this, other);
    }

    /**
     * @param assigner the windows of each record (time, session or global)
     * @param <W>      window type
     * @return the windowed stream, to reduce, aggregate or process per key and window
     */
    public <W extends Window> WindowedStream<K, T, W> window(final WindowAssigner<W> assigner)
    {
        return new WindowedStream<>(this, assigner);
    }

    /**
     * Tumbling count windows: each key's records in groups of {@code size}, fired and purged at every
     * {@code size}-th record. A last, incomplete group does not fire.
     *
     * @param size records per window
     * @return the windowed stream
     */
    public WindowedStream<K, T, GlobalWindow> countWindow(final long size)
    {
        return window(GlobalWindows.create()).trigger(PurgingTrigger.of(CountTrigger.of(size)));
    }

    /**
     * Sliding count windows: at every {@code slide}-th record of a key, a window over its last {@code size}
     * records (fewer at the start).
     *
     * @param size  records per window
     * @param slide records between firings
     * @return the windowed stream
     */
    public WindowedStream<K, T, GlobalWindow> countWindow(final long size, final long slide)
    {
        if (size < 1 || size > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("count window size must be in [1, 2^31): " + size);
        }
        return window(GlobalWindows.create()).evictor(CountEvictor.of((int) size)).trigger(CountTrigger.of(slide));
    }
}
