package dev.millrace.broker.node;

import java.nio.charset.StandardCharsets;

import dev.millrace.serialization.batch.RecordBatchBuilder;
import dev.millrace.serialization.batch.RecordBatchFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

/** Record batches for node tests, built with {@link RecordBatchBuilder}. */
final class NodeBatches
{
    private NodeBatches()
    {
    }

    /** A batch without a producer id: {@code records} records whose values name {@code tag}. */
    static byte[] batch(final String tag, final int records, final long timestampMs)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 * 1024]);
        final RecordBatchBuilder builder = new RecordBatchBuilder().wrap(buffer, 0, buffer.capacity());
        for (int i = 0; i < records; i++)
        {
            if (!builder.append(timestampMs + i, ("k" + i).getBytes(StandardCharsets.UTF_8),
                (tag + "-" + i).getBytes(StandardCharsets.UTF_8)))
            {
                throw new IllegalStateException("record " + i + " does not fit");
            }
        }
        final int size = builder.build();
        final byte[] bytes = new byte[size];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    /** The batch as the log stores it: base offset and leader epoch set (the CRC does not cover them). */
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
