package dev.millrace.broker.log;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LeaderEpochCacheTest
{
    @TempDir
    Path dir;

    private LeaderEpochCache withEpochs() throws IOException
    {
        final LeaderEpochCache cache = LeaderEpochCache.load(dir);
        cache.assign(1, 0);
        cache.assign(1, 5);
        cache.assign(3, 10);
        cache.assign(4, 25);
        return cache;
    }

    @Test
    void shouldAnswerEndOffsetForEachEpoch() throws IOException
    {
        final LeaderEpochCache cache = withEpochs();
        assertEquals(3, cache.size());
        assertEquals(0, cache.startOffsetOf(1), "re-assigning the latest epoch keeps its first start offset");
        assertEquals(10, cache.endOffsetFor(1, 40));
        assertEquals(10, cache.endOffsetFor(2, 40), "an epoch this log never had ends where the next one starts");
        assertEquals(1, cache.floorEpoch(2));
        assertEquals(25, cache.endOffsetFor(3, 40));
        assertEquals(40, cache.endOffsetFor(4, 40), "the latest epoch ends at the log end");
        assertEquals(40, cache.endOffsetFor(9, 40));
        assertEquals(LeaderEpochCache.UNDEFINED_OFFSET, cache.endOffsetFor(0, 40));
        assertEquals(LeaderEpochCache.UNDEFINED_EPOCH, cache.floorEpoch(0));
    }

    @Test
    void shouldRoundTripThroughItsFile() throws IOException
    {
        withEpochs();
        final LeaderEpochCache reloaded = LeaderEpochCache.load(dir);
        assertEquals(3, reloaded.size());
        assertEquals(4, reloaded.latestEpoch());
        assertEquals(25, reloaded.startOffsetOf(4));
        assertEquals(10, reloaded.startOffsetAt(1));
        assertFalse(Files.exists(dir.resolve(LeaderEpochCache.FILE_NAME + ".tmp")));
    }

    @Test
    void shouldTruncateFromEndAndStartAndPersistIt() throws IOException
    {
        final LeaderEpochCache cache = withEpochs();
        cache.truncateFromEnd(25);
        assertEquals(3, cache.latestEpoch());
        cache.truncateFromStart(12);
        assertEquals(1, cache.size());
        assertEquals(12, cache.startOffsetOf(3));

        final LeaderEpochCache reloaded = LeaderEpochCache.load(dir);
        assertEquals(1, reloaded.size());
        assertEquals(3, reloaded.epochAt(0));
        assertEquals(12, reloaded.startOffsetAt(0));
    }

    @Test
    void shouldReplaceConflictingEntriesWhenAnEpochStartsEarlier() throws IOException
    {
        final LeaderEpochCache cache = withEpochs();
        cache.assign(5, 20);
        assertEquals(3, cache.size());
        assertEquals(5, cache.latestEpoch());
        assertEquals(LeaderEpochCache.UNDEFINED_OFFSET, cache.startOffsetOf(4));
    }

    @Test
    void shouldRefuseACorruptFileWithAnInstruction() throws IOException
    {
        withEpochs();
        try (RandomAccessFile file = new RandomAccessFile(dir.resolve(LeaderEpochCache.FILE_NAME).toFile(), "rw"))
        {
            file.seek(14);
            file.write(0x7F);
        }
        final LogException ex = assertThrows(LogException.class, () -> LeaderEpochCache.load(dir));
        assertEquals(LogException.Category.CORRUPT, ex.category());
        assertTrue(ex.getMessage().contains("delete it"), ex.getMessage());
    }

    @Test
    void shouldBeEmptyWithoutAFile() throws IOException
    {
        final LeaderEpochCache cache = LeaderEpochCache.load(dir);
        assertEquals(0, cache.size());
        assertEquals(LeaderEpochCache.UNDEFINED_EPOCH, cache.latestEpoch());
        cache.assign(-1, 0);
        assertEquals(0, cache.size());
    }
}
