package dev.millrace.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;

/**
 * The result of a {@link Log} read: a run of whole batches in one segment file, as (channel, position, length),
 * to be sent with {@link #transferTo} (zero-copy {@code sendfile} to a socket) or copied with {@link #readInto}.
 * Nothing of the batches is read or copied to build it.
 *
 * <p>Mutable and reusable: a reader thread may keep one and pass it to
 * {@link Log#read(long, int, long, FileRegion)} on every fetch. Not thread-safe.
 *
 * <p>If retention or truncation deletes the segment while the region is held, {@link #transferTo} and
 * {@link #readInto} throw {@link java.nio.channels.ClosedChannelException}: the reader should read again from its
 * offset, which then either yields the data from the log's new state or an
 * {@link LogException.Category#OFFSET_OUT_OF_RANGE} error.
 */
public final class FileRegion
{
    private FileChannel channel;
    private long position;
    private int length;
    private long firstOffset = -1;
    private long lastOffset = -1;
    private long logEndOffset = -1;

    void set(
        final FileChannel channel, final long position, final int length, final long firstOffset, final long lastOffset,
        final long logEndOffset)
    {
        this.channel = channel;
        this.position = position;
        this.length = length;
        this.firstOffset = firstOffset;
        this.lastOffset = lastOffset;
        this.logEndOffset = logEndOffset;
    }

    void empty(final long logEndOffset)
    {
        set(null, 0, 0, -1, -1, logEndOffset);
    }

    /** True when there is nothing to send. */
    public boolean isEmpty()
    {
        return length == 0;
    }

    /** The segment file the bytes are in; null when empty. */
    public FileChannel channel()
    {
        return channel;
    }

    /** Position of the first batch in the segment file. */
    public long position()
    {
        return position;
    }

    /** Bytes of whole batches from {@link #position()}. */
    public int length()
    {
        return length;
    }

    /** Base offset of the first batch, -1 when empty (it may be below the offset asked for: batches are whole). */
    public long firstOffset()
    {
        return firstOffset;
    }

    /** Last offset of the last batch, -1 when empty. */
    public long lastOffset()
    {
        return lastOffset;
    }

    /** The offset a consumer should read next: one past {@link #lastOffset()}. */
    public long nextOffset()
    {
        return lastOffset + 1;
    }

    /** The log end offset when the read was made. */
    public long logEndOffset()
    {
        return logEndOffset;
    }

    /**
     * Sends the region to {@code target} (zero-copy where the OS supports it), looping until all of it is sent, the
     * target accepts nothing more (a full non-blocking socket: continue with {@link #transferTo(WritableByteChannel,
     * long)}) or the file ends (it was truncated under the region). Returns the bytes sent.
     */
    public long transferTo(final WritableByteChannel target) throws IOException
    {
        return transferTo(target, 0);
    }

    /** As {@link #transferTo(WritableByteChannel)}, starting {@code from} bytes into the region. */
    public long transferTo(final WritableByteChannel target, final long from) throws IOException
    {
        long done = from;
        while (done < length)
        {
            final long sent = channel.transferTo(position + done, length - done, target);
            if (sent <= 0)
            {
                break;
            }
            done += sent;
        }
        return done - from;
    }

    /** Copies the region into {@code target} (which needs {@link #length()} bytes remaining); returns bytes copied. */
    public int readInto(final ByteBuffer target) throws IOException
    {
        final int limit = target.limit();
        target.limit(target.position() + length);
        try
        {
            return FileIo.readFully(channel, target, position);
        }
        finally
        {
            target.limit(limit);
        }
    }

    @Override
    public String toString()
    {
        return "FileRegion{position=" + position + ", length=" + length + ", firstOffset=" + firstOffset +
            ", lastOffset=" + lastOffset + ", logEndOffset=" + logEndOffset + '}';
    }
}
