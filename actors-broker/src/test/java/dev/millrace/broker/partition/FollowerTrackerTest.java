package dev.millrace.broker.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

class FollowerTrackerTest
{
    private static final long LAG = 1_000;

    private final FollowerTracker tracker = new FollowerTracker(1);

    @Test
    void shouldNotKnowTheHighWatermarkUntilEveryIsrFollowerHasFetched()
    {
        tracker.reset(List.of(1, 2, 3), 0);
        assertEquals(FollowerTracker.UNKNOWN, tracker.minIsrEndOffset(List.of(1, 2, 3), 10));
        tracker.onFetch(2, 8, 10, 1);
        assertEquals(FollowerTracker.UNKNOWN, tracker.minIsrEndOffset(List.of(1, 2, 3), 10));
        tracker.onFetch(3, 6, 10, 1);
        assertEquals(6, tracker.minIsrEndOffset(List.of(1, 2, 3), 10));
        assertEquals(8, tracker.minIsrEndOffset(List.of(1, 2), 10), "a follower out of the ISR does not count");
        assertEquals(10, tracker.minIsrEndOffset(List.of(1), 10), "the leader alone: its log end offset");
    }

    @Test
    void shouldDropAFollowerFromTheIsrOnlyAfterTheLagTimeWithoutCatchingUp()
    {
        tracker.reset(List.of(1, 2, 3), 0);
        tracker.onFetch(2, 10, 10, 900);
        assertEquals(List.of(), tracker.laggingInIsr(List.of(1, 2, 3), 1_000, LAG), "within the lag time since reset");
        assertEquals(List.of(3), tracker.laggingInIsr(List.of(1, 2, 3), 1_001, LAG));
        // 2 fetches behind the leader's end but at or past where the leader ended at its previous fetch: it was caught
        // up then (900), not now.
        tracker.onFetch(2, 10, 20, 1_500);
        assertEquals(List.of(), tracker.laggingInIsr(List.of(1, 2), 1_900, LAG));
        assertEquals(List.of(2), tracker.laggingInIsr(List.of(1, 2), 2_000, LAG), "last caught up at 900, not at 1500");
    }

    @Test
    void shouldLetAFollowerJoinTheIsrOnceItReachesTheHighWatermarkAndTheLeaderEpochStart()
    {
        tracker.reset(List.of(1, 2, 3), 0);
        tracker.onFetch(3, 5, 20, 10);
        assertEquals(List.of(), tracker.caughtUpOutsideIsr(List.of(1, 2), 12, 0, 10, LAG), "below the high watermark");
        tracker.onFetch(3, 12, 20, 20);
        assertEquals(List.of(), tracker.caughtUpOutsideIsr(List.of(1, 2), 12, 15, 20, LAG), "below the epoch start");
        assertEquals(List.of(3), tracker.caughtUpOutsideIsr(List.of(1, 2), 12, 10, 20, LAG));
        assertEquals(List.of(), tracker.caughtUpOutsideIsr(List.of(1, 2, 3), 12, 10, 20, LAG), "already in the ISR");
    }

    @Test
    void shouldTrackOnlyTheReplicasOfThePartition()
    {
        tracker.reset(List.of(1, 2), 0);
        assertTrue(tracker.isFollower(2));
        assertFalse(tracker.isFollower(1), "the leader is not its own follower");
        assertFalse(tracker.isFollower(4));
        tracker.replicasChanged(List.of(1, 4), 5);
        assertFalse(tracker.isFollower(2));
        assertTrue(tracker.isFollower(4));
        assertEquals(FollowerTracker.UNKNOWN, tracker.logEndOffset(4));
    }
}
