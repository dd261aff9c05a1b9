package dev.millrace.benchmarks;

import java.nio.ByteBuffer;
import java.util.Random;

import dev.millrace.serialization.batch.RecordBatchBuilder;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Builds the record batches the benchmarks write: as many records of {@code recordBytes} random value bytes
 * (no key, no headers) as fit in {@code batchBytes}, uncompressed, in a direct buffer — what a producer with
 * {@code batch.size = batchBytes} and incompressible payloads would send.
 */
final class BenchBatches
{
    private BenchBatches()
    {
    }

    /** A built batch: its buffer (direct, positioned at 0) and how many records it holds. */
    record Batch(UnsafeBuffer buffer, int sizeInBytes, int recordCount)
    {
        ByteBuffer byteBuffer()
        {
            return buffer.byteBuffer().duplicate().clear().limit(sizeInBytes);
        }
    }

    static Batch build(final int batchBytes, final int recordBytes, final long seed)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(ByteBuffer.allocateDirect(batchBytes));
        final byte[] value = new byte[recordBytes];
        final Random random = new Random(seed);
        final RecordBatchBuilder builder = new RecordBatchBuilder().wrap(buffer, 0, batchBytes);
        final long timestamp = 1_700_000_000_000L;
        int records = 0;
        while (true)
        {
            random.nextBytes(value);
            if (!builder.append(timestamp + records, null, value))
            {
                break;
            }
            records++;
        }
        if (records == 0)
        {
            throw new IllegalArgumentException("a " + recordBytes + "-byte record does not fit in a " + batchBytes + "-byte batch");
        }
        return new Batch(buffer, builder.build(), records);
    }
}
