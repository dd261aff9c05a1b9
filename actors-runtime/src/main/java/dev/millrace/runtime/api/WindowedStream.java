package dev.millrace.runtime.api;

import dev.millrace.runtime.operators.WindowOperator;
import dev.millrace.runtime.state.UserCodeException;
import dev.millrace.runtime.windows.Evictor;
import dev.millrace.runtime.windows.MergingWindowAssigner;
import dev.millrace.runtime.windows.ProcessWindowFunction;
import dev.millrace.runtime.windows.Trigger;
import dev.millrace.runtime.windows.Window;
import dev.millrace.runtime.windows.WindowAssigner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A keyed stream cut into windows. By default a window fires when its end passes (the watermark for event
 * time, the instance's clock for processing time), with the window's last millisecond as the results'
 * timestamp; {@link #trigger} replaces that decision, {@link #evictor} trims a window's records before each
 * evaluation, {@link #allowedLateness} keeps event-time windows open for late records (each one fires the
 * window again with the updated result). Records too late even for that are dropped and counted unless
 * {@link #sideOutputLateData(OutputTag)} names a side output for them.
 *
 * @param <K> key type
 * @param <T> record type
 * @param <W> window type
 */
public final class WindowedStream<K, T, W extends Window>
{
    private final KeyedStream<K, T> input;
    private final WindowAssigner<W> assigner;
    private Trigger<? super T, ? super W> trigger;
    private Evictor<? super T, ? super W> evictor;
    private long allowedLatenessMs;
    private OutputTag<T> lateDataTag;

    WindowedStream(final KeyedStream<K, T> input, final WindowAssigner<W> assigner)
    {
        this.input = input;
        this.assigner = assigner;
    }

    /**
     * @param windowTrigger decides when windows fire and purge, instead of the assigner's default
     * @return this
     */
    public WindowedStream<K, T, W> trigger(final Trigger<? super T, ? super W> windowTrigger)
    {
        if (assigner instanceof MergingWindowAssigner<?> && !windowTrigger.canMerge())
        {
            throw new IllegalArgumentException("trigger " + windowTrigger.getClass().getSimpleName() + " cannot be "
                + "used with " + assigner.getClass().getSimpleName() + ": merging windows need a trigger whose "
                + "canMerge() is true (and that implements onMerge)");
        }
        this.trigger = windowTrigger;
        return this;
    }

    /**
     * @param windowEvictor trims a window's records before each evaluation (windows then keep all records)
     * @return this
     */
    public WindowedStream<K, T, W> evictor(final Evictor<? super T, ? super W> windowEvictor)
    {
        this.evictor = windowEvictor;
        return this;
    }

    /**
     * @param lateness how long after its end (in event time) a window still takes records and fires again
     * @return this
     */
    public WindowedStream<K, T, W> allowedLateness(final Duration lateness)
    {
        if (lateness.isNegative())
        {
            throw new IllegalArgumentException("allowed lateness must not be negative: " + lateness);
        }
        if (!assigner.isEventTime() && !lateness.isZero())
        {
            throw new IllegalArgumentException("allowed lateness applies to event-time windows only; "
                + assigner.getClass().getSimpleName() + " is not in event time");
        }
        this.allowedLatenessMs = lateness.toMillis();
        return this;
    }

    /**
     * @param tag side output that receives late records (read it from the window's result stream)
     * @return this
     */
    public WindowedStream<K, T, W> sideOutputLateData(final OutputTag<T> tag)
    {
        this.lateDataTag = tag;
        return this;
    }

    /**
     * @param function combines a window's records
     * @return one reduced value per key and window firing
     */
    public DataStream<T> reduce(final ReduceFunction<T> function)
    {
        return aggregate(new ReduceAggregate<>(function));
    }

    /**
     * @param function combines a window's records
     * @param factory  makes one window function per instance; it receives the single reduced value
     * @param <R>      result type
     * @return the window function's results
     */
    public <R> DataStream<R> reduce(final ReduceFunction<T> function,
        final Supplier<? extends ProcessWindowFunction<T, R, K, W>> factory)
    {
        return aggregate(new ReduceAggregate<>(function), factory);
    }

    /**
     * @param function aggregates a window's records
     * @param <ACC>    accumulator type
     * @param <R>      result type
     * @return one result per key and window firing
     */
    public <ACC, R> DataStream<R> aggregate(final AggregateFunction<T, ACC, R> function)
    {
        return build(function, null);
    }

    /**
     * @param function aggregates a window's records
     * @param factory  makes one window function per instance; it receives the single aggregate
     * @param <ACC>    accumulator type
     * @param <V>      aggregate type
     * @param <R>      result type
     * @return the window function's results
     */
    public <ACC, V, R> DataStream<R> aggregate(final AggregateFunction<T, ACC, V> function,
        final Supplier<? extends ProcessWindowFunction<V, R, K, W>> factory)
    {
        return build(function, factory);
    }

    /**
     * @param factory makes one window function per instance; it receives all of a window's records
     * @param <R>     result type
     * @return the window function's results
     */
    public <R> DataStream<R> process(final Supplier<? extends ProcessWindowFunction<T, R, K, W>> factory)
    {
        return aggregate(new ListAggregate<>(), () -> new AllElements<>(factory.get()));
    }

    private <ACC, V, R> DataStream<R> build(final AggregateFunction<T, ACC, V> function,
        final Supplier<? extends ProcessWindowFunction<V, R, K, W>> factory)
    {
        final KeySelector<T, K> keySelector = input.keySelector();
        final WindowAssigner<W> windowAssigner = assigner;
        final Trigger<? super T, ? super W> windowTrigger = trigger;
        final Evictor<? super T, ? super W> windowEvictor = evictor;
        final long lateness = allowedLatenessMs;
        final OutputTag<T> late = lateDataTag;
        return input.transform("Window", () -> new WindowOperator<K, T, ACC, V, R, W>(keySelector, windowAssigner,
            windowTrigger, lateness, function, windowEvictor, factory == null ? null : factory.get(), late));
    }

    /** Reduce as an aggregation: the accumulator holds the value so far (an empty list before the first). */
    private static final class ReduceAggregate<T> implements AggregateFunction<T, ArrayList<T>, T>
    {
        private final ReduceFunction<T> function;

        ReduceAggregate(final ReduceFunction<T> function)
        {
            this.function = function;
        }

        @Override
        public ArrayList<T> createAccumulator()
        {
            return new ArrayList<>(1);
        }

        @Override
        public ArrayList<T> add(final T value, final ArrayList<T> accumulator)
        {
            if (accumulator.isEmpty())
            {
                accumulator.add(value);
            }
            else
            {
                try
                {
                    accumulator.set(0, function.reduce(accumulator.get(0), value));
                }
                catch (final RuntimeException e)
                {
                    throw e;
                }
                catch (final Exception e)
                {
                    throw new UserCodeException(e);
                }
            }
            return accumulator;
        }

        @Override
        public T getResult(final ArrayList<T> accumulator)
        {
            return accumulator.get(0);
        }

        @Override
        public ArrayList<T> merge(final ArrayList<T> a, final ArrayList<T> b)
        {
            if (b.isEmpty())
            {
                return a;
            }
            return add(b.get(0), a);
        }
    }

    /** Keeps every record of a window, for process window functions. */
    private static final class ListAggregate<T> implements AggregateFunction<T, ArrayList<T>, List<T>>
    {
        @Override
        public ArrayList<T> createAccumulator()
        {
            return new ArrayList<>();
        }

        @Override
        public ArrayList<T> add(final T value, final ArrayList<T> accumulator)
        {
            accumulator.add(value);
            return accumulator;
        }

        @Override
        public List<T> getResult(final ArrayList<T> accumulator)
        {
            return accumulator;
        }

        @Override
        public ArrayList<T> merge(final ArrayList<T> a, final ArrayList<T> b)
        {
            a.addAll(b);
            return a;
        }
    }

    /** Hands the list aggregate's elements to the user's window function. */
    private static final class AllElements<T, R, K, W extends Window> extends ProcessWindowFunction<List<T>, R, K, W>
    {
        private final ProcessWindowFunction<T, R, K, W> function;
        private ProcessWindowFunction<List<T>, R, K, W>.Context outer;
        private ProcessWindowFunction<T, R, K, W>.Context inner;

        AllElements(final ProcessWindowFunction<T, R, K, W> function)
        {
            this.function = function;
        }

        @Override
        public void process(final K key, final Context context, final Iterable<List<T>> elements,
            final Collector<R> out) throws Exception
        {
            if (inner == null)
            {
                inner = function.new Context()
                {
                    @Override
                    public W window()
                    {
                        return outer.window();
                    }

                    @Override
                    public long currentWatermark()
                    {
                        return outer.currentWatermark();
                    }

                    @Override
                    public long currentProcessingTime()
                    {
                        return outer.currentProcessingTime();
                    }

                    @Override
                    public <X> void output(final OutputTag<X> tag, final X value)
                    {
                        outer.output(tag, value);
                    }
                };
            }
            outer = context;
            function.process(key, inner, elements.iterator().next(), out);
        }
    }
}
