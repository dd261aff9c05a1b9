package dev.millrace.runtime.api;

import dev.millrace.runtime.operators.WindowOperator;
import dev.millrace.runtime.state.UserCodeException;
import dev.millrace.runtime.windows.ProcessWindowFunction;
import dev.millrace.runtime.windows.WindowAssigner;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * A keyed stream cut into event-time windows. Results are emitted when the watermark passes a window's end,
 * with the window's last millisecond as their timestamp. Late records (all their windows already fired)
 * are dropped unless {@link #sideOutputLateData(OutputTag)} names a side output for them.
 *
 * @param <K> key type
 * @param <T> record type
 */
public final class WindowedStream<K, T>
{
    private final KeyedStream<K, T> input;
    private final WindowAssigner assigner;
    private OutputTag<T> lateDataTag;

    WindowedStream(final KeyedStream<K, T> input, final WindowAssigner assigner)
    {
        this.input = input;
        this.assigner = assigner;
    }

    /**
     * @param tag side output that receives late records (read it from the window's result stream)
     * @return this
     */
    public WindowedStream<K, T> sideOutputLateData(final OutputTag<T> tag)
    {
        this.lateDataTag = tag;
        return this;
    }

    /**
     * @param function combines a window's records
     * @return one reduced value per key and window
     */
    public DataStream<T> reduce(final ReduceFunction<T> function)
    {
        return aggregate(new ReduceAggregate<>(function));
    }

    /**
     * @param function aggregates a window's records
     * @param <ACC>    accumulator type
     * @param <R>      result type
     * @return one result per key and window
     */
    public <ACC, R> DataStream<R> aggregate(final AggregateFunction<T, ACC, R> function)
    {
        final OutputTag<T> late = lateDataTag;
        final KeySelector<T, K> keySelector = input.keySelector();
        return input.transform("Window", () -> new WindowOperator<K, T, ACC, R, R>(keySelector, assigner, function, null,
            late));
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
        final Supplier<? extends ProcessWindowFunction<V, R, K>> factory)
    {
        final OutputTag<T> late = lateDataTag;
        final KeySelector<T, K> keySelector = input.keySelector();
        return input.transform("Window", () -> new WindowOperator<K, T, ACC, V, R>(keySelector, assigner, function,
            factory.get(), late));
    }

    /**
     * @param factory makes one window function per instance; it receives all of a window's records
     * @param <R>     result type
     * @return the window function's results
     */
    public <R> DataStream<R> process(final Supplier<? extends ProcessWindowFunction<T, R, K>> factory)
    {
        return aggregate(new ListAggregate<>(), () -> new AllElements<>(factory.get()));
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
    private static final class AllElements<T, R, K> extends ProcessWindowFunction<List<T>, R, K>
    {
        private final ProcessWindowFunction<T, R, K> function;

        AllElements(final ProcessWindowFunction<T, R, K> function)
        {
            this.function = function;
        }

        @Override
        public void process(final K key, final Context context, final Iterable<List<T>> elements,
            final Collector<R> out) throws Exception
        {
            function.process(key, context, elements.iterator().next(), out);
        }
    }
}
