package dev.millrace.runtime.api;

import dev.millrace.runtime.operators.ProcessOperator;
import dev.millrace.runtime.operators.TaggedUnion;
import java.util.function.Supplier;

/**
 * Two streams, possibly of different types, read by one operator ({@link DataStream#connect}). Its event
 * time is the minimum of both inputs' watermarks.
 *
 * @param <A> first input type
 * @param <B> second input type
 */
public final class ConnectedStreams<A, B>
{
    private final DataStream<A> first;
    private final DataStream<B> second;

    ConnectedStreams(final DataStream<A> first, final DataStream<B> second)
    {
        this.first = first;
        this.second = second;
    }

    /**
     * @param firstKey  the key of the first input's records
     * @param secondKey the key of the second input's records (equal keys meet in one instance)
     * @param <K>       key type
     * @return the connected streams partitioned by key, for keyed state and timers
     */
    public <K> KeyedConnectedStreams<K, A, B> keyBy(final KeySelector<A, K> firstKey,
        final KeySelector<B, K> secondKey)
    {
        return new KeyedConnectedStreams<>(TwoInputs.keyed(first, second, firstKey, secondKey, "Connect"));
    }

    /**
     * @param factory makes one function per instance
     * @param <R>     output type
     * @return the function's output
     */
    public <R> DataStream<R> process(final Supplier<? extends CoProcessFunction<A, B, R>> factory)
    {
        return TwoInputs.tag(first, second, "Connect").transform("CoProcess",
            () -> new ProcessOperator<>(new CoProcessAdapter<A, B, R>(factory.get())), false);
    }

    /** Dispatches each tagged record to the side's method. */
    private static final class CoProcessAdapter<A, B, R> extends ProcessFunction<TaggedUnion<A, B>, R>
    {
        private final CoProcessFunction<A, B, R> function;

        CoProcessAdapter(final CoProcessFunction<A, B, R> function)
        {
            this.function = function;
        }

        @Override
        public void open(final RuntimeContext context) throws Exception
        {
            function.open(context);
        }

        @Override
        public void processElement(final TaggedUnion<A, B> value, final Context context, final Collector<R> out)
            throws Exception
        {
            if (value.isOne())
            {
                function.processElement1(value.one(), context, out);
            }
            else
            {
                function.processElement2(value.two(), context, out);
            }
        }
    }
}
