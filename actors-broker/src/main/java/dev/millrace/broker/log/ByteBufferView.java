package dev.millrace.broker.log;

import java.nio.ByteBuffer;

import org.agrona.DirectBuffer;

/**
 * Presents a region of an Agrona {@link DirectBuffer} as a {@link ByteBuffer} for {@code FileChannel.write},
 * without copying when the buffer is backed by a byte array or a {@code ByteBuffer}. It keeps one view per
 * backing object, so a caller that reuses its buffer allocates nothing per call; a buffer over a raw address
 * (rare, e.g. an Aeron term) is copied into a reusable direct scratch buffer.
 *
 * <p>Not thread-safe: owned by the log's writer.
 */
final class ByteBufferView
{
    private byte[] array;
    private ByteBuffer arrayView;
    private ByteBuffer source;
    private ByteBuffer sourceView;
    private ByteBuffer scratch;

    ByteBuffer view(final DirectBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = buffer.byteArray();
        if (null != bytes)
        {
            if (bytes != array)
            {
                array = bytes;
                arrayView = ByteBuffer.wrap(bytes);
            }
            // For an array-backed buffer, wrapAdjustment is the index into the array.
            final int start = buffer.wrapAdjustment() + offset;
            arrayView.limit(arrayView.capacity()).position(start).limit(start + length);
            return arrayView;
        }

        final ByteBuffer byteBuffer = buffer.byteBuffer();
        if (null != byteBuffer)
        {
            if (byteBuffer != source)
            {
                source = byteBuffer;
                sourceView = byteBuffer.duplicate();
            }
            // For a ByteBuffer-backed buffer, wrapAdjustment is relative to the ByteBuffer's own start.
            final int start = buffer.wrapAdjustment() + offset;
            sourceView.limit(sourceView.capacity()).position(start).limit(start + length);
            return sourceView;
        }

        if (null == scratch || scratch.capacity() < length)
        {
            scratch = ByteBuffer.allocateDirect(Math.max(length, 64 * 1024));
        }
        scratch.clear();
        buffer.getBytes(offset, scratch, length);
        scratch.flip();
        return scratch;
    }
}
