package dev.millrace.broker.log;

import static dev.millrace.broker.log.TestBatches.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.Random;

import dev.millrace.serialization.batch.InvalidBatchException;
import dev.millrace.serialization.batch.RecordBatchDescriptor;
import dev.millrace.serialization.batch.RecordBatchFlyweight;
import dev.millrace.serialization.compress.CompressionType;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Leader appends check every record of untrusted producer batches; follower appends check header and CRC only. */
class LogAppendValidationTest
{
    private static final long START_MS = 1_700_000_000_000L;

    @TempDir
    Path dir;

    private final Random random = new Random(11);
    private final ManualClock clock = new ManualClock(START_MS);

    /** A batch whose first record claims more bytes than the batch holds, with a CRC that matches the damage. */
    private static UnsafeBuffer withBrokenFirstRecord(final byte[] batch)
    {
        final UnsafeBuffer buffer = request(batch.clone());
        // The first record's length varint: zigzag 0x7E = 63 ... make it a large positive length.
        buffer.putByte(RecordBatchDescriptor.RECORDS_OFFSET, (byte)0xFE);
        buffer.putByte(RecordBatchDescriptor.RECORDS_OFFSET + 1, (byte)0x7F);
        new RecordBatchFlyweight().wrap(buffer, 0).updateCrc();
        return buffer;
    }

    @Test
    void shouldRefuseALeaderBatchWhoseRecordsDoNotParseEvenThoughItsCrcMatches()
    {
        try (Log log = Log.open(dir, LogConfig.defaults(), clock))
        {
            final UnsafeBuffer good = request(batch(random, START_MS, 3));
            final UnsafeBuffer bad = withBrokenFirstRecord(batch(random, START_MS, 3));
            final UnsafeBuffer both = request(good.byteArray(), bad.byteArray());

            final LogException ex = assertThrows(LogException.class, () -> log.append(both, 0, both.capacity(), 0));
            assertEquals(LogException.Category.INVALID_BATCH, ex.category());
            assertEquals(InvalidBatchException.Reason.BAD_RECORD, ((InvalidBatchException)ex.getCause()).reason());
            assertEquals(0, log.logEndOffset(), "nothing of the request is appended");
        }
    }

    @Test
    void shouldAcceptFromAFollowerABatchWhoseHeaderAndCrcAreValid()
    {
        try (Log log = Log.open(dir, LogConfig.defaults(), clock))
        {
            final UnsafeBuffer batch = withBrokenFirstRecord(batch(random, START_MS, 3));
            log.appendAsFollower(batch, 0, batch.capacity());
            assertEquals(3, log.logEndOffset());
        }
    }

    @Test
    void shouldRefuseACompressedLeaderBatchThatDoesNotDecompress()
    {
        try (Log log = Log.open(dir, LogConfig.defaults(), clock))
        {
            final UnsafeBuffer batch = request(compressedBatch(CompressionType.LZ4, START_MS, START_MS + 1, START_MS + 2));
            // Scramble the compressed payload past the LZ4 frame header, then make the CRC agree.
            for (int i = RecordBatchDescriptor.RECORDS_OFFSET + 8; i < batch.capacity(); i++)
            {
                batch.putByte(i, (byte)(batch.getByte(i) ^ 0x5A));
            }
            new RecordBatchFlyweight().wrap(batch, 0).updateCrc();

            final LogException ex = assertThrows(LogException.class, () -> log.append(batch, 0, batch.capacity(), 0));
            assertEquals(LogException.Category.INVALID_BATCH, ex.category());
            assertEquals(0, log.logEndOffset());
        }
    }

    @Test
    void shouldAcceptWellFormedCompressedLeaderBatches()
    {
        try (Log log = Log.open(dir, LogConfig.defaults(), clock))
        {
            for (final CompressionType type : CompressionType.values())
            {
                final UnsafeBuffer batch = request(compressedBatch(type, START_MS, START_MS + 1));
                log.append(batch, 0, batch.capacity(), 0);
            }
            assertEquals(2L * CompressionType.values().length, log.logEndOffset());
        }
    }
}
