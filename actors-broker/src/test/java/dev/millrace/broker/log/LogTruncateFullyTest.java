package dev.millrace.broker.log;

import static dev.millrace.broker.log.TestBatches.appendOne;
import static dev.millrace.broker.log.TestBatches.batch;
import static dev.millrace.broker.log.TestBatches.readAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import dev.millrace.serialization.batch.RecordBatchFlyweight;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link Log#truncateFullyAndStartAt}: a follower whose log ends below its leader's log start restarts empty there. */
class LogTruncateFullyTest
{
    @TempDir
    Path dir;

    private final Random random = new Random(7);
    private final TestBatches.ManualClock clock = new TestBatches.ManualClock(1_700_000_000_000L);

    @Test
    void shouldDeleteEverySegmentAndRestartEmptyAtTheOffsetAcrossAReopen() throws IOException
    {
        final LogConfig config = LogConfig.defaults().withSegmentBytes(2048).withIndexIntervalBytes(256);
        try (Log log = Log.open(dir, config, clock))
        {
            for (int i = 0; i < 60; i++)
            {
                appendOne(log, batch(random, clock.nowMs, 1 + random.nextInt(4)), i < 30 ? 1 : 2);
            }
            assertTrue(log.segmentCount() > 2);
            final long end = log.logEndOffset();

            log.truncateFullyAndStartAt(end + 500);
            assertEquals(end + 500, log.logStartOffset());
            assertEquals(end + 500, log.logEndOffset());
            assertEquals(1, log.segmentCount());
            assertEquals(0, log.sizeInBytes());
            assertFalse(log.read(end + 500, 1 << 20, Long.MAX_VALUE, new FileRegion()));
            assertEquals(1, segmentFiles().size(), "only the fresh segment's file is left");

            // The leader's batches continue from there, with their own offsets and epochs.
            final byte[] fromLeader = TestBatches.request(batch(random, clock.nowMs, 3)).byteArray();
            final RecordBatchFlyweight flyweight = new RecordBatchFlyweight();
            flyweight.wrap(new UnsafeBuffer(fromLeader), 0);
            flyweight.baseOffset(end + 500);
            flyweight.partitionLeaderEpoch(3);
            log.appendAsFollower(new UnsafeBuffer(fromLeader), 0, fromLeader.length);
            assertEquals(end + 503, log.logEndOffset());
            assertEquals(3, log.leaderEpochs().latestEpoch());
            assertEquals(end + 500, log.leaderEpochs().startOffsetOf(3));
        }
        try (Log reopened = Log.open(dir, config, clock))
        {
            final long start = reopened.logStartOffset();
            assertEquals(reopened.logEndOffset() - 3, start);
            final List<TestBatches.StoredBatch> batches = readAll(reopened);
            assertEquals(1, batches.size());
            assertEquals(3, reopened.leaderEpochs().latestEpoch());
        }
    }

    @Test
    void shouldRefuseANegativeOffset()
    {
        try (Log log = Log.open(dir, LogConfig.defaults(), clock))
        {
            assertThrows(IllegalArgumentException.class, () -> log.truncateFullyAndStartAt(-1));
        }
    }

    private List<Path> segmentFiles() throws IOException
    {
        try (Stream<Path> files = Files.list(dir))
        {
            return files.filter(path -> path.getFileName().toString().endsWith(".log")).toList();
        }
    }
}
