package dev.millrace.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

import dev.millrace.serialization.batch.RecordBatchDescriptor;
import dev.millrace.serialization.batch.RecordBatchFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Reads batch headers from a segment file through a small direct window buffer and exposes the current one through
 * a {@link RecordBatchFlyweight}. Used to scan forward from an index entry, and to gather whole batches for a read,
 * without reading record bytes one batch at a time: a scan over small batches costs one {@code pread} per
 * {@value #WINDOW_LENGTH} bytes rather than one per batch.
 *
 * <p>The window is only trusted within one operation ({@link #reset()} starts one): bytes below a segment's published
 * size never change, except under a follower's truncation followed by new appends, which happen between operations.
 *
 * <p>Not thread-safe: one per reader thread (the log keeps one per thread), allocation-free after construction
 * (apart from {@link #readBatch}'s scratch buffer, which grows to the largest batch it is asked for).
 */
final class BatchHeaderReader
{
    static final int WINDOW_LENGTH = 16 * 1024;
    /**
     * Window for reads that hop from header to header across batches whose bodies are not wanted (a fetch bounding
     * its region): large enough to take in several tiny batches in one {@code pread}, small enough that skipping a
     * large batch costs a header, not its records.
     */
    static final int SCAN_WINDOW_LENGTH = 1024;

    private final ByteBuffer window = ByteBuffer.allocateDirect(WINDOW_LENGTH);
    private final UnsafeBuffer buffer = new UnsafeBuffer(window);
    private final RecordBatchFlyweight header = new RecordBatchFlyweight();
    private final UnsafeBuffer batchBuffer = new UnsafeBuffer(0, 0);
    private ByteBuffer batchBytes;
    private FileChannel windowChannel;
    private long windowStart;
    private int windowLength;
    private int size;
    private long regionLastOffset;

    BatchHeaderReader()
    {
        header.wrap(buffer, 0);
    }

    /** Forgets the window: call at the start of each operation. */
    void reset()
    {
        windowChannel = null;
        windowLength = 0;
    }

    /**
     * Reads the header of the batch at {@code position}, given that the segment's readable bytes end at
     * {@code limit}. Returns false when no well-framed batch lies wholly below the limit there (end reached, or
     * bytes changed under a concurrent truncation).
     */
    boolean read(final FileChannel channel, final int position, final int limit) throws IOException
    {
        return read(channel, position, limit, WINDOW_LENGTH);
    }

    /**
     * As {@link #read(FileChannel, int, int)}, reading at most {@code maxWindow} bytes (at least a header) when the
     * header is not already in the window: for callers that know how far ahead they will look.
     */
    boolean read(final FileChannel channel, final int position, final int limit, final int maxWindow) throws IOException
    {
        if ((long)position + RecordBatchDescriptor.HEADER_LENGTH > limit)
        {
            return false;
        }
        if (channel != windowChannel || position < windowStart ||
            position + RecordBatchDescriptor.HEADER_LENGTH > windowStart + windowLength)
        {
            final int readLength = Math.min(WINDOW_LENGTH, Math.max(RecordBatchDescriptor.HEADER_LENGTH, maxWindow));
            window.clear().limit((int)Math.min(readLength, (long)limit - position));
            windowChannel = channel;
            windowStart = position;
            windowLength = FileIo.readFully(channel, window, position);
            if (windowLength < RecordBatchDescriptor.HEADER_LENGTH)
            {
                reset();
                return false;
            }
        }
        header.wrap(buffer, (int)(position - windowStart));
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

    /** Scratch result of a region scan: the last offset of the region's last batch. */
    void regionLastOffset(final long offset)
    {
        regionLastOffset = offset;
    }

    long regionLastOffset()
    {
        return regionLastOffset;
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
