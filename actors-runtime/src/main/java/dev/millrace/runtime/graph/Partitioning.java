package dev.millrace.runtime.graph;

import dev.millrace.runtime.api.KeySelector;

/**
 * How records cross an edge between two operators.
 *
 * @param kind        the partitioner
 * @param keySelector the key for {@link Kind#HASH}, else null
 */
public record Partitioning(Kind kind, KeySelector<Object, Object> keySelector)
{
    /** The partitioners. */
    public enum Kind
    {
        /** Instance i sends to instance i (equal parallelism); the only edge that can be chained. */
        FORWARD,
        /** Round robin over the receiving instances. */
        REBALANCE,
        /** By key group of the record's key: murmur hash, then key-group range of each instance. */
        HASH,
        /** Every record to every receiving instance. */
        BROADCAST
    }

    /** Forward. */
    public static final Partitioning FORWARD = new Partitioning(Kind.FORWARD, null);
    /** Rebalance. */
    public static final Partitioning REBALANCE = new Partitioning(Kind.REBALANCE, null);
    /** Broadcast. */
    public static final Partitioning BROADCAST = new Partitioning(Kind.BROADCAST, null);

    public Partitioning
    {
        if ((kind == Kind.HASH) != (keySelector != null))
        {
            throw new IllegalArgumentException("a key selector is required for, and only for, HASH partitioning");
        }
    }

    /**
     * @param keySelector the key
     * @param <T>         record type
     * @return hash partitioning by that key
     */
    @SuppressWarnings("unchecked")
    public static <T> Partitioning hash(final KeySelector<T, ?> keySelector)
    {
        return new Partitioning(Kind.HASH, (KeySelector<Object, Object>) (KeySelector<?, ?>) keySelector);
    }
}
