package dev.millrace.broker.log;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IndexTest
{
    private static final long BASE = 1000;

    @TempDir
    Path dir;

    @Test
    void shouldAnswerTheSameLookupsActiveSealedAndReloaded() throws IOException
    {
        final Path file = dir.resolve("00000000000000001000.index");
        final OffsetIndex index = OffsetIndex.create(file, BASE);
        for (int i = 0; i < 500; i++)
        {
            index.append(BASE + i * 10L + 9, i * 4096);
        }
        assertLookups(index);
        index.seal();
        assertTrue(index.isSealed());
        assertLookups(index);

        final OffsetIndex reloaded = OffsetIndex.load(file, BASE, BASE + 5000, 500 * 4096);
        assertNotNull(reloaded);
        assertEquals(500, reloaded.entryCount());
        assertLookups(reloaded);
        assertNull(OffsetIndex.load(file, BASE, BASE + 100, 500 * 4096), "an entry beyond the segment's offsets fails the check");
    }

    private static void assertLookups(final OffsetIndex index)
    {
        assertEquals(0, index.lookup(BASE));
        assertEquals(0, index.lookup(BASE + 9));
        assertEquals(4096, index.lookup(BASE + 19));
        assertEquals(4096, index.lookup(BASE + 20));
        assertEquals(499 * 4096, index.lookup(Long.MAX_VALUE / 2));
        assertEquals(499 * 4096, index.lastPosition());
    }

    @Test
    void shouldKeepServingASealedIndexAfterItsFileIsDeletedOrRewritten() throws IOException
    {
        final Path file = dir.resolve("00000000000000001000.index");
        final OffsetIndex index = OffsetIndex.create(file, BASE);
        for (int i = 0; i < 100; i++)
        {
            index.append(BASE + i * 10L + 9, i * 100);
        }
        index.seal();
        final OffsetIndex sealedView = OffsetIndex.load(file, BASE, BASE + 1000, 100 * 100);
        assertNotNull(sealedView);

        // Truncation writes a new file: the old mapping still reads the old entries.
        index.truncateToPosition(5000);
        assertFalse(index.isSealed());
        assertEquals(50, index.entryCount());
        assertEquals(4900, index.lookup(BASE + 10_000));
        assertEquals(9900, sealedView.lookup(BASE + 10_000));

        Files.delete(file);
        assertEquals(9900, sealedView.lookup(BASE + 10_000));
        index.close();
    }

    @Test
    void shouldKeepTimeIndexTimestampsStrictlyIncreasingAndSearchPastLowerEntries() throws IOException
    {
        final Path file = dir.resolve("00000000000000001000.timeindex");
        final TimeIndex index = TimeIndex.create(file, BASE);
        index.maybeAppend(100, BASE + 5);
        index.maybeAppend(100, BASE + 8);
        index.maybeAppend(90, BASE + 9);
        index.maybeAppend(200, BASE + 20);
        assertEquals(2, index.entryCount());
        assertEquals(BASE, index.searchStartOffset(100));
        assertEquals(BASE + 6, index.searchStartOffset(101));
        assertEquals(BASE + 21, index.searchStartOffset(201));
        index.seal();
        assertEquals(BASE + 6, index.searchStartOffset(150));
        assertEquals(200, index.lastTimestamp());
        assertEquals(BASE + 20, index.lastOffset());

        index.truncateToOffset(BASE + 20);
        assertEquals(1, index.entryCount());
        assertEquals(100, index.lastTimestamp());
        final TimeIndex reloaded = TimeIndex.load(file, BASE, BASE + 100);
        assertNotNull(reloaded);
        assertEquals(1, reloaded.entryCount());
        index.close();
    }

    @Test
    void shouldWriteTheSameBytesActiveSealedAndUnsealed() throws IOException
    {
        final Path offsetFile = dir.resolve("00000000000000001000.index");
        final OffsetIndex offsetIndex = OffsetIndex.create(offsetFile, BASE);
        final Path timeFile = dir.resolve("00000000000000001000.timeindex");
        final TimeIndex timeIndex = TimeIndex.create(timeFile, BASE);
        final ByteBuffer expectedOffsets = ByteBuffer.allocate(8 + 3 * 8).putInt(0x4D524F49).putInt(1);
        final ByteBuffer expectedTimes = ByteBuffer.allocate(8 + 3 * 12).putInt(0x4D525449).putInt(1);
        for (int i = 0; i < 2; i++)
        {
            offsetIndex.append(BASE + i * 10L + 9, i * 100 + 1);
            timeIndex.maybeAppend(1_000_000_000_000L + i, BASE + i * 10L + 9);
            expectedOffsets.putInt(i * 10 + 9).putInt(i * 100 + 1);
            expectedTimes.putLong(1_000_000_000_000L + i).putInt(i * 10 + 9);
        }
        offsetIndex.flush();
        timeIndex.flush();
        assertArrayEquals(Arrays.copyOf(expectedOffsets.array(), 8 + 2 * 8), Files.readAllBytes(offsetFile));
        assertArrayEquals(Arrays.copyOf(expectedTimes.array(), 8 + 2 * 12), Files.readAllBytes(timeFile));

        offsetIndex.seal();
        timeIndex.seal();
        assertArrayEquals(Arrays.copyOf(expectedOffsets.array(), 8 + 2 * 8), Files.readAllBytes(offsetFile));
        assertArrayEquals(Arrays.copyOf(expectedTimes.array(), 8 + 2 * 12), Files.readAllBytes(timeFile));

        offsetIndex.unseal();
        timeIndex.unseal();
        assertArrayEquals(Arrays.copyOf(expectedOffsets.array(), 8 + 2 * 8), Files.readAllBytes(offsetFile));
        assertArrayEquals(Arrays.copyOf(expectedTimes.array(), 8 + 2 * 12), Files.readAllBytes(timeFile));

        offsetIndex.append(BASE + 29, 201);
        timeIndex.maybeAppend(1_000_000_000_002L, BASE + 29);
        expectedOffsets.putInt(29).putInt(201);
        expectedTimes.putLong(1_000_000_000_002L).putInt(29);
        offsetIndex.close();
        timeIndex.close();
        assertArrayEquals(expectedOffsets.array(), Files.readAllBytes(offsetFile));
        assertArrayEquals(expectedTimes.array(), Files.readAllBytes(timeFile));
        assertEquals(201, offsetIndex.lookup(BASE + 29));
        assertEquals(BASE + 30, timeIndex.searchStartOffset(1_000_000_000_003L));
    }
}
