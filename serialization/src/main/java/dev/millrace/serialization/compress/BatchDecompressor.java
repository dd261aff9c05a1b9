package dev.millrace.serialization.compress;

import static dev.millrace.serialization.compress.CodecFormats.*;

import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;

import com.github.luben.zstd.RecyclingBufferPool;
import com.github.luben.zstd.ZstdInputStreamNoFinalizer;
import dev.millrace.serialization.batch.InvalidBatchException;
import dev.millrace.serialization.batch.InvalidBatchException.Reason;
import net.jpountz.lz4.LZ4Factory;
import net.jpountz.lz4.LZ4SafeDecompressor;
import net.jpountz.xxhash.XXHash32;
import net.jpountz.xxhash.XXHashFactory;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.io.DirectBufferInputStream;
import org.xerial.snappy.Snappy;
import org.xerial.snappy.SnappyError;

/**
 * Decompresses the records section of a batch (framings in {@link CodecFormats}) into an output buffer it
 * owns and reuses ({@link #output()}), refusing to produce more than a configured number of bytes so that a
 * small hostile batch cannot expand into gigabytes (a decompression bomb).
 *
 * <p>Input is untrusted: every failure, whatever the library throws, comes out as an
 * {@link InvalidBatchException} with {@link Reason#BAD_COMPRESSED_DATA}.
 *
 * <p>Not thread-safe: one instance per reading thread or iterator.
 */
public final class BatchDecompressor
{
    private static final int STREAM_CHUNK = 16 * 1024;

    private final int maxDecompressedBytes;
    private final ExpandableArrayBuffer output = new ExpandableArrayBuffer(64 * 1024);
    private final ExpandableArrayBuffer sourceCopy = new ExpandableArrayBuffer(0);
    private final DirectBufferInputStream sourceStream = new DirectBufferInputStream();
    private final LZ4SafeDecompressor lz4 = LZ4Factory.fastestInstance().safeDecompressor();
    private final XXHash32 xxHash32 = XXHashFactory.fastestInstance().hash32();

    /** @param maxDecompressedBytes the most bytes one batch may decompress to; more is an error. */
    public BatchDecompressor(final int maxDecompressedBytes)
    {
        if (maxDecompressedBytes <= 0)
        {
            throw new IllegalArgumentException("maxDecompressedBytes must be > 0: " + maxDecompressedBytes);
        }
        this.maxDecompressedBytes = maxDecompressedBytes;
    }

    public int maxDecompressedBytes()
    {
        return maxDecompressedBytes;
    }

    /** Where {@link #decompress} leaves its result, from index 0. */
    public ExpandableArrayBuffer output()
    {
        return output;
    }

    /**
     * Decompresses {@code length} bytes of {@code source} from {@code offset} into {@link #output()}; returns the
     * decompressed length.
     *
     * @param batchPosition where the batch sits, for error messages.
     * @throws InvalidBatchException with {@link Reason#BAD_COMPRESSED_DATA} for corrupt input or too much output.
     */
    public int decompress(
        final CompressionType type, final DirectBuffer source, final int offset, final int length, final long batchPosition)
    {
        try
        {
            switch (type)
            {
                case NONE:
                    checkBudget(length, batchPosition);
                    source.getBytes(offset, output, 0, length);
                    return length;
                case GZIP:
                    sourceStream.wrap(source, offset, length);
                    try (InputStream in = new GZIPInputStream(sourceStream, GZIP_BUFFER_SIZE))
                    {
                        return drain(in, batchPosition);
                    }
                case ZSTD:
                    sourceStream.wrap(source, offset, length);
                    try (InputStream in = new ZstdInputStreamNoFinalizer(sourceStream, RecyclingBufferPool.INSTANCE))
                    {
                        return drain(in, batchPosition);
                    }
                case SNAPPY:
                    return snappy(source, offset, length, batchPosition);
                case LZ4:
                    return lz4(source, offset, length, batchPosition);
                default:
                    throw new IllegalArgumentException("unknown codec " + type);
            }
        }
        catch (final InvalidBatchException ex)
        {
            throw ex;
        }
        catch (final IOException | RuntimeException | SnappyError ex)
        {
            // The codec libraries report corrupt input with assorted exception types (ZipException,
            // ZstdIOException, LZ4Exception, SnappyError...): to a broker they all mean the same thing.
            throw new InvalidBatchException(
                Reason.BAD_COMPRESSED_DATA, batchPosition, type + " payload of " + length + " bytes does not decompress: " + ex, ex);
        }
    }

