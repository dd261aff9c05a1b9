package dev.millrace.broker.log;

import static dev.millrace.broker.log.TestBatches.*;
import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import dev.millrace.serialization.batch.RecordBatchFlyweight;
import dev.millrace.serialization.compress.CompressionType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Timestamp search inside compressed batches, and the log-append time a leader stamps. */
class LogTimestampTest
{
    private static final long START_MS = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private final Random random = new Random(3);
    private final ManualClock clock = new ManualClock(START_MS);

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void shouldFindTheExactRecordReachingATimestampInsideACompressedBatch(final CompressionType type)
    {
        try (Log log = Log.open(dir, LogConfig.defaults(), clock))
        {
            appendOne(log, batch(random, START_MS, 2), 0);
            appendOne(log, compressedBatch(type, START_MS + 100, START_MS + 300, START_MS + 200, START_MS + 400), 0);

            assertEquals(2, log.offsetForTimestamp(START_MS + 100));
            assertEquals(3, log.offsetForTimestamp(START_MS + 150));
            assertEquals(3, log.offsetForTimestamp(START_MS + 250), "the first record reaching it, not the closest");
            assertEquals(5, log.offsetForTimestamp(START_MS + 301));
            assertEquals(5, log.offsetForTimestamp(START_MS + 400));
            assertEquals(-1, log.offsetForTimestamp(START_MS + 401));
        }
    }

    @Test
    void shouldStampLeaderAppendsWithTheLogAppendTimeAndIndexByIt() throws IOException
    {
        final LogConfig config = LogConfig.defaults().withMessageTimestampType(LogConfig.TimestampType.LOG_APPEND_TIME);
        try (Log log = Log.open(dir, config, clock))
        {
            // Producer timestamps far in the past and out of order: the log must ignore them.
            final UnsafeBuffer first = request(batch(random, 1_000, 3), compressedBatch(CompressionType.LZ4, 5_000, 2_000));
            final AppendResult result = log.append(first, 0, first.capacity(), 0);
            assertEquals(START_MS, result.maxTimestamp());
            clock.advance(1_000);
            appendOne(log, batch(random, 9_000, 2), 0);

            final List<StoredBatch> stored = readAll(log); // checks every CRC, ours and kafka-clients'
            assertEquals(3, stored.size());
            final RecordBatchFlyweight flyweight = new RecordBatchFlyweight();
            final long[] expectedMs = { START_MS, START_MS, START_MS + 1_000 };
            for (int i = 0; i < stored.size(); i++)
            {
                flyweight.wrap(new UnsafeBuffer(stored.get(i).bytes()), 0);
                assertTrue(flyweight.isLogAppendTime(), "batch " + i);
                assertEquals(expectedMs[i], flyweight.maxTimestamp(), "batch " + i);
            }

            assertEquals(0, log.offsetForTimestamp(1_000), "producer timestamps are not searchable any more");
            assertEquals(0, log.offsetForTimestamp(START_MS));
            assertEquals(5, log.offsetForTimestamp(START_MS + 1), "the time index and search use the stamped time");
            assertEquals(5, log.offsetForTimestamp(START_MS + 1_000));
            assertEquals(-1, log.offsetForTimestamp(START_MS + 1_001));
        }
    }

    @Test
    void shouldKeepTheLeadersTimestampsOnFollowerAppends() throws IOException
    {
        final LogConfig config = LogConfig.defaults().withMessageTimestampType(LogConfig.TimestampType.LOG_APPEND_TIME);
        try (Log log = Log.open(dir, config, clock))
        {
            final byte[] replicated = batch(random, 1_000, 2);
            final UnsafeBuffer buffer = request(replicated.clone());
            log.appendAsFollower(buffer, 0, buffer.capacity());

            assertArrayEquals(replicated, readAll(log).get(0).bytes());
            assertEquals(1, log.offsetForTimestamp(1_001), "searchable by the producer's timestamps");
        }
    }

    @Test
    void shouldKeepProducerTimestampsWithCreateTime() throws IOException
    {
        try (Log log = Log.open(dir, LogConfig.defaults(), clock))
        {
            appendOne(log, batch(random, 1_000, 3), 0);
            final RecordBatchFlyweight flyweight = new RecordBatchFlyweight().wrap(new UnsafeBuffer(readAll(log).get(0).bytes()), 0);
            assertFalse(flyweight.isLogAppendTime());
            assertEquals(1_002, flyweight.maxTimestamp());
            assertEquals(1, log.offsetForTimestamp(1_001));
        }
    }
}
