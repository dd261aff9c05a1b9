package dev.millrace.serialization.batch;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;

/**
 * CRC32C over a region of an Agrona buffer without copying it (the JDK's intrinsic does the work).
 *
 * <p>Not thread-safe: one instance per thread or per flyweight. It allocates only when it first sees a new
 * {@code ByteBuffer}-backed buffer (a view it then keeps), never per call.
 */
public final class Crc32c
{
    private static final int SCRATCH_LENGTH = 4096;

    private final CRC32C crc = new CRC32C();
    private ByteBuffer viewSource;
    private ByteBuffer view;
    private byte[] scratch;

    /** The CRC32C of {@code length} bytes of {@code buffer} from {@code index}, as an unsigned 32-bit value in an int. */
    public int compute(final DirectBuffer buffer, final int index, final int length)
    {
        crc.reset();
        final byte[] array = buffer.byteArray();
        if (null != array)
        {
            crc.update(array, buffer.wrapAdjustment() + index, length);
            return (int)crc.getValue();
        }

        final ByteBuffer byteBuffer = buffer.byteBuffer();
        if (null != byteBuffer)
        {
            if (byteBuffer != viewSource)
            {
                viewSource = byteBuffer;
                view = byteBuffer.duplicate();
            }
            // For a ByteBuffer-backed buffer, wrapAdjustment is relative to the ByteBuffer's own start.
            final int start = buffer.wrapAdjustment() + index;
            view.limit(view.capacity()).position(start).limit(start + length);
            crc.update(view);
            return (int)crc.getValue();
        }

        // A buffer over a raw address: rare (Aeron log buffers), copy through a small scratch array.
        if (null == scratch)
        {
            scratch = new byte[SCRATCH_LENGTH];
        }
        int done = 0;
        while (done < length)
        {
            final int chunk = Math.min(SCRATCH_LENGTH, length - done);
            buffer.getBytes(index + done, scratch, 0, chunk);
            crc.update(scratch, 0, chunk);
            done += chunk;
        }
        return (int)crc.getValue();
    }
}
