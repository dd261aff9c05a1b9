package dev.millrace.runtime.state;

/**
 * A contiguous, inclusive range of key groups {@code [startKeyGroup, endKeyGroup]} owned by one operator
 * instance. Key groups are the unit that snapshots and rescaling move: an instance's keyed state is stored
 * per key group, so restoring at another parallelism hands each new instance whole key groups.
 *
 * <p>Threading: immutable.
 *
 * @param startKeyGroup first key group, inclusive
 * @param endKeyGroup   last key group, inclusive ({@code startKeyGroup - 1} for an empty range)
 */
public record KeyGroupRange(int startKeyGroup, int endKeyGroup)
{
    public KeyGroupRange
    {
        if (startKeyGroup < 0 || endKeyGroup < startKeyGroup - 1)
        {
            throw new IllegalArgumentException("invalid key group range [" + startKeyGroup + ", " + endKeyGroup + "]");
        }
    }

    /**
     * @param keyGroup a key group
     * @return whether this range holds it
     */
    public boolean contains(final int keyGroup)
    {
        return keyGroup >= startKeyGroup && keyGroup <= endKeyGroup;
    }

    /**
     * @return how many key groups the range holds
     */
    public int size()
    {
        return endKeyGroup - startKeyGroup + 1;
    }
}
