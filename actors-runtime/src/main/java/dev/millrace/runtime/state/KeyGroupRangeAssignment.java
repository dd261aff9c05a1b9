package dev.millrace.runtime.state;

/**
 * Maps keys to key groups and key groups to operator instances, the same way for every exchange and every
 * keyed operator, so that a record always reaches the instance that holds its key's state.
 *
 * <ul>
 *   <li>key group = murmur3 finalizer over the key's {@code hashCode()}, modulo {@code maxParallelism};</li>
 *   <li>instance {@code i} of {@code p} owns the contiguous range {@code [ceil(i*m/p), ceil((i+1)*m/p) - 1]},
 *       so key group {@code g} belongs to instance {@code g * p / m}.</li>
 * </ul>
 * Contiguous ranges are what let a later rescale move a few whole ranges instead of reshuffling every key.
 *
 * <p>Threading: stateless.
 */
public final class KeyGroupRangeAssignment
{
    /** Default upper bound of a job's parallelism, and its number of key groups. */
    public static final int DEFAULT_MAX_PARALLELISM = 128;
    /** Largest supported maxParallelism (key groups are stored in 15 bits in later formats). */
    public static final int UPPER_BOUND_MAX_PARALLELISM = 1 << 15;

    private KeyGroupRangeAssignment()
    {
    }

    /**
     * @param key            a non-null key
     * @param maxParallelism number of key groups
     * @return the key group of the key
     */
    public static int keyGroupFor(final Object key, final int maxParallelism)
    {
        if (key == null)
        {
            throw new NullPointerException("a key selector returned null; keys must not be null");
        }
        return Math.floorMod(murmurHash(key.hashCode()), maxParallelism);
    }

    /**
     * @param keyGroup       a key group
     * @param maxParallelism number of key groups
     * @param parallelism    number of instances
     * @return the index of the instance that owns the key group
     */
    public static int operatorIndexFor(final int keyGroup, final int maxParallelism, final int parallelism)
    {
        return keyGroup * parallelism / maxParallelism;
    }

    /**
     * @param maxParallelism number of key groups
     * @param parallelism    number of instances
     * @param operatorIndex  the instance
     * @return the key groups the instance owns
     */
    public static KeyGroupRange rangeFor(final int maxParallelism, final int parallelism, final int operatorIndex)
    {
        final int start = (operatorIndex * maxParallelism + parallelism - 1) / parallelism;
        final int end = ((operatorIndex + 1) * maxParallelism + parallelism - 1) / parallelism - 1;
        return new KeyGroupRange(start, end);
    }

    /**
     * The murmur3 32-bit hash of one 4-byte block (seed 0): spreads poor {@code hashCode()}s (small integers,
     * strings with shared prefixes) over the key groups.
     *
     * @param code the value to hash
     * @return a non-negative hash
     */
    public static int murmurHash(final int code)
    {
        int k = code * 0xcc9e2d51;
        k = Integer.rotateLeft(k, 15);
        k *= 0x1b873593;
        int h = Integer.rotateLeft(k, 13);
        h = h * 5 + 0xe6546b64;
        h ^= 4;
        h ^= h >>> 16;
        h *= 0x85ebca6b;
        h ^= h >>> 13;
        h *= 0xc2b2ae35;
        h ^= h >>> 16;
        return h & Integer.MAX_VALUE;
    }
}
