package dev.millrace.runtime.api;

import dev.millrace.runtime.operators.KeyedProcessOperator;
import dev.millrace.runtime.operators.TaggedUnion;
import java.util.function.Supplier;

/**
 * Two streams keyed by one key: each key's records of both inputs go to one instance, which keeps the
 * key's state and timers. Event time is the minimum of both inputs' watermarks.
 *
 * @param <K> key type
 * @param <A> first input type
 * @param <B> second input type
 */
public final class KeyedConnectedStreams<K, A, B>
{
    private final KeyedStream<K, TaggedUnion<A, B>> tagged;

    KeyedConnectedStreams(final KeyedStream<K, TaggedUnion<A, B>> tagged)
    {
        this.tagged = tagged;
    }

    /**
     * @param factory makes one function per instance
     * @param <R>     output type
     * @return the function's output
     */
    public <R> DataStream<R> process(final Supplier<? extends KeyedCoProcessFunction<K, A, B, R>> factory)
    {
        final KeySelector<TaggedUnion<A, B>, K> keySelector = tagged.keySelector();
        return tagged.transform("KeyedCoProcess",
            () -> new KeyedProcessOperator<>(keySelector, new KeyedCoProcessAdapter<K, A, B, R>(factory.get())));
    }

    /** Dispatches each tagged record to the side's method. */
    private static final class KeyedCoProcessAdapter<K, A, B, R> extends KeyedProcessFunction<K, TaggedUnion<A, B>, R>
    {
        private final KeyedCoProcessFunction<K, A, B, R> function;

        KeyedCoProcessAdapter(final KeyedCoProcessFunction<K, A, B, R> function)
        {
            this.function = function;
        }

        @Override
        public void open(final RuntimeContext context) throws Exception
        {
            function.open(context);
        }

        @Override
        public void processElement(final TaggedUnion<A, B> value, final Context<K> context, final Collector<R> out)
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

        @Override
        public void onTimer(final long timestampMs, final OnTimerContext<K> context, final Collector<R> out)
            throws Exception
        {
            function.onTimer(timestampMs, context, out);
        }
    }
}
