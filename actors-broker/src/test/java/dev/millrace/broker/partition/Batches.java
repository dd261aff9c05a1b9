package dev.millrace.broker.partition;

import java.nio.charset.StandardCharsets;

import dev.millrace.serialization.batch.RecordBatchBuilder;
import dev.millrace.serialization.batch.RecordBatchDescriptor;
import dev.millrace.serialization.batch.RecordBatchFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

/** Builds record batches for partition tests with {@link RecordBatchBuilder}. */
final class Batches
{
    private Batches()
    {
    }

    /** A batch without a producer id: {@code records} records with timestamps from {@code timestampMs}. */
    static byte[] plain(final int records, final long timestampMs)
    {
        return idempotent(RecordBatchDescriptor.NO_PRODUCER_ID, RecordBatchDescriptor.NO_PRODUCER_EPOCH,
            RecordBatchDescriptor.NO_SEQUENCE, records, timestampMs, 8);
    }

    /** A batch of an idempotent producer, values of {@code valueBytes} bytes. */
    static byte[] idempotent(
        final long producerId, final short epoch, final int baseSequence, final int records, final long timestampMs,
        final int valueBytes)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 * 1024]);
        final RecordBatchBuilder builder = new RecordBatchBuilder().wrap(buffer, 0, buffer.capacity());
        builder.producer(producerId, epoch, baseSequence);
        for (int i = 0; i < records; i++)
        {
            final byte[] value = new byte[valueBytes];
            value[0] = (byte)i;
            if (!builder.append(timestampMs + i, ("k" + i).getBytes(StandardCharsets.UTF_8), value))
            {
                throw new IllegalStateException("record " + i + " does not fit");
            }
        }
        final int size = builder.build();
        final byte[] bytes = new byte[size];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    /** An idempotent batch with small values. */
    static byte[] idempotent(final long producerId, final short epoch, final int baseSequence, final int records)
    {
        return idempotent(producerId, epoch, baseSequence, records, 1_000L, 8);
    }

    /** The batch as the log stores it: a copy with base offset and leader epoch set (the CRC does not cover them). */
    static byte[] stored(final byte[] batch, final long baseOffset, final int leaderEpoch)
    {
        final byte[] copy = batch.clone();
        final RecordBatchFlyweight flyweight = new RecordBatchFlyweight().wrap(new UnsafeBuffer(copy), 0);
        flyweight.baseOffset(baseOffset);
        flyweight.partitionLeaderEpoch(leaderEpoch);
        return copy;
    }

    /** Arrays back to back. */
    static byte[] concat(final byte[]... parts)
    {
        int length = 0;
        for (final byte[] part : parts)
        {
            length += part.length;
        }
        final byte[] all = new byte[length];
        int at = 0;
        for (final byte[] part : parts)
        {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }
}
