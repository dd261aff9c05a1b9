package dev.millrace.broker.log;

import static dev.millrace.broker.log.TestBatches.*;
import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Random;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Checks the hot-path claim: appends and reads into a reused region allocate nothing per call once warm. */
class LogAllocationTest
{
    private static final int CALLS = 20_000;

    @TempDir
    Path dir;

    @Test
    void shouldNotAllocatePerAppendOrRead()
    {
        final java.lang.management.ThreadMXBean bean = ManagementFactory.getThreadMXBean();
        assumeTrue(bean instanceof com.sun.management.ThreadMXBean, "needs HotSpot's per-thread allocation counter");
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)bean;
        final long threadId = Thread.currentThread().getId();

        final ManualClock clock = new ManualClock(1_700_000_000_000L);
        final Random random = new Random(5);
        // A direct buffer, as a network layer would hand it over.
        final byte[] batch = batch(random, clock.nowMs, 4);
        final UnsafeBuffer request = new UnsafeBuffer(java.nio.ByteBuffer.allocateDirect(batch.length));
        request.putBytes(0, batch);
        final FileRegion region = new FileRegion();

        try (Log log = Log.open(dir, LogConfig.defaults(), clock))
        {
            for (int i = 0; i < CALLS; i++)
            {
                log.append(request, 0, batch.length, 0);
                log.read(random.nextInt((int)log.logEndOffset()), 4096, Long.MAX_VALUE, region);
            }

            final long before = threads.getThreadAllocatedBytes(threadId);
            for (int i = 0; i < CALLS; i++)
            {
                log.append(request, 0, batch.length, 0);
            }
            final long afterAppends = threads.getThreadAllocatedBytes(threadId);
            for (int i = 0; i < CALLS; i++)
            {
                log.read(i, 4096, Long.MAX_VALUE, region);
            }
            final long afterReads = threads.getThreadAllocatedBytes(threadId);

            // Appends: only the index arrays grow (by doubling, one entry per 4 KiB of log), a byte or two amortised.
            // Reads into a reused region: nothing.
            final double perAppend = (double)(afterAppends - before) / CALLS;
            final double perRead = (double)(afterReads - afterAppends) / CALLS;
            assertTrue(perAppend < 4, "bytes allocated per append: " + perAppend);
            assertTrue(perRead < 1, "bytes allocated per read: " + perRead);
        }
    }
}
