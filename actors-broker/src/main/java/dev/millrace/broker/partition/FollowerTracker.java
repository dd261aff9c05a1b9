package dev.millrace.broker.partition;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A leader's view of its followers (Kafka's replica state in {@code Partition}): each follower's log end offset as its
 * last fetch said, and when it was last caught up. From it the leader computes the high watermark (the minimum log end
 * offset over the ISR) and decides which followers leave the ISR (not caught up for {@code replica.lag.time.max.ms})
 * and which join it (caught up to the high watermark and the start of the leader's epoch).
 *
 * <p>"Caught up" follows Kafka: a fetch at the leader's log end offset catches the follower up now; a fetch at or past
 * the leader's log end offset as it was at the follower's previous fetch proves the follower was caught up then.
 *
 * <p>Threading: not thread-safe; owned by the leader's actor.
 */
final class FollowerTracker
{
    /** A follower's log end offset before its first fetch in this leadership. */
    static final long UNKNOWN = -1;

    private static final class Follower
    {
        long logEndOffset = UNKNOWN;
        long lastCaughtUpMs;
        long lastFetchMs;
        long leaderEndAtLastFetch = Long.MAX_VALUE;
    }

    private final int leaderId;
    private final Map<Integer, Follower> followers = new HashMap<>();

    FollowerTracker(final int leaderId)
    {
        this.leaderId = leaderId;
    }

    /**
     * Starts a leadership: every follower's log end offset is unknown, and every one is deemed caught up now (it gets
     * the full lag time to show that it is, as in Kafka).
     */
    void reset(final List<Integer> replicas, final long nowMs)
    {
        followers.clear();
        for (final int replica : replicas)
        {
            if (replica != leaderId)
            {
                final Follower follower = new Follower();
                follower.lastCaughtUpMs = nowMs;
                follower.lastFetchMs = nowMs;
                followers.put(replica, follower);
            }
        }
    }

    /** The replica set changed within a leadership: new followers start unknown and caught up now. */
    void replicasChanged(final List<Integer> replicas, final long nowMs)
    {
        followers.keySet().retainAll(replicas);
        for (final int replica : replicas)
        {
            if (replica != leaderId && !followers.containsKey(replica))
            {
                final Follower follower = new Follower();
                follower.lastCaughtUpMs = nowMs;
                follower.lastFetchMs = nowMs;
                followers.put(replica, follower);
            }
        }
    }

    boolean isFollower(final int replicaId)
    {
        return followers.containsKey(replicaId);
    }

    /** Records a (non-diverging) fetch of {@code replicaId} at {@code fetchOffset}, its log end offset. */
    void onFetch(final int replicaId, final long fetchOffset, final long leaderEndOffset, final long nowMs)
    {
        final Follower follower = followers.get(replicaId);
        if (follower == null)
        {
            return;
        }
        follower.logEndOffset = fetchOffset;
        if (fetchOffset >= leaderEndOffset)
        {
            follower.lastCaughtUpMs = Math.max(follower.lastCaughtUpMs, nowMs);
        }
        else if (fetchOffset >= follower.leaderEndAtLastFetch)
        {
            follower.lastCaughtUpMs = Math.max(follower.lastCaughtUpMs, follower.lastFetchMs);
        }
        follower.leaderEndAtLastFetch = leaderEndOffset;
        follower.lastFetchMs = nowMs;
    }

    /** The follower's log end offset as last reported, or {@link #UNKNOWN}. */
    long logEndOffset(final int replicaId)
    {
        final Follower follower = followers.get(replicaId);
        return follower == null ? UNKNOWN : follower.logEndOffset;
    }

    /**
     * The minimum log end offset over {@code isr} ({@code leaderEndOffset} for the leader), or {@link #UNKNOWN} when a
     * member's is not known yet.
     */
    long minIsrEndOffset(final List<Integer> isr, final long leaderEndOffset)
    {
        long min = leaderEndOffset;
        for (final int replica : isr)
        {
            if (replica == leaderId)
            {
                continue;
            }
            final long end = logEndOffset(replica);
            if (end == UNKNOWN)
            {
                return UNKNOWN;
            }
            min = Math.min(min, end);
        }
        return min;
    }

    /** ISR members (not the leader) not caught up for more than {@code lagTimeMaxMs}. */
    List<Integer> laggingInIsr(final List<Integer> isr, final long nowMs, final long lagTimeMaxMs)
    {
        final List<Integer> lagging = new ArrayList<>();
        for (final int replica : isr)
        {
            final Follower follower = followers.get(replica);
            if (replica != leaderId && follower != null && nowMs - follower.lastCaughtUpMs > lagTimeMaxMs)
            {
                lagging.add(replica);
            }
        }
        return lagging;
    }

    /**
     * Followers outside {@code isr} that may join it: their log end offset has reached both the high watermark and the
     * start offset of the leader's epoch (so they hold every record the leader has committed, and none of a previous
     * leader's that this one dropped), and they are caught up within the lag time.
     */
    List<Integer> caughtUpOutsideIsr(
        final List<Integer> isr, final long highWatermark, final long leaderEpochStartOffset, final long nowMs,
        final long lagTimeMaxMs)
    {
        final List<Integer> caughtUp = new ArrayList<>();
        for (final Map.Entry<Integer, Follower> entry : followers.entrySet())
        {
            final Follower follower = entry.getValue();
            if (!isr.contains(entry.getKey()) && follower.logEndOffset != UNKNOWN &&
                follower.logEndOffset >= highWatermark && follower.logEndOffset >= leaderEpochStartOffset &&
                nowMs - follower.lastCaughtUpMs <= lagTimeMaxMs)
            {
                caughtUp.add(entry.getKey());
            }
        }
        caughtUp.sort(null);
        return caughtUp;
    }
}
