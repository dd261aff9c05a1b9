package dev.millrace.serialization.batch;

import static dev.millrace.serialization.batch.RecordBatchDescriptor.*;

import dev.millrace.serialization.batch.InvalidBatchException.Reason;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * A view of one record batch's header in a buffer (layout in {@link RecordBatchDescriptor}). It reads fields
 * in place, checks a batch's structure and CRC, and rewrites the two fields a broker owns: the base offset
 * and the partition leader epoch (neither is covered by the CRC, so the CRC stays valid).
 *
 * <p>Wrap it at a batch's first byte; it holds no per-batch state beyond the position. Not thread-safe:
 * one instance per thread. It allocates nothing after the first wrap of a given buffer.
 */
public final class RecordBatchFlyweight
{
    private final Crc32c crc32c = new Crc32c();
    private DirectBuffer buffer;
    private int offset;

    /** Points this flyweight at the batch starting at {@code offset} in {@code buffer}. */
    public RecordBatchFlyweight wrap(final DirectBuffer buffer, final int offset)
    {
        this.buffer = buffer;
        this.offset = offset;
        return this;
    }

    public DirectBuffer buffer()
    {
        return buffer;
    }

    public int offset()
    {
        return offset;
    }

    public long baseOffset()
    {
        return buffer.getLong(offset + BASE_OFFSET_OFFSET, BYTE_ORDER);
    }

    /** The length field: bytes after it, i.e. {@link #sizeInBytes()} minus {@link RecordBatchDescriptor#LOG_OVERHEAD}. */
    public int batchLength()
    {
        return buffer.getInt(offset + LENGTH_OFFSET, BYTE_ORDER);
    }

    /** The whole batch, header included. */
    public int sizeInBytes()
    {
        return batchLength() + LOG_OVERHEAD;
    }

    public int partitionLeaderEpoch()
    {
        return buffer.getInt(offset + PARTITION_LEADER_EPOCH_OFFSET, BYTE_ORDER);
    }

    public byte magic()
    {
        return buffer.getByte(offset + MAGIC_OFFSET);
    }

    /** The stored CRC32C, as an unsigned value in an int. */
    public int storedCrc()
    {
        return buffer.getInt(offset + CRC_OFFSET, BYTE_ORDER);
    }

    public short attributes()
    {
        return buffer.getShort(offset + ATTRIBUTES_OFFSET, BYTE_ORDER);
    }

    /** The codec id from the attributes (0 none, 1 gzip, 2 snappy, 3 lz4, 4 zstd). */
    public int compressionCodecId()
    {
        return attributes() & COMPRESSION_CODEC_MASK;
    }

    /** True when timestamps are the broker's log-append time rather than the producer's create time. */
    public boolean isLogAppendTime()
    {
        return (attributes() & TIMESTAMP_TYPE_MASK) != 0;
    }

    public boolean isTransactional()
    {
        return (attributes() & TRANSACTIONAL_FLAG_MASK) != 0;
    }

    public boolean isControl()
    {
        return (attributes() & CONTROL_FLAG_MASK) != 0;
    }

    public int lastOffsetDelta()
    {
        return buffer.getInt(offset + LAST_OFFSET_DELTA_OFFSET, BYTE_ORDER);
    }

    public long lastOffset()
    {
        return baseOffset() + lastOffsetDelta();
    }

    /** The offset the next batch in the log starts at. */
    public long nextOffset()
    {
        return lastOffset() + 1;
    }

    public long baseTimestamp()
    {
        return buffer.getLong(offset + BASE_TIMESTAMP_OFFSET, BYTE_ORDER);
    }

    public long maxTimestamp()
    {
        return buffer.getLong(offset + MAX_TIMESTAMP_OFFSET, BYTE_ORDER);
    }

    public long producerId()
    {
        return buffer.getLong(offset + PRODUCER_ID_OFFSET, BYTE_ORDER);
    }

    public short producerEpoch()
    {
        return buffer.getShort(offset + PRODUCER_EPOCH_OFFSET, BYTE_ORDER);
    }

    public int baseSequence()
    {
        return buffer.getInt(offset + BASE_SEQUENCE_OFFSET, BYTE_ORDER);
    }

    /** The sequence of the last record, wrapping at {@code Integer.MAX_VALUE} as Kafka does. */
    public int lastSequence()
    {
        final int base = baseSequence();
        if (base == NO_SEQUENCE)
        {
            return NO_SEQUENCE;
        }
        final long last = (long)base + lastOffsetDelta();
        return last > Integer.MAX_VALUE ? (int)(last - Integer.MAX_VALUE - 1) : (int)last;
    }

    public int recordCount()
    {
        return buffer.getInt(offset + RECORDS_COUNT_OFFSET, BYTE_ORDER);
    }

    /** Computes the CRC32C over attributes..end from the bytes as they are now. */
    public int computeCrc()
    {
        return crc32c.compute(buffer, offset + ATTRIBUTES_OFFSET, sizeInBytes() - ATTRIBUTES_OFFSET);
    }