    private int drain(final InputStream in, final long batchPosition) throws IOException
    {
        int position = 0;
        while (true)
        {
            output.checkLimit(position + STREAM_CHUNK);
            final int read = in.read(output.byteArray(), position, STREAM_CHUNK);
            if (read < 0)
            {
                return position;
            }
            position += read;
            checkBudget(position, batchPosition);
        }
    }

    private int snappy(final DirectBuffer source, final int offset, final int length, final long batchPosition)
        throws IOException
    {
        if (length == 0)
        {
            return 0;
        }
        final byte[] in = array(source, offset, length);
        final int base = null == source.byteArray() ? 0 : source.wrapAdjustment() + offset;
        if (length < SNAPPY_HEADER_LENGTH)
        {
            throw bad(batchPosition, "snappy payload of " + length + " bytes is shorter than its header");
        }
        for (int i = 0; i < SNAPPY_MAGIC.length; i++)
        {
            if (in[base + i] != SNAPPY_MAGIC[i])
            {
                throw bad(batchPosition, "snappy payload does not start with the xerial stream magic");
            }
        }
        int position = SNAPPY_HEADER_LENGTH;
        int written = 0;
        while (position < length)
        {
            if (length - position < 4)
            {
                throw bad(batchPosition, "snappy chunk length truncated at " + position);
            }
            final int chunk = readIntBigEndian(in, base + position);
            position += 4;
            if (chunk < 0 || chunk > length - position)
            {
                throw bad(batchPosition, "snappy chunk of " + chunk + " bytes at " + position + " but " + (length - position) + " left");
            }
            final int uncompressed = Snappy.uncompressedLength(in, base + position, chunk);
            if (uncompressed < 0)
            {
                throw bad(batchPosition, "snappy chunk states a negative length");
            }
            checkBudget((long)written + uncompressed, batchPosition);
            output.checkLimit(written + uncompressed);
            written += Snappy.uncompress(in, base + position, chunk, output.byteArray(), written);
            position += chunk;
        }
        return written;
    }

