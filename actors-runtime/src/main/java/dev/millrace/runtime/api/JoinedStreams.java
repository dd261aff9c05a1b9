package dev.millrace.runtime.api;

import dev.millrace.runtime.operators.TaggedUnion;
import dev.millrace.runtime.windows.ProcessWindowFunction;
import dev.millrace.runtime.windows.Trigger;
import dev.millrace.runtime.windows.Window;
import dev.millrace.runtime.windows.WindowAssigner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A window join ({@link DataStream#join}): {@code where(firstKey).equalTo(secondKey).window(assigner)
 * .apply(function)} emits {@code function(a, b)} for every pair of records of the two inputs with equal keys
 * in the same window, when the window fires, with the window's max timestamp. Built as a window over both
 * inputs tagged by side, so triggers, allowed lateness and the minimum-of-both-inputs event time are the
 * window operator's.
 *
 * @param <A> first input type
 * @param <B> second input type
 */
public final class JoinedStreams<A, B>
{
    private final DataStream<A> first;
    private final DataStream<B> second;

    JoinedStreams(final DataStream<A> first, final DataStream<B> second)
    {
        this.first = first;
        this.second = second;
    }

    /**
     * @param firstKey the key of the first input's records
     * @param <K>      key type
     * @return the next step: the second input's key
     */
    public <K> Where<K> where(final KeySelector<A, K> firstKey)
    {
        return new Where<>(firstKey);
    }

    /** A join with the first key set. @param <K> key type */
    public final class Where<K>
    {
        private final KeySelector<A, K> firstKey;

        private Where(final KeySelector<A, K> firstKey)
        {
            this.firstKey = firstKey;
        }

        /**
         * @param secondKey the key of the second input's records
         * @return the next step: the windows
         */
        public EqualTo equalTo(final KeySelector<B, K> secondKey)
        {
            return new EqualTo(secondKey);
        }

        /** A join with both keys set. */
        public final class EqualTo
        {
            private final KeySelector<B, K> secondKey;

            private EqualTo(final KeySelector<B, K> secondKey)
            {
                this.secondKey = secondKey;
            }

            /**
             * @param assigner the windows pairs must share
             * @param <W>      window type
             * @return the last step: the join function
             */
            public <W extends Window> WithWindow<K, A, B, W> window(final WindowAssigner<W> assigner)
            {
                return new WithWindow<>(TwoInputs.keyed(first, second, firstKey, secondKey, "Join").window(assigner));
            }
        }
    }

    /**
     * A join with keys and windows set.
     *
     * @param <K> key type
     * @param <A> first input type
     * @param <B> second input type
     * @param <W> window type
     */
    public static final class WithWindow<K, A, B, W extends Window>
    {
        private final WindowedStream<K, TaggedUnion<A, B>, W> windowed;

        WithWindow(final WindowedStream<K, TaggedUnion<A, B>, W> windowed)
        {
            this.windowed = windowed;
        }

        /**
         * @param trigger when the join windows fire instead of the assigner's default
         * @return this
         */
        public WithWindow<K, A, B, W> trigger(final Trigger<? super TaggedUnion<A, B>, ? super W> trigger)
        {
            windowed.trigger(trigger);
            return this;
        }

        /**
         * @param lateness how long after its end a join window still takes records (and fires again)
         * @return this
         */
        public WithWindow<K, A, B, W> allowedLateness(final Duration lateness)
        {
            windowed.allowedLateness(lateness);
            return this;
        }

        /**
         * @param function combines each pair
         * @param <R>      result type
         * @return the joined records
         */
        public <R> DataStream<R> apply(final JoinFunction<A, B, R> function)
        {
            return windowed.process(() -> new CrossJoin<K, A, B, R, W>(function)).name("Join");
        }
    }

    /** Splits a window's records by side and joins every pair. */
    private static final class CrossJoin<K, A, B, R, W extends Window>
        extends ProcessWindowFunction<TaggedUnion<A, B>, R, K, W>
    {
        private final JoinFunction<A, B, R> function;

        CrossJoin(final JoinFunction<A, B, R> function)
        {
            this.function = function;
        }

        @Override
        public void process(final K key, final Context context, final Iterable<TaggedUnion<A, B>> elements,
            final Collector<R> out) throws Exception
        {
            final List<A> ones = new ArrayList<>();
            final List<B> twos = new ArrayList<>();
            for (final TaggedUnion<A, B> element : elements)
            {
                if (element.isOne())
                {
                    ones.add(element.one());
                }
                else
                {
                    twos.add(element.two());
                }
            }
            for (final A one : ones)
            {
                for (final B two : twos)
                {
                    out.collect(function.join(one, two));
                }
            }
        }
    }
}