    /**
     * Checks that a whole, well-formed batch header starts here and that its CRC matches, given that only
     * {@code available} bytes from {@link #offset()} may be read and that the batch may be at most
     * {@code maxBatchSize} bytes. Returns the batch's size in bytes.
     *
     * <p>Checks, in order: enough bytes for the length field; length within [{@value
     * RecordBatchDescriptor#MIN_BATCH_LENGTH}, maxBatchSize]; the whole batch available; magic 2; known
     * attribute bits and codec; CRC; a non-negative record count and last offset delta. Records themselves
     * are checked when they are iterated.
     *
     * @param position where this batch sits in its file or stream, for the exception message.
     * @throws InvalidBatchException naming the first check that failed.
     */
    public int validate(final int available, final int maxBatchSize, final long position)
    {
        final int size = validateFraming(available, maxBatchSize, position);
        final byte magic = magic();
        if (magic != MAGIC)
        {
            throw new InvalidBatchException(Reason.BAD_MAGIC, position, "magic is " + magic + ", expected " + MAGIC);
        }
        final int stored = storedCrc();
        final int computed = computeCrc();
        if (stored != computed)
        {
            throw new InvalidBatchException(
                Reason.BAD_CRC, position,
                "stored CRC32C 0x" + Integer.toHexString(stored) + " != computed 0x" + Integer.toHexString(computed));
        }
        final short attributes = attributes();
        if ((attributes & ~KNOWN_ATTRIBUTES_MASK) != 0)
        {
            throw new InvalidBatchException(
                Reason.UNKNOWN_COMPRESSION, position, "unknown attribute bits 0x" + Integer.toHexString(attributes & 0xFFFF));
        }
        final int codec = attributes & COMPRESSION_CODEC_MASK;
        if (codec > 4)
        {
            throw new InvalidBatchException(Reason.UNKNOWN_COMPRESSION, position, "unknown compression codec id " + codec);
        }
        final int count = recordCount();
        final int lastOffsetDelta = lastOffsetDelta();
        if (count < 0 || lastOffsetDelta < 0)
        {
            throw new InvalidBatchException(
                Reason.BAD_RECORD, position, "record count " + count + " and last offset delta " + lastOffsetDelta + " must be >= 0");
        }
        return size;
    }

    /**
     * The framing part of {@link #validate}: enough bytes for the header fields up to the length, a length in
     * range, and the whole batch present. Returns the batch size. Cheap: reads two ints, no CRC.
     */
    public int validateFraming(final int available, final int maxBatchSize, final long position)
    {
        if (available < LOG_OVERHEAD)
        {
            throw new InvalidBatchException(
                Reason.TRUNCATED, position, available + " bytes left, a batch needs at least " + LOG_OVERHEAD + " to state its length");
        }
        final int length = batchLength();
        if (length < MIN_BATCH_LENGTH || length > maxBatchSize - LOG_OVERHEAD)
        {
            throw new InvalidBatchException(
                Reason.LENGTH_OUT_OF_RANGE, position,
                "batch length " + length + " outside [" + MIN_BATCH_LENGTH + ", " + (maxBatchSize - LOG_OVERHEAD) + "]");
        }
        final int size = length + LOG_OVERHEAD;
        if (size > available)
        {
            throw new InvalidBatchException(
                Reason.TRUNCATED, position, "batch of " + size + " bytes but only " + available + " bytes left");
        }
        return size;
    }

    /** Rewrites the base offset in place; the CRC does not cover it, so the batch stays valid. */
    public void baseOffset(final long baseOffset)
    {
        ((MutableDirectBuffer)buffer).putLong(offset + BASE_OFFSET_OFFSET, baseOffset, BYTE_ORDER);
    }

    /** Stamps the partition leader epoch in place; not covered by the CRC. */
    public void partitionLeaderEpoch(final int epoch)
    {
        ((MutableDirectBuffer)buffer).putInt(offset + PARTITION_LEADER_EPOCH_OFFSET, epoch, BYTE_ORDER);
    }

    /** Recomputes the CRC32C from the bytes as they are now and stores it; for a broker that changed covered fields. */
    public void updateCrc()
    {
        ((MutableDirectBuffer)buffer).putInt(offset + CRC_OFFSET, computeCrc(), BYTE_ORDER);
    }

    /**
     * Stamps the broker's log-append time: sets the timestamp-type bit, stores {@code timestamp} as the max
     * timestamp (which every record then reads as its timestamp) and recomputes the CRC, since both fields are
     * covered by it. The batch must have been validated first.
     */
    public void logAppendTime(final long timestamp)
    {
        final MutableDirectBuffer mutable = (MutableDirectBuffer)buffer;
        mutable.putShort(offset + ATTRIBUTES_OFFSET, (short)(attributes() | TIMESTAMP_TYPE_MASK), BYTE_ORDER);
        mutable.putLong(offset + MAX_TIMESTAMP_OFFSET, timestamp, BYTE_ORDER);
        updateCrc();
    }
}
