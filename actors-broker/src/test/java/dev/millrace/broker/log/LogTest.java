package dev.millrace.broker.log;

import static dev.millrace.broker.log.TestBatches.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import dev.millrace.serialization.batch.InvalidBatchException;
import dev.millrace.serialization.batch.RecordBatchDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogTest
{
    private static final long START_MS = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private final Random random = new Random(42);
    private final ManualClock clock = new ManualClock(START_MS);

    private LogConfig smallSegments()
    {
        return LogConfig.defaults().withSegmentBytes(2048).withIndexIntervalBytes(256);
    }

    /** Appends {@code count} batches of 1-5 records, timestamps following the clock; returns what was appended. */
    private List<byte[]> appendBatches(final Log log, final int count, final int epoch)
    {
        final List<byte[]> appended = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final byte[] batch = batch(random, clock.nowMs, 1 + random.nextInt(5));
            final UnsafeBuffer buffer = request(batch);
            log.append(buffer, 0, buffer.capacity(), epoch);
            appended.add(buffer.byteArray());
            clock.advance(10);
        }
        return appended;
    }

    @Test
    void shouldRoundTripAcrossSegmentRollsAndReadTheBatchContainingEveryOffset() throws IOException
    {
        try (Log log = Log.open(dir, smallSegments(), clock))
        {
            final List<byte[]> appended = appendBatches(log, 200, 0);
            assertTrue(log.segmentCount() > 5, "expected several rolls, got " + log.segmentCount());

            final List<StoredBatch> stored = readAll(log);
            assertEquals(appended.size(), stored.size());
            for (int i = 0; i < appended.size(); i++)
            {
                assertArrayEquals(appended.get(i), stored.get(i).bytes(), "batch " + i);
            }
            assertEquals(0, stored.get(0).baseOffset());
            assertEquals(log.logEndOffset(), stored.get(stored.size() - 1).lastOffset() + 1);

            for (final StoredBatch batch : stored)
            {
                for (long offset = batch.baseOffset(); offset <= batch.lastOffset(); offset++)
                {
                    final FileRegion region = log.read(offset, 1);
                    final List<StoredBatch> read = parse(bytesOf(region));
                    assertEquals(1, read.size(), "maxBytes 1 still returns exactly the first whole batch");
                    assertEquals(batch.baseOffset(), read.get(0).baseOffset(), "offset " + offset);
                    assertArrayEquals(batch.bytes(), read.get(0).bytes());
                }
            }
        }
    }

    @Test
    void shouldRespectMaxBytesExceptForTheFirstBatch() throws IOException
    {
        try (Log log = Log.open(dir, LogConfig.defaults(), clock))
        {
            appendBatches(log, 50, 0);
            for (int maxBytes = 1; maxBytes < 3000; maxBytes += 97)
            {
                final FileRegion region = log.read(0, maxBytes);
                final List<StoredBatch> read = parse(bytesOf(region));
                assertFalse(read.isEmpty());
                if (read.size() > 1)
                {
                    assertTrue(region.length() <= maxBytes, region + " for maxBytes " + maxBytes);
                }
                // Nothing more would have fit.
                final FileRegion next = log.read(region.nextOffset(), Integer.MAX_VALUE);
                final int nextSize = parse(bytesOf(next)).get(0).bytes().length;
                assertTrue(read.size() == 1 || region.length() + nextSize > maxBytes);
            }
        }
    }

    @Test
    void shouldReturnEmptyAtAndBeyondTheLogEnd()
    {
        try (Log log = Log.open(dir, LogConfig.defaults(), clock))
        {
            assertTrue(log.read(0, 100).isEmpty());
            appendBatches(log, 3, 0);
            assertTrue(log.read(log.logEndOffset(), 100).isEmpty());
            assertTrue(log.read(log.logEndOffset() + 100, 100).isEmpty());
        }
    }

    @Test
    void shouldLimitReadsToMaxOffset() throws IOException
    {
        try (Log log = Log.open(dir, LogConfig.defaults(), clock))
        {
            final UnsafeBuffer request = request(batch(random, START_MS, 3), batch(random, START_MS, 3), batch(random, START_MS, 3));
            log.append(request, 0, request.capacity(), 0);
            assertEquals(9, log.logEndOffset());

            assertEquals(5, log.read(0, Integer.MAX_VALUE, 6).lastOffset(), "only batches ending below the max offset");
            assertTrue(log.read(0, Integer.MAX_VALUE, 2).isEmpty(), "the batch containing the max offset is excluded");
            assertTrue(log.read(6, Integer.MAX_VALUE, 6).isEmpty());
            assertEquals(8, log.read(0, Integer.MAX_VALUE, 9).lastOffset());
        }
    }

    @Test
    void shouldAssignOffsetsAndStampTheEpochInPlace()
    {
        try (Log log = Log.open(dir, LogConfig.defaults(), clock))
        {
            final UnsafeBuffer request = request(batch(random, START_MS, 2), batch(random, START_MS, 4));
            final AppendResult result = log.append(request, 0, request.capacity(), 7);
            assertEquals(0, result.firstOffset());
            assertEquals(5, result.lastOffset());
            assertEquals(2, result.batchCount());
            assertEquals(6, result.recordCount());
            assertEquals(START_MS + 3, result.maxTimestamp());
            assertEquals(request.capacity(), result.sizeInBytes());

            final List<StoredBatch> parsed = parse(request.byteArray());
            assertEquals(0, parsed.get(0).baseOffset());
            assertEquals(2, parsed.get(1).baseOffset());
            assertEquals(7, parsed.get(1).epoch());
            assertEquals(7, log.leaderEpochs().latestEpoch());
            assertEquals(0, log.leaderEpochs().startOffsetOf(7));
        }
    }

    @Test
    void shouldReturnTheSameDataAfterReopen() throws IOException
    {
        final List<StoredBatch> before;
        final long end;
        try (Log log = Log.open(dir, smallSegments(), clock))
        {
            appendBatches(log, 100, 3);
            before = readAll(log);
            end = log.logEndOffset();
        }
        try (Log log = Log.open(dir, smallSegments(), clock))
        {
            assertEquals(end, log.logEndOffset());
            assertEquals(end, log.recoveryPoint());
            final List<StoredBatch> after = readAll(log);
            assertEquals(before.size(), after.size());
            for (int i = 0; i < before.size(); i++)
            {
                assertArrayEquals(before.get(i).bytes(), after.get(i).bytes());
            }
            final long last = appendOne(log, batch(random, clock.nowMs, 2), 3);
            assertEquals(end + 1, last);
        }
    }

    @Test
    void shouldRefuseTheWholeRequestWhenOneBatchIsCorrupt() throws IOException
    {
        try (Log log = Log.open(dir, LogConfig.defaults(), clock))
        {
            appendBatches(log, 2, 0);
            final long end = log.logEndOffset();
            final long size = log.sizeInBytes();
            final byte[] good = batch(random, START_MS, 3);
            final byte[] bad = batch(random, START_MS, 3);
            bad[bad.length - 1] ^= 0x5A;
            final UnsafeBuffer request = request(good, bad);
            final byte[] original = request.byteArray().clone();

            final LogException ex = assertThrows(LogException.class, () -> log.append(request, 0, request.capacity(), 0));
            assertEquals(LogException.Category.INVALID_BATCH, ex.category());
            assertEquals(InvalidBatchException.Reason.BAD_CRC, ex.batchReason());
            assertTrue(ex.getMessage().contains("at batch position " + good.length), ex.getMessage());
            assertEquals(end, log.logEndOffset());
            assertEquals(size, log.sizeInBytes());
            assertArrayEquals(original, request.byteArray(), "the request is not touched when refused");
            assertEquals(2, readAll(log).size());
        }
    }

    @Test
    void shouldRefuseTornAndMalformedRequestsWithTheirReason()
    {
        try (Log log = Log.open(dir, LogConfig.defaults(), clock))
        {
            final byte[] good = batch(random, START_MS, 3);
            final UnsafeBuffer torn = request(good);
            final LogException truncated = assertThrows(
                LogException.class, () -> log.append(torn, 0, good.length - 1, 0));
            assertEquals(InvalidBatchException.Reason.TRUNCATED, truncated.batchReason());

            final byte[] badMagic = good.clone();
            badMagic[RecordBatchDescriptor.MAGIC_OFFSET] = 1;
            final UnsafeBuffer magic = request(badMagic);
            assertEquals(InvalidBatchException.Reason.BAD_MAGIC,
                assertThrows(LogException.class, () -> log.append(magic, 0, magic.capacity(), 0)).batchReason());

            final UnsafeBuffer empty = request(good);
            assertEquals(LogException.Category.INVALID_BATCH,
                assertThrows(LogException.class, () -> log.append(empty, 0, 0, 0)).category());
            assertEquals(0, log.logEndOffset());
        }
    }

    @Test
    void shouldRefuseABatchAboveMaxMessageBytes()
    {
        try (Log log = Log.open(dir, LogConfig.defaults().withMaxMessageBytes(200), clock))
        {
            final byte[] small = batch(random, START_MS, 1);
            byte[] large = batch(random, START_MS, 20);
            assertTrue(large.length > 200);
            final UnsafeBuffer request = request(small, large);
            final LogException ex = assertThrows(LogException.class, () -> log.append(request, 0, request.capacity(), 0));
            assertEquals(LogException.Category.RECORD_TOO_LARGE, ex.category());
            assertTrue(ex.getMessage().contains(LogConfig.MAX_MESSAGE_BYTES), ex.getMessage());
            assertEquals(0, log.logEndOffset());
        }
    }

    @Test
    void shouldFenceAnAppendWithAnOlderLeaderEpoch()
    {
        try (Log log = Log.open(dir, LogConfig.defaults(), clock))
        {
            appendBatches(log, 1, 5);
            final UnsafeBuffer request = request(batch(random, START_MS, 1));
            assertEquals(LogException.Category.FENCED_LEADER_EPOCH,
                assertThrows(LogException.class, () -> log.append(request, 0, request.capacity(), 4)).category());
        }
    }

    @Test
    void shouldAppendAsFollowerKeepingOffsetsAndRefuseAGap() throws IOException
    {
        final Path leaderDir = dir.resolve("leader");
        final Path followerDir = dir.resolve("follower");
        try (Log leader = Log.open(leaderDir, smallSegments(), clock);
            Log follower = Log.open(followerDir, smallSegments(), clock))
        {
            appendBatches(leader, 10, 1);
            appendBatches(leader, 10, 2);
            while (follower.logEndOffset() < leader.logEndOffset())
            {
                final FileRegion region = leader.read(follower.logEndOffset(), 500);
                final UnsafeBuffer fetched = new UnsafeBuffer(bytesOf(region));
                final AppendResult result = follower.appendAsFollower(fetched, 0, fetched.capacity());
                assertEquals(region.firstOffset(), result.firstOffset());
            }
            final List<StoredBatch> leaderBatches = readAll(leader);
            final List<StoredBatch> followerBatches = readAll(follower);
            assertEquals(leaderBatches.size(), followerBatches.size());
            for (int i = 0; i < leaderBatches.size(); i++)
            {
                assertArrayEquals(leaderBatches.get(i).bytes(), followerBatches.get(i).bytes());
            }
            assertEquals(2, follower.leaderEpochs().latestEpoch());
            assertEquals(leader.leaderEpochs().startOffsetOf(2), follower.leaderEpochs().startOffsetOf(2));

            final UnsafeBuffer gap = new UnsafeBuffer(bytesOf(leader.read(0, 1)));
            final LogException ex = assertThrows(LogException.class, () -> follower.appendAsFollower(gap, 0, gap.capacity()));
            assertEquals(LogException.Category.NON_CONTIGUOUS, ex.category());

            final UnsafeBuffer olderEpoch = new UnsafeBuffer(bytesOf(leader.read(0, 1)));
            olderEpoch.putLong(RecordBatchDescriptor.BASE_OFFSET_OFFSET, follower.logEndOffset(), RecordBatchDescriptor.BYTE_ORDER);
            final LogException epochEx = assertThrows(
                LogException.class, () -> follower.appendAsFollower(olderEpoch, 0, olderEpoch.capacity()));
            assertEquals(LogException.Category.NON_CONTIGUOUS, epochEx.category());
            assertTrue(epochEx.getMessage().contains("leader epoch 1 below epoch 2"), epochEx.getMessage());
        }
    }

    @Test
    void shouldRefuseACorruptFollowerBatchAndAppendNothing() throws IOException
    {
        try (Log leader = Log.open(dir.resolve("leader"), LogConfig.defaults(), clock);
            Log follower = Log.open(dir.resolve("follower"), LogConfig.defaults(), clock))
        {
            appendBatches(leader, 5, 1);
            final byte[] fetched = bytesOf(leader.read(0, Integer.MAX_VALUE));
            fetched[fetched.length - 3] ^= 1;
            final UnsafeBuffer buffer = new UnsafeBuffer(fetched);
            final LogException ex = assertThrows(LogException.class, () -> follower.appendAsFollower(buffer, 0, fetched.length));
            assertEquals(InvalidBatchException.Reason.BAD_CRC, ex.batchReason());
            assertEquals(0, follower.logEndOffset());
            assertEquals(0, follower.sizeInBytes());
        }
    }

    @Test
    void shouldFailAHeldRegionWithClosedChannelWhenItsSegmentIsDeleted() throws IOException
    {
        try (Log log = Log.open(dir, smallSegments(), clock))
        {
            appendBatches(log, 100, 0);
            final FileRegion region = log.read(0, 100);
            assertFalse(region.isEmpty());
            log.deleteRecordsBefore(log.segmentBaseOffsets()[2]);
            assertThrows(java.nio.channels.ClosedChannelException.class, () -> bytesOf(region));
            assertEquals(LogException.Category.OFFSET_OUT_OF_RANGE,
                assertThrows(LogException.class, () -> log.read(0, 100)).category());
        }
    }

    @Test
    void shouldTruncateToASegmentBaseOffsetAndReopen() throws IOException
    {
        final long base;
        try (Log log = Log.open(dir, smallSegments(), clock))
        {
            appendBatches(log, 100, 0);
            base = log.segmentBaseOffsets()[3];
            assertTrue(log.truncateTo(base));
            assertEquals(4, log.segmentCount());
            assertEquals(base, log.logEndOffset());
            assertTrue(log.read(base, 100).isEmpty());
        }
        try (Log log = Log.open(dir, smallSegments(), clock))
        {
            assertEquals(base, log.logEndOffset());
            assertEquals(base + 1, appendOne(log, batch(random, clock.nowMs, 2), 0));
            assertEquals(base, log.read(base, 1).firstOffset());
        }
    }

    @Test
    void shouldFindTheFirstOffsetAtOrAfterATimestamp()
    {
        try (Log log = Log.open(dir, smallSegments(), clock))
        {
            final List<long[]> batches = new ArrayList<>();
            for (int i = 0; i < 100; i++)
            {
                final int records = 1 + random.nextInt(4);
                final long first = log.logEndOffset();
                appendOne(log, batch(random, START_MS + i * 100L, records), 0);
                batches.add(new long[]{ first, START_MS + i * 100L, START_MS + i * 100L + records - 1 });
            }
            assertEquals(0, log.offsetForTimestamp(0));
            assertEquals(0, log.offsetForTimestamp(START_MS));
            for (final long[] b : batches)
            {
                assertEquals(b[0], log.offsetForTimestamp(b[1] - 50));
                for (long ts = b[1]; ts <= b[2]; ts++)
                {
                    assertEquals(b[0] + ts - b[1], log.offsetForTimestamp(ts), "record precision at timestamp " + ts);
                }
            }
            assertEquals(-1, log.offsetForTimestamp(START_MS + 100 * 100L));
        }
    }

    @Test
    void shouldFindTheFirstRecordReachingATimestampWhenTimestampsAreOutOfOrder()
    {
        try (Log log = Log.open(dir, LogConfig.defaults(), clock))
        {
            appendOne(log, batch(random, START_MS, 2), 0);
            final UnsafeBuffer request = new UnsafeBuffer(org.apache.kafka.common.record.internal.MemoryRecords.withRecords(
                org.apache.kafka.common.compress.Compression.NONE,
                new org.apache.kafka.common.record.internal.SimpleRecord(START_MS + 100, "a".getBytes(), "1".getBytes()),
                new org.apache.kafka.common.record.internal.SimpleRecord(START_MS + 300, "b".getBytes(), "2".getBytes()),
                new org.apache.kafka.common.record.internal.SimpleRecord(START_MS + 200, "c".getBytes(), "3".getBytes()))
                .buffer());
            log.append(request, 0, request.capacity(), 0);
            assertEquals(2, log.offsetForTimestamp(START_MS + 100));
            assertEquals(3, log.offsetForTimestamp(START_MS + 150));
            assertEquals(3, log.offsetForTimestamp(START_MS + 250));
            assertEquals(3, log.offsetForTimestamp(START_MS + 300));
            assertEquals(-1, log.offsetForTimestamp(START_MS + 301));
        }
    }

    @Test
    void shouldDeleteSegmentsOlderThanRetentionMsButNeverTheActiveOne() throws IOException
    {
        final LogConfig config = smallSegments().withRetentionMs(60_000);
        try (Log log = Log.open(dir, config, clock))
        {
            appendBatches(log, 100, 0);
            final int segmentsBefore = log.segmentCount();
            assertEquals(0, log.deleteOldSegments());

            clock.advance(60_000 - 500);
            final int deleted = log.deleteOldSegments();
            assertTrue(deleted > 0 && deleted < segmentsBefore - 1, "deleted " + deleted + " of " + segmentsBefore);
            final long start = log.logStartOffset();
            assertEquals(log.segmentBaseOffsets()[0], start);
            assertEquals(start, readAll(log).get(0).baseOffset());
            final long belowStart = start - 1;
            assertEquals(LogException.Category.OFFSET_OUT_OF_RANGE,
                assertThrows(LogException.class, () -> log.read(belowStart, 100)).category());

            clock.advance(10_000_000);
            log.deleteOldSegments();
            assertEquals(1, log.segmentCount(), "the active segment stays");
            assertEquals(log.segmentBaseOffsets()[0], log.logStartOffset());
        }
        try (Log log = Log.open(dir, config, clock))
        {
            assertEquals(log.segmentBaseOffsets()[0], log.logStartOffset());
        }
    }

    @Test
    void shouldDeleteOldestSegmentsWhileTheRestStillHoldsRetentionBytes()
    {
        final LogConfig config = smallSegments().withRetentionBytes(5000);
        try (Log log = Log.open(dir, config, clock))
        {
            appendBatches(log, 150, 0);
            final long total = log.sizeInBytes();
            assertTrue(total > 10_000);
            assertTrue(log.deleteOldSegments() > 0);
            assertTrue(log.sizeInBytes() >= 5000, "kept " + log.sizeInBytes());
            assertTrue(log.sizeInBytes() < 5000 + 2048, "kept " + log.sizeInBytes());
            assertEquals(0, log.deleteOldSegments());
        }
    }

    @Test
    void shouldMoveLogStartOnDeleteRecordsBeforeAndKeepItAfterRestart() throws IOException
    {
        final long target;
        try (Log log = Log.open(dir, smallSegments(), clock))
        {
            appendBatches(log, 100, 0);
            final int segmentsBefore = log.segmentCount();
            final long[] bases = log.segmentBaseOffsets();
            target = bases[3] + 2;
            assertTrue(log.deleteRecordsBefore(target));
            assertEquals(target, log.logStartOffset());
            assertEquals(segmentsBefore - 3, log.segmentCount());
            assertEquals(LogException.Category.OFFSET_OUT_OF_RANGE,
                assertThrows(LogException.class, () -> log.read(target - 1, 100)).category());
            final FileRegion region = log.read(target, 1);
            assertTrue(region.firstOffset() <= target && region.lastOffset() >= target);
            assertFalse(log.deleteRecordsBefore(target - 1));
            final long tooFar = log.logEndOffset() + 1;
            assertEquals(LogException.Category.OFFSET_OUT_OF_RANGE,
                assertThrows(LogException.class, () -> log.deleteRecordsBefore(tooFar)).category());
        }
        try (Log log = Log.open(dir, smallSegments(), clock))
        {
            assertEquals(target, log.logStartOffset());
            assertEquals(target, log.offsetForTimestamp(0), "never answers below the log start");
        }
    }

    @Test
    void shouldContinueWithTheRightOffsetsAfterTruncateTo() throws IOException
    {
        try (Log log = Log.open(dir, smallSegments(), clock))
        {
            appendBatches(log, 60, 1);
            appendBatches(log, 60, 2);
            final List<StoredBatch> before = readAll(log);
            final StoredBatch cut = before.get(50);
            final long inside = cut.lastOffset() > cut.baseOffset() ? cut.baseOffset() + 1 : cut.baseOffset();
            assertTrue(log.truncateTo(inside));
            assertEquals(cut.baseOffset(), log.logEndOffset(), "the whole batch containing the offset goes");
            assertEquals(1, log.leaderEpochs().latestEpoch());
            assertFalse(log.truncateTo(log.logEndOffset()));

            final List<StoredBatch> after = readAll(log);
            assertEquals(50, after.size());
            for (int i = 0; i < 50; i++)
            {
                assertArrayEquals(before.get(i).bytes(), after.get(i).bytes());
            }
            final long lastOffset = appendOne(log, batch(random, clock.nowMs, 3), 3);
            assertEquals(cut.baseOffset() + 2, lastOffset);
            assertEquals(3, log.leaderEpochs().latestEpoch());
            assertEquals(cut.baseOffset(), log.leaderEpochs().startOffsetOf(3));
            assertEquals(51, readAll(log).size());
        }
        try (Log log = Log.open(dir, smallSegments(), clock))
        {
            assertEquals(51, readAll(log).size());
        }
    }

    @Test
    void shouldTruncateFullyAndRestartBelowTheLogStart() throws IOException
    {
        try (Log log = Log.open(dir, smallSegments(), clock))
        {
            appendBatches(log, 50, 0);
            log.deleteRecordsBefore(100);
            assertTrue(log.truncateTo(50));
            assertEquals(50, log.logStartOffset());
            assertEquals(50, log.logEndOffset());
            assertEquals(1, log.segmentCount());
            assertEquals(52, appendOne(log, batch(random, clock.nowMs, 3), 0));
            assertEquals(50, readAll(log).get(0).baseOffset());
        }
    }

    @Test
    void shouldRollWhenTheActiveSegmentIsOlderThanSegmentMs()
    {
        try (Log log = Log.open(dir, LogConfig.defaults().withSegmentMs(1000), clock))
        {
            appendBatches(log, 5, 0);
            assertEquals(1, log.segmentCount());
            clock.advance(2000);
            appendBatches(log, 1, 0);
            assertEquals(2, log.segmentCount());
            assertEquals(log.logEndOffset() - log.read(log.segmentBaseOffsets()[1], 1).lastOffset() - 1, 0);
        }
    }

    @Test
    void shouldMeasureSegmentAgeByRecordTimestampsSoReplayingOldDataDoesNotRollEveryAppend()
    {
        try (Log log = Log.open(dir, LogConfig.defaults().withSegmentMs(1000), clock))
        {
            final long yearAgo = START_MS - 365L * 24 * 3600 * 1000;
            for (int i = 0; i < 20; i++)
            {
                appendOne(log, batch(random, yearAgo + i * 10L, 1), 0);
            }
            assertEquals(1, log.segmentCount());
            appendOne(log, batch(random, yearAgo + 5000, 1), 0);
            assertEquals(2, log.segmentCount());
        }
    }

    @Test
    void shouldFlushByMessageCountAndCheckpointTheRecoveryPoint() throws IOException
    {
        try (Log log = Log.open(dir, LogConfig.defaults().withFlushMessages(10), clock))
        {
            int records = 0;
            while (records < 10)
            {
                assertEquals(0, log.recoveryPoint());
                final UnsafeBuffer request = request(batch(random, START_MS, 3));
                records += log.append(request, 0, request.capacity(), 0).recordCount();
            }
            assertEquals(log.logEndOffset(), log.recoveryPoint());
            final long stored = new OffsetCheckpoint(dir.resolve(OffsetCheckpoint.RECOVERY_POINT_FILE)).read(-1, -2);
            assertEquals(log.logEndOffset(), stored);
        }
    }

    @Test
    void shouldFlushByIntervalOnAppendAndWhenDue()
    {
        try (Log log = Log.open(dir, LogConfig.defaults().withFlushMs(1000), clock))
        {
            appendBatches(log, 1, 0);
            assertEquals(0, log.recoveryPoint());
            assertFalse(log.flushIfDue());
            clock.advance(1000);
            assertTrue(log.flushIfDue());
            assertEquals(log.logEndOffset(), log.recoveryPoint());
            appendBatches(log, 1, 0);
            assertTrue(log.recoveryPoint() < log.logEndOffset());
            clock.advance(1000);
            appendBatches(log, 1, 0);
            assertEquals(log.logEndOffset(), log.recoveryPoint());
        }
    }

    @Test
    void shouldFsyncEveryAppendWithFsyncOnAck()
    {
        try (Log log = Log.open(dir, LogConfig.defaults().withFsyncOnAck(true), clock))
        {
            for (int i = 0; i < 5; i++)
            {
                appendBatches(log, 1, 0);
                assertEquals(log.logEndOffset(), log.recoveryPoint());
            }
        }
    }

    @Test
    void shouldRefuseUseAfterClose()
    {
        final Log log = Log.open(dir, LogConfig.defaults(), clock);
        log.close();
        log.close();
        final UnsafeBuffer request = request(batch(random, START_MS, 1));
        assertEquals(LogException.Category.CLOSED,
            assertThrows(LogException.class, () -> log.append(request, 0, request.capacity(), 0)).category());
    }

    @Test
    void shouldNameSegmentFilesByZeroPaddedBaseOffset()
    {
        try (Log log = Log.open(dir, smallSegments(), clock))
        {
            appendBatches(log, 40, 0);
            for (final long base : log.segmentBaseOffsets())
            {
                final String stem = String.format("%020d", base);
                assertTrue(dir.resolve(stem + ".log").toFile().isFile());
                assertTrue(dir.resolve(stem + ".index").toFile().isFile());
                assertTrue(dir.resolve(stem + ".timeindex").toFile().isFile());
            }
            assertEquals("[0", Arrays.toString(log.segmentBaseOffsets()).substring(0, 2));
        }
    }
}
