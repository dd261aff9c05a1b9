package dev.millrace.broker.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;

import dev.millrace.broker.log.LeaderEpochCache;
import dev.millrace.broker.log.Log;
import dev.millrace.broker.log.LogConfig;
import dev.millrace.broker.partition.EpochDivergence.Diverging;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EpochDivergenceTest
{
    @TempDir
    Path dir;

    /** A log's epoch cache holding the given (epoch, start offset) pairs. */
    private LeaderEpochCache epochs(final String name, final long... pairs)
    {
        final Log log = Log.open(dir.resolve(name), LogConfig.defaults(), System::currentTimeMillis);
        for (int i = 0; i < pairs.length; i += 2)
        {
            log.leaderEpochs().assign((int)pairs[i], pairs[i + 1]);
        }
        final LeaderEpochCache cache = log.leaderEpochs();
        log.close();
        return cache;
    }

    @Test
    void shouldAcceptAFollowerWhoseLastEpochEndsAtOrAfterItsLogEndOnTheLeader()
    {
        final LeaderEpochCache leader = epochs("leader", 0, 0, 2, 50, 5, 80);
        assertNull(EpochDivergence.check(leader, 0, 100, 2, 50), "epoch 2 ends at 80 on the leader");
        assertNull(EpochDivergence.check(leader, 0, 100, 2, 80));
        assertNull(EpochDivergence.check(leader, 0, 100, 5, 100));
        assertNull(EpochDivergence.check(leader, 0, 100, -1, 0), "an empty follower has nothing to check");
        assertNull(EpochDivergence.check(leader, 40, 100, 0, 40), "at the leader's log start there is nothing to check");
    }

    @Test
    void shouldNameTheDivergingEpochAndItsEndOnTheLeader()
    {
        final LeaderEpochCache leader = epochs("leader", 0, 0, 2, 50, 5, 80);
        assertEquals(new Diverging(2, 80), EpochDivergence.check(leader, 0, 100, 2, 85), "the follower went past epoch 2");
        assertEquals(new Diverging(2, 80), EpochDivergence.check(leader, 0, 100, 3, 70), "epoch 3 is unknown: floor 2");
        assertEquals(new Diverging(5, 100), EpochDivergence.check(leader, 0, 100, 6, 101), "ahead of the leader's epoch");
        assertEquals(new Diverging(-1, 10), EpochDivergence.check(leader, 10, 100, -1, 30), "records without epochs");
        final LeaderEpochCache late = epochs("late", 4, 20);
        assertEquals(new Diverging(-1, 20), EpochDivergence.check(late, 0, 30, 3, 25), "below the leader's first epoch");
    }

    @Test
    void shouldTruncateTheFollowerToTheSmallerOfBothEndsOfTheDivergingEpoch()
    {
        // The follower led epoch 3 alone from 60; the leader has epochs 0, 2 and 5 (epoch 2 ends at 80 there).
        final LeaderEpochCache follower = epochs("follower", 0, 0, 2, 50, 3, 60);
        assertEquals(60, EpochDivergence.truncationOffset(follower, 90, 2, 80));
        assertEquals(55, EpochDivergence.truncationOffset(follower, 90, 2, 55), "the leader's end is smaller");
        assertEquals(40, EpochDivergence.truncationOffset(follower, 40, 2, 80), "never above the follower's end");
        assertEquals(10, EpochDivergence.truncationOffset(follower, 90, -1, 10), "no common epoch: the leader's answer");
        final LeaderEpochCache later = epochs("later", 4, 30);
        assertEquals(30, EpochDivergence.truncationOffset(later, 90, 2, 80), "all of the follower's epochs are unknown");
    }

    @Test
    void shouldTakeTheLastBatchEpochNotAnEpochRecordedAtTheLogEnd()
    {
        final LeaderEpochCache cache = epochs("cache", 0, 0, 2, 50, 3, 70);
        assertEquals(3, EpochDivergence.lastFetchedEpoch(cache, 71));
        assertEquals(2, EpochDivergence.lastFetchedEpoch(cache, 70), "elected at 70, nothing appended with epoch 3");
        assertEquals(-1, EpochDivergence.lastFetchedEpoch(epochs("empty"), 0));
    }
}