    private int lz4(final DirectBuffer source, final int offset, final int length, final long batchPosition)
    {
        final byte[] in = array(source, offset, length);
        final int base = null == source.byteArray() ? 0 : source.wrapAdjustment() + offset;
        if (length < 7 || readIntLittleEndian(in, base) != LZ4_MAGIC)
        {
            throw bad(batchPosition, "lz4 payload does not start with the frame magic");
        }
        final int flg = in[base + 4] & 0xFF;
        final int bd = in[base + 5] & 0xFF;
        if ((flg & LZ4_FLG_VERSION_MASK) != LZ4_FLG_VERSION || (flg & LZ4_FLG_RESERVED_MASK) != 0 || (bd & 0x8F) != 0)
        {
            throw bad(batchPosition, "lz4 frame descriptor FLG 0x" + Integer.toHexString(flg) + " BD 0x" + Integer.toHexString(bd) + " unsupported");
        }
        final int blockSizeId = (bd >> 4) & 0x07;
        if (blockSizeId < 4)
        {
            throw bad(batchPosition, "lz4 block size id " + blockSizeId + " is not defined");
        }
        final int maxBlockSize = 1 << (2 * blockSizeId + 8);
        final int descriptorLength = (flg & LZ4_FLG_CONTENT_SIZE) != 0 ? 10 : 2;
        if (length < 4 + descriptorLength + 1)
        {
            throw bad(batchPosition, "lz4 frame descriptor truncated");
        }
        final byte headerChecksum = (byte)((xxHash32.hash(in, base + 4, descriptorLength, 0) >> 8) & 0xFF);
        if (in[base + 4 + descriptorLength] != headerChecksum)
        {
            throw bad(batchPosition, "lz4 frame descriptor checksum mismatch");
        }
        final boolean blockChecksum = (flg & LZ4_FLG_BLOCK_CHECKSUM) != 0;
        int position = 4 + descriptorLength + 1;
        int written = 0;
        while (true)
        {
            if (length - position < 4)
            {
                throw bad(batchPosition, "lz4 frame ends at " + position + " without an end mark");
            }
            final int word = readIntLittleEndian(in, base + position);
            position += 4;
            if (word == 0)
            {
                break;
            }
            final boolean stored = (word & LZ4_UNCOMPRESSED_FLAG) != 0;
            final int blockLength = word & ~LZ4_UNCOMPRESSED_FLAG;
            if (blockLength > maxBlockSize || blockLength > length - position)
            {
                throw bad(batchPosition, "lz4 block of " + blockLength + " bytes at " + position + " exceeds the block size or the payload");
            }
            if (blockChecksum)
            {
                if (length - position - blockLength < 4)
                {
                    throw bad(batchPosition, "lz4 block checksum truncated");
                }
                final int expected = readIntLittleEndian(in, base + position + blockLength);
                if (xxHash32.hash(in, base + position, blockLength, 0) != expected)
                {
                    throw bad(batchPosition, "lz4 block checksum mismatch at " + position);
                }
            }
            if (stored)
            {
                checkBudget((long)written + blockLength, batchPosition);
                output.putBytes(written, in, base + position, blockLength);
                written += blockLength;
            }
            else
            {
                // Room for a whole block even past the budget (at most one block, 4 MiB, too much), so that
                // going over the budget is reported as such rather than as a malformed block.
                output.checkLimit(written + maxBlockSize);
                final int produced = lz4.decompress(in, base + position, blockLength, output.byteArray(), written, maxBlockSize);
                written += produced;
                checkBudget(written, batchPosition);
            }
            position += blockLength + (blockChecksum ? 4 : 0);
        }
        // Kafka ignores a content checksum, which it never writes; we skip one if present.
        return written;
    }

    private byte[] array(final DirectBuffer source, final int offset, final int length)
    {
        final byte[] array = source.byteArray();
        if (null != array)
        {
            return array;
        }
        // Off-heap batch: the libraries here take arrays, so copy once per batch.
        sourceCopy.checkLimit(length);
        source.getBytes(offset, sourceCopy, 0, length);
        return sourceCopy.byteArray();
    }

    private void checkBudget(final long size, final long batchPosition)
    {
        if (size > maxDecompressedBytes)
        {
            throw bad(batchPosition, "decompresses to more than the allowed " + maxDecompressedBytes + " bytes");
        }
    }

    private static InvalidBatchException bad(final long batchPosition, final String message)
    {
        return new InvalidBatchException(Reason.BAD_COMPRESSED_DATA, batchPosition, message);
    }

    private static int readIntBigEndian(final byte[] array, final int index)
    {
        return ((array[index] & 0xFF) << 24) | ((array[index + 1] & 0xFF) << 16) |
            ((array[index + 2] & 0xFF) << 8) | (array[index + 3] & 0xFF);
    }

    private static int readIntLittleEndian(final byte[] array, final int index)
    {
        return (array[index] & 0xFF) | ((array[index + 1] & 0xFF) << 8) |
            ((array[index + 2] & 0xFF) << 16) | ((array[index + 3] & 0xFF) << 24);
    }
}
