package dev.millrace.broker.log;

import static dev.millrace.broker.log.TestBatches.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.channels.ClosedChannelException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogConcurrencyTest
{
    private static final long START_MS = 1_700_000_000_000L;
    private static final int BATCHES = 20_000;

    @TempDir
    Path dir;

    @Test
    void shouldServeOnlyWholeValidBatchesToReadersWhileOneWriterAppendsAndDeletes()
    {
        assertTimeoutPreemptively(Duration.ofSeconds(90), () ->
        {
            final ManualClock clock = new ManualClock(START_MS);
            final LogConfig config = LogConfig.defaults().withSegmentBytes(16 * 1024).withIndexIntervalBytes(512);
            try (Log log = Log.open(dir, config, clock))
            {
                final AtomicReference<Throwable> failure = new AtomicReference<>();
                final AtomicLong batchesRead = new AtomicLong();
                final CountDownLatch started = new CountDownLatch(2);
                final Thread[] readers = new Thread[2];
                for (int r = 0; r < readers.length; r++)
                {
                    final long seed = r;
                    readers[r] = new Thread(() -> readUntilEnd(log, seed, started, failure, batchesRead), "reader-" + r);
                    readers[r].start();
                }
                started.await();

                final Random random = new Random(99);
                final byte[][] templates = new byte[16][];
                for (int i = 0; i < templates.length; i++)
                {
                    templates[i] = batch(random, START_MS, 1 + random.nextInt(8));
                }
                for (int i = 0; i < BATCHES && null == failure.get(); i++)
                {
                    final UnsafeBuffer request = request(templates[random.nextInt(templates.length)].clone());
                    log.append(request, 0, request.capacity(), 0);
                    if (i % 2000 == 1999)
                    {
                        // Retention running under the readers' feet.
                        log.deleteRecordsBefore(log.logEndOffset() / 4);
                    }
                }
                for (final Thread reader : readers)
                {
                    reader.join();
                }
                if (null != failure.get())
                {
                    fail("reader failed", failure.get());
                }
                assertTrue(batchesRead.get() > 0);
            }
        });
    }

    /** Follows the log from its start to the end the writer will reach, validating every batch it is handed. */
    private static void readUntilEnd(
        final Log log, final long seed, final CountDownLatch started, final AtomicReference<Throwable> failure,
        final AtomicLong batchesRead)
    {
        started.countDown();
        final Random random = new Random(seed);
        final FileRegion region = new FileRegion();
        long next = 0;
        long spins = 0;
        try
        {
            while (null == failure.get() && (log.logEndOffset() < expectedEndAtLeast() || next < log.logEndOffset()))
            {
                try
                {
                    if (!log.read(next, 1 + random.nextInt(8192), Long.MAX_VALUE, region))
                    {
                        // Caught up with the writer: spin on (bounded by the writer's progress and the test timeout).
                        Thread.onSpinWait();
                        if (++spins > 500_000_000L)
                        {
                            throw new AssertionError("reader made no progress at " + next);
                        }
                        continue;
                    }
                    final List<StoredBatch> batches = parse(bytesOf(region));
                    assertFalse(batches.isEmpty());
                    assertTrue(batches.get(0).baseOffset() <= next && batches.get(0).lastOffset() >= next,
                        "first batch contains the offset asked for");
                    batchesRead.addAndGet(batches.size());
                    next = region.nextOffset();
                }
                catch (final LogException ex)
                {
                    if (ex.category() != LogException.Category.OFFSET_OUT_OF_RANGE)
                    {
                        throw ex;
                    }
                    next = log.logStartOffset();
                }
                catch (final ClosedChannelException ex)
                {
                    // The segment was deleted after we got the region: read again from the same offset.
                    next = Math.max(next, log.logStartOffset());
                }
            }
        }
        catch (final Throwable t)
        {
            failure.compareAndSet(null, t);
        }
    }

    private static long expectedEndAtLeast()
    {
        // Every batch holds at least one record.
        return BATCHES;
    }
}
