package dev.millrace.serialization.compress;

import java.io.OutputStream;

import org.agrona.ExpandableArrayBuffer;

/**
 * An {@link OutputStream} appending to a reusable {@link ExpandableArrayBuffer}, so that stream-based codecs
 * (gzip, zstd) write into memory we keep between batches. Not thread-safe.
 */
final class BufferOutputStream extends OutputStream
{
    private final ExpandableArrayBuffer buffer;
    private int position;

    BufferOutputStream(final ExpandableArrayBuffer buffer)
    {
        this.buffer = buffer;
    }

    void reset()
    {
        position = 0;
    }

    int position()
    {
        return position;
    }

    @Override
    public void write(final int b)
    {
        buffer.putByte(position++, (byte)b);
    }

    @Override
    public void write(final byte[] bytes, final int offset, final int length)
    {
        buffer.putBytes(position, bytes, offset, length);
        position += length;
    }

    @Override
    public void close()
    {
        // The buffer is reused; closing a codec stream must not end it.
    }
}
