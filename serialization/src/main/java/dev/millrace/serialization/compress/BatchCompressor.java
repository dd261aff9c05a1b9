package dev.millrace.serialization.compress;

import static dev.millrace.serialization.compress.CodecFormats.*;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteOrder;
import java.util.zip.GZIPOutputStream;

import com.github.luben.zstd.RecyclingBufferPool;
import com.github.luben.zstd.ZstdOutputStreamNoFinalizer;
import net.jpountz.lz4.LZ4Compressor;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.xerial.snappy.Snappy;

/**
 * Compresses the records section of a batch with the same libraries and framing as kafka-clients 4.x (see
 * {@link CodecFormats}), into an output buffer it owns and reuses ({@link #output()}).
 *
 * <p>LZ4 and Snappy frames are written here block by block into reused arrays; gzip and zstd go through the
 * JDK's and zstd-jni's streams, which cost a few objects per batch (never per record).
 *
 * <p>Not thread-safe: one instance per producing thread or builder.
 */
public final class BatchCompressor
{
    private final ExpandableArrayBuffer output = new ExpandableArrayBuffer(64 * 1024);
    private final BufferOutputStream outputStream = new BufferOutputStream(output);
    private final ExpandableArrayBuffer sourceCopy = new ExpandableArrayBuffer(0);
    private final XXHash32 xxHash32 = XXHashFactory.fastestInstance().hash32();
    private LZ4Compressor lz4Compressor;
    private int lz4Level = Integer.MIN_VALUE;

    /** Where {@link #compress} leaves its result, from index 0. */
    public ExpandableArrayBuffer output()
    {
        return output;
    }

    /**
     * Compresses {@code length} bytes of {@code source} from {@code offset} into {@link #output()}; returns the
     * compressed length.
     *
     * @param level codec level; {@link CompressionType#defaultLevel()} gives Kafka's default output.
     */
    public int compress(
        final CompressionType type, final int level, final DirectBuffer source, final int offset, final int length)
    {
        byte[] array = source.byteArray();
        int arrayOffset = offset;
        if (null == array)
        {
            // Off-heap source: the codec libraries here take arrays, so copy once per batch.
            sourceCopy.checkLimit(length);
            source.getBytes(offset, sourceCopy, 0, length);
            array = sourceCopy.byteArray();
            arrayOffset = 0;
        }
        else
        {
            arrayOffset += source.wrapAdjustment();
        }

        try
        {
            switch (type)
            {
                case NONE:
                    output.putBytes(0, array, arrayOffset, length);
                    return length;
                case GZIP:
                    return gzip(level, array, arrayOffset, length);
                case SNAPPY:
                    return snappy(array, arrayOffset, length);
                case LZ4:
                    return lz4(level, array, arrayOffset, length);
                case ZSTD:
                    return zstd(level, array, arrayOffset, length);
                default:
                    throw new IllegalArgumentException("unknown codec " + type);
            }
        }
        catch (final IOException ex)
        {
            // Only memory is written, so an IOException here is a codec library failure, not bad input.
            throw new UncheckedIOException("compression with " + type + " failed", ex);
        }
    }

    private int gzip(final int level, final byte[] array, final int offset, final int length) throws IOException
    {
        outputStream.reset();
        try (LevelGzipOutputStream gzip = new LevelGzipOutputStream(outputStream, GZIP_BUFFER_SIZE, level))
        {
            gzip.write(array, offset, length);
        }
        return outputStream.position();
    }

    private int zstd(final int level, final byte[] array, final int offset, final int length) throws IOException
    {
        outputStream.reset();
        try (OutputStream zstd = new ZstdOutputStreamNoFinalizer(outputStream, RecyclingBufferPool.INSTANCE, level))
        {
            zstd.write(array, offset, length);
            // Kafka closes a BufferedOutputStream around the zstd stream, which flushes before it ends the
            // frame: that flush emits one empty 3-byte block, which we reproduce for byte-identical batches.
            zstd.flush();
        }
        return outputStream.position();
    }

    private int snappy(final byte[] array, final int offset, final int length) throws IOException
    {
        if (length == 0)
        {
            // SnappyOutputStream writes nothing, not even its header, when it was given nothing.
            return 0;
        }
        output.putBytes(0, SNAPPY_MAGIC);
        output.putInt(SNAPPY_MAGIC.length, SNAPPY_VERSION, ByteOrder.BIG_ENDIAN);
        output.putInt(SNAPPY_MAGIC.length + 4, SNAPPY_COMPATIBLE_VERSION, ByteOrder.BIG_ENDIAN);
        int position = SNAPPY_HEADER_LENGTH;
        int done = 0;
        while (done < length)
        {
            final int chunk = Math.min(SNAPPY_BLOCK_SIZE, length - done);
            output.checkLimit(position + 4 + Snappy.maxCompressedLength(chunk));
            final int compressed = Snappy.compress(array, offset + done, chunk, output.byteArray(), position + 4);
            output.putInt(position, compressed, ByteOrder.BIG_ENDIAN);
            position += 4 + compressed;
            done += chunk;
        }
        return position;
    }

    private int lz4(final int level, final byte[] array, final int offset, final int length)
    {
        if (lz4Level != level || null == lz4Compressor)
        {
            // Kafka picks the fast compressor for its default level and the high one otherwise.
            lz4Compressor = level == CompressionType.LZ4.defaultLevel() ?
                LZ4Factory.fastestInstance().fastCompressor() : LZ4Factory.fastestInstance().highCompressor(level);
            lz4Level = level;
        }
        output.checkLimit(7);
        output.putInt(0, LZ4_MAGIC, ByteOrder.LITTLE_ENDIAN);
        output.putByte(4, LZ4_FLG);
        output.putByte(5, LZ4_BD_64KB);
        output.putByte(6, (byte)((xxHash32.hash(output.byteArray(), 4, 2, 0) >> 8) & 0xFF));
        int position = 7;
        int done = 0;
        while (done < length)
        {
            final int chunk = Math.min(LZ4_BLOCK_SIZE, length - done);
            final int maxCompressed = lz4Compressor.maxCompressedLength(chunk);
            output.checkLimit(position + 4 + Math.max(maxCompressed, chunk));
            final int compressed = lz4Compressor.compress(
                array, offset + done, chunk, output.byteArray(), position + 4, maxCompressed);
            if (compressed >= chunk)
            {
                output.putInt(position, chunk | LZ4_UNCOMPRESSED_FLAG, ByteOrder.LITTLE_ENDIAN);
                output.putBytes(position + 4, array, offset + done, chunk);
                position += 4 + chunk;
            }
            else
            {
                output.putInt(position, compressed, ByteOrder.LITTLE_ENDIAN);
                position += 4 + compressed;
            }
            done += chunk;
        }
        output.checkLimit(position + 4);
        output.putInt(position, 0, ByteOrder.LITTLE_ENDIAN);
        return position + 4;
    }

    /** GZIPOutputStream with a settable level, as Kafka's own GzipOutputStream. */
    private static final class LevelGzipOutputStream extends GZIPOutputStream
    {
        LevelGzipOutputStream(final OutputStream out, final int size, final int level) throws IOException
        {
            super(out, size);
            def.setLevel(level);
        }
    }
}
