package dev.millrace.broker.log;

import static dev.millrace.broker.log.TestBatches.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Checks that a read, which jumps through the offset index to the end of its byte budget, bounds its region exactly
 * as a walk over every batch header would: whole batches, the first always, then as many as fit in {@code maxBytes}
 * and end below {@code maxOffset}.
 */
class LogReadTest
{
    private static final long START_MS = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private final Random random = new Random(7);
    private final ManualClock clock = new ManualClock(START_MS);

    @ParameterizedTest
    @ValueSource(ints = { 0, 100, 700, 5000 })
    void shouldBoundEveryReadToTheBatchesAFullHeaderWalkWouldChoose(final int indexIntervalBytes) throws IOException
    {
        final LogConfig config = LogConfig.defaults().withSegmentBytes(16 * 1024).withIndexIntervalBytes(indexIntervalBytes);
        try (Log log = Log.open(dir, config, clock))
        {
            for (int i = 0; i < 120; i++)
            {
                final UnsafeBuffer request = request(batch(random, clock.nowMs, 1 + random.nextInt(12)));
                log.append(request, 0, request.capacity(), 0);
                clock.advance(1);
            }
            final List<StoredBatch> stored = readAll(log);
            final FileRegion region = new FileRegion();
            for (int trial = 0; trial < 3000; trial++)
            {
                final long start = random.nextInt((int)log.logEndOffset());
                final int maxBytes = random.nextInt(trial % 2 == 0 ? 600 : 20_000);
                final long maxOffset = start + 1 + random.nextInt(200);

                final boolean found = log.read(start, maxBytes, maxOffset, region);
                final long[] expected = expectedRegion(stored, log.segmentBaseOffsets(), start, maxBytes, Math.min(maxOffset, log.logEndOffset()));
                final String what = "start " + start + " maxBytes " + maxBytes + " maxOffset " + maxOffset + ": " + region;
                if (null == expected)
                {
                    assertFalse(found, what);
                    assertTrue(region.isEmpty(), what);
                    continue;
                }
                assertTrue(found, what);
                assertEquals(expected[0], region.firstOffset(), what);
                assertEquals(expected[1], region.lastOffset(), what);
                assertEquals(expected[2], region.length(), what);
                final List<StoredBatch> read = parse(bytesOf(region));
                assertEquals(expected[0], read.get(0).baseOffset(), what);
                assertEquals(expected[1], read.get(read.size() - 1).lastOffset(), what);
            }
        }
    }

    @Test
    void shouldIncludeAFirstBatchLargerThanMaxBytesAndNothingAfterIt() throws IOException
    {
        try (Log log = Log.open(dir, LogConfig.defaults().withIndexIntervalBytes(0), clock))
        {
            final UnsafeBuffer big = request(batch(random, START_MS, 50));
            log.append(big, 0, big.capacity(), 0);
            final UnsafeBuffer small = request(batch(random, START_MS, 1));
            log.append(small, 0, small.capacity(), 0);

            final FileRegion region = log.read(10, 100);
            assertEquals(0, region.firstOffset());
            assertEquals(49, region.lastOffset());
            assertEquals(big.capacity(), region.length());
        }
    }

    /** {first offset, last offset, length} of what a walk over every header chooses, or null when nothing. */
    private static long[] expectedRegion(
        final List<StoredBatch> stored, final long[] segmentBases, final long start, final int maxBytes, final long limitOffset)
    {
        int i = 0;
        while (i < stored.size() && stored.get(i).lastOffset() < start)
        {
            i++;
        }
        if (i == stored.size() || stored.get(i).lastOffset() >= limitOffset)
        {
            return null;
        }
        // A region never spans segments.
        final StoredBatch first = stored.get(i);
        long length = first.bytes().length;
        long last = first.lastOffset();
        for (int j = i + 1; j < stored.size(); j++)
        {
            final StoredBatch next = stored.get(j);
            if (next.lastOffset() >= limitOffset || length + next.bytes().length > maxBytes || Arrays.binarySearch(segmentBases, next.baseOffset()) >= 0)
            {
                break;
            }
            length += next.bytes().length;
            last = next.lastOffset();
        }
        return new long[]{ first.baseOffset(), last, length };
    }
}
