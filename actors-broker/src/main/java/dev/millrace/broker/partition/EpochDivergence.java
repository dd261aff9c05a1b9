package dev.millrace.broker.partition;

import dev.millrace.broker.log.LeaderEpochCache;

/**
 * KIP-320's divergence arithmetic over leader-epoch caches, for both sides of a replica fetch: the leader checks that
 * a follower's log, ending at {@code fetchOffset} with a batch of {@code lastFetchedEpoch}, is a prefix of its own
 * ({@link #check}); a follower told it is not computes where to truncate ({@link #truncationOffset}).
 *
 * <p>Pure functions; no state.
 */
final class EpochDivergence
{
    /** Where the follower's log stops agreeing: the leader's largest epoch at or below the follower's, and its end. */
    record Diverging(int epoch, long endOffset)
    {
    }

    private EpochDivergence()
    {
    }

    /**
     * The leader's check; null when the follower's log agrees with the leader's up to {@code fetchOffset}.
     *
     * @param epochs           the leader's epoch cache
     * @param logStartOffset   the leader's log start offset (nothing below it can be checked: a fetch there or below
     *                         is answered from the log start)
     * @param logEndOffset     the leader's log end offset
     * @param lastFetchedEpoch the epoch of the follower's last batch, -1 when its log has none
     * @param fetchOffset      the follower's log end offset
     */
    static Diverging check(
        final LeaderEpochCache epochs, final long logStartOffset, final long logEndOffset, final int lastFetchedEpoch,
        final long fetchOffset)
    {
        if (fetchOffset <= logStartOffset)
        {
            return null;
        }
        if (lastFetchedEpoch < 0)
        {
            // Records without epochs: nothing vouches for them; keep only what is below the log start.
            return new Diverging(LeaderEpochCache.UNDEFINED_EPOCH, logStartOffset);
        }
        final int floor = epochs.floorEpoch(lastFetchedEpoch);
        if (floor < 0)
        {
            return new Diverging(LeaderEpochCache.UNDEFINED_EPOCH, epochs.size() > 0 ? epochs.startOffsetAt(0) : logStartOffset);
        }
        final long end = epochs.endOffsetFor(floor, logEndOffset);
        return floor == lastFetchedEpoch && end >= fetchOffset ? null : new Diverging(floor, end);
    }

    /**
     * The follower's truncation point after the leader said its log diverges: the smaller of the leader's end offset for
     * the diverging epoch and the follower's own end offset for it (where the follower's later epochs begin, which the
     * leader never had), never above the follower's log end.
     */
    static long truncationOffset(
        final LeaderEpochCache ownEpochs, final long ownLogEndOffset, final int divergingEpoch, final long divergingEndOffset)
    {
        long target = Math.min(divergingEndOffset, ownLogEndOffset);
        if (divergingEpoch >= 0)
        {
            final long own = ownEpochs.endOffsetFor(divergingEpoch, ownLogEndOffset);
            final long ownEnd = own != LeaderEpochCache.UNDEFINED_OFFSET ? own :
                ownEpochs.size() > 0 ? ownEpochs.startOffsetAt(0) : ownLogEndOffset;
            target = Math.min(target, ownEnd);
        }
        return Math.max(target, 0);
    }

    /**
     * The epoch of the last batch of a log: its latest epoch that starts below the log end (a leader records its epoch
     * when elected, before it appends anything with it), -1 when there is none.
     */
    static int lastFetchedEpoch(final LeaderEpochCache epochs, final long logEndOffset)
    {
        for (int i = epochs.size() - 1; i >= 0; i--)
        {
            if (epochs.startOffsetAt(i) < logEndOffset)
            {
                return epochs.epochAt(i);
            }
        }
        return LeaderEpochCache.UNDEFINED_EPOCH;
    }
}
