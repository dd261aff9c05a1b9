package dev.millrace.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

import dev.millrace.serialization.batch.RecordBatchDescriptor;
import dev.millrace.serialization.batch.RecordBatchFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads one batch header at a time from a segment file into a small direct buffer and exposes it through a
 * {@link RecordBatchFlyweight}. Used to scan forward from an index entry without reading record bytes.
 *
 * <p>Not thread-safe: one per reader thread (the log keeps one per thread), allocation-free after construction.
 */
final class BatchHeaderReader
{
    private final ByteBuffer bytes = ByteBuffer.allocateDirect(RecordBatchDescriptor.HEADER_LENGTH);
    private final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
    private final RecordBatchFlyweight header = new RecordBatchFlyweight();
    private final UnsafeBuffer batchBuffer = new UnsafeBuffer(0, 0);
    private ByteBuffer batchBytes;
    private int size;

    BatchHeaderReader()
    {
        header.wrap(buffer, 0);
    }

    /**
     * Reads the header of the batch at {@code position}, given that the segment's readable bytes end at
     * {@code limit}. Returns false when no well-framed batch lies wholly below the limit there (end reached, or
     * bytes changed under a concurrent truncation).
     */
    boolean read(final FileChannel channel, final int position, final int limit) throws IOException
    {
        if ((long)position + RecordBatchDescriptor.HEADER_LENGTH > limit)
        {
            return false;
        }
        bytes.clear();
        if (FileIo.readFully(channel, bytes, position) < RecordBatchDescriptor.HEADER_LENGTH)
        {
            return false;
        }
        final int length = header.batchLength();
        if (length < RecordBatchDescriptor.MIN_BATCH_LENGTH || (long)position + length + RecordBatchDescriptor.LOG_OVERHEAD > limit)
        {
            return false;
        }
        size = length + RecordBatchDescriptor.LOG_OVERHEAD;
        return true;
    }

    /**
     * Reads the whole batch whose header was last read (at {@code position}) into a scratch buffer kept for the next
     * call and returns a view of it, or null if the file ends first. Used off the hot path (timestamp search).
     */
    UnsafeBuffer readBatch(final FileChannel channel, final int position) throws IOException
    {
        if (null == batchBytes || batchBytes.capacity() < size)
        {
            batchBytes = ByteBuffer.allocateDirect(Math.max(size, 4096));
        }
        batchBytes.clear().limit(size);
        if (FileIo.readFully(channel, batchBytes, position) < size)
        {
            return null;
        }
        batchBuffer.wrap(batchBytes, 0, size);
        return batchBuffer;
    }

    /** The header last read. */
    RecordBatchFlyweight header()
    {
        return header;
    }

    /** The size in bytes of the batch last read. */
    int size()
    {
        return size;
    }
}
