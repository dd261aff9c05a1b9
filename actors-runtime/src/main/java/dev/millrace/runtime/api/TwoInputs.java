package dev.millrace.runtime.api;

import dev.millrace.runtime.graph.PartitionTransformation;
import dev.millrace.runtime.operators.TaggedUnion;

/**
 * How two-input operations are built: each input is tagged with its side (a map chained to its producer),
 * the two tagged streams are unioned, and (when keyed) partitioned by a key selector that applies each
 * side's own selector. The operator then has one input gate over the channels of both inputs, so its
 * event time is the minimum of both inputs' watermarks, as for any union.
 */
final class TwoInputs
{
    private TwoInputs()
    {
    }

    static <A, B> DataStream<TaggedUnion<A, B>> tag(final DataStream<A> first, final DataStream<B> second,
        final String operation)
    {
        if (first.job != second.job)
        {
            throw new IllegalArgumentException("cannot " + operation + " streams of two different jobs");
        }
        final DataStream<TaggedUnion<A, B>> one = first.<TaggedUnion<A, B>>map(TaggedUnion::one)
            .name(operation + " (first input)");
        final DataStream<TaggedUnion<A, B>> two = second.<TaggedUnion<A, B>>map(TaggedUnion::two)
            .name(operation + " (second input)");
        return one.union(two);
    }

    static <A, B, K> KeyedStream<K, TaggedUnion<A, B>> keyed(final DataStream<A> first, final DataStream<B> second,
        final KeySelector<A, K> firstKey, final KeySelector<B, K> secondKey, final String operation)
    {
        return tag(first, second, operation).keyBy(new UnionKeySelector<>(firstKey, secondKey));
    }

    /** @return the stream a keyed stream partitions (the tagging map must run before the exchange) */
    static <K, T> DataStream<T> beforePartition(final KeyedStream<K, T> keyed)
    {
        final DataStream<T> partitioned = keyed.asDataStream();
        return new DataStream<>(partitioned.job,
            ((PartitionTransformation) partitioned.transformation()).input());
    }

    /** Each side's key selector, applied to its own records. */
    static final class UnionKeySelector<A, B, K> implements KeySelector<TaggedUnion<A, B>, K>
    {
        private final KeySelector<A, K> firstKey;
        private final KeySelector<B, K> secondKey;

        UnionKeySelector(final KeySelector<A, K> firstKey, final KeySelector<B, K> secondKey)
        {
            this.firstKey = firstKey;
            this.secondKey = secondKey;
        }

        @Override
        public K getKey(final TaggedUnion<A, B> value) throws Exception
        {
            return value.isOne() ? firstKey.getKey(value.one()) : secondKey.getKey(value.two());
        }
    }
}
