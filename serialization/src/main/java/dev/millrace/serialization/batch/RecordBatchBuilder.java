package dev.millrace.serialization.batch;

import static dev.millrace.serialization.batch.RecordBatchDescriptor.*;

import dev.millrace.serialization.compress.BatchCompressor;
import dev.millrace.serialization.compress.CompressionType;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes one v2 record batch (layout in {@link RecordBatchDescriptor}) into a {@link MutableDirectBuffer}:
 * {@link #wrap} it at the batch's first byte, set the header fields, stage headers and {@link #append}
 * records, then {@link #build()} writes the header, compresses if asked, and stores the CRC.
 *
 * <p>Each record is encoded as kafka-clients' {@code DefaultRecord} does:
 * <pre>
 *   length (varint) | attributes (int8, 0) | timestamp delta (varlong) | offset delta (varint)
 *   | key length (varint, -1 = null) | key | value length (varint, -1 = null) | value
 *   | header count (varint) | { key length (varint) | key (UTF-8) | value length (varint, -1 = null) | value }*
 * </pre>
 * Uncompressed, records go straight into the destination; compressed, they go into a reused scratch buffer
 * and are compressed into the destination by {@link #build()}. Neither allocates per record. Headers are
 * encoded into a reused staging buffer as they are added and belong to the next appended record.
 *
 * <p>Defaults after {@link #wrap}: base offset 0, no leader epoch, no compression, create time, not
 * transactional, not control, no producer id/epoch/sequence, base timestamp = the first record's
 * timestamp (as Kafka does). Compression and the base timestamp must be set before the first append; the
 * other fields any time before {@link #build()}.
 *
 * <p>Not thread-safe: one builder per producing thread; reuse it for batch after batch.
 */
public final class RecordBatchBuilder
{
    private final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(64 * 1024);
    private final ExpandableArrayBuffer headers = new ExpandableArrayBuffer(256);
    private final UnsafeBuffer keyWrapper = new UnsafeBuffer(0, 0);
    private final UnsafeBuffer valueWrapper = new UnsafeBuffer(0, 0);
    private final Crc32c crc32c = new Crc32c();
    private BatchCompressor compressor;

    private MutableDirectBuffer buffer;
    private int offset;
    private int limit;

    private long baseOffset;
    private int partitionLeaderEpoch;
    private CompressionType compression;
    private int compressionLevel;
    private boolean logAppendTime;
    private long logAppendTimestamp;
    private boolean transactional;
    private boolean control;
    private long producerId;
    private short producerEpoch;
    private int baseSequence;
    private boolean baseTimestampSet;
    private long baseTimestamp;

    private MutableDirectBuffer records;
    private int recordsStart;
    private int recordsPosition;
    private int count;
    private int lastOffsetDelta;
    private long maxTimestamp;

    private int headerCount;
    private int headerBytes;

    /**
     * Starts a new batch at {@code offset} in {@code buffer}, which may grow to at most {@code maxBatchSizeBytes}
     * bytes (further bounded by the buffer's capacity unless the buffer is expandable). Resets every field to
     * its default.
     */
    public RecordBatchBuilder wrap(final MutableDirectBuffer buffer, final int offset, final int maxBatchSizeBytes)
    {
        if (maxBatchSizeBytes < HEADER_LENGTH)
        {
            throw new IllegalArgumentException("maxBatchSizeBytes " + maxBatchSizeBytes + " < header length " + HEADER_LENGTH);
        }
        this.buffer = buffer;
        this.offset = offset;
        this.limit = buffer.isExpandable() ? maxBatchSizeBytes : Math.min(maxBatchSizeBytes, buffer.capacity() - offset);
        if (limit < HEADER_LENGTH)
        {
            throw new IllegalArgumentException("only " + limit + " bytes of room, a batch header needs " + HEADER_LENGTH);
        }
        baseOffset = 0;
        partitionLeaderEpoch = NO_PARTITION_LEADER_EPOCH;
        compression = CompressionType.NONE;
        compressionLevel = 0;
        logAppendTime = false;
        logAppendTimestamp = NO_TIMESTAMP;
        transactional = false;
        control = false;
        producerId = NO_PRODUCER_ID;
        producerEpoch = NO_PRODUCER_EPOCH;
        baseSequence = NO_SEQUENCE;
        baseTimestampSet = false;
        baseTimestamp = NO_TIMESTAMP;
        records = buffer;
        recordsStart = offset + RECORDS_OFFSET;
        recordsPosition = recordsStart;
        count = 0;
        lastOffsetDelta = -1;
        maxTimestamp = NO_TIMESTAMP;
        headerCount = 0;
        headerBytes = 0;
        return this;
    }

    public RecordBatchBuilder baseOffset(final long baseOffset)
    {
        this.baseOffset = baseOffset;
        return this;
    }

    public RecordBatchBuilder partitionLeaderEpoch(final int partitionLeaderEpoch)
    {
        this.partitionLeaderEpoch = partitionLeaderEpoch;
        return this;
    }

    /** Compresses with {@code type} at Kafka's default level for it. */
    public RecordBatchBuilder compression(final CompressionType type)
    {
        return compression(type, type.defaultLevel());
    }

    public RecordBatchBuilder compression(final CompressionType type, final int level)
    {
        checkNoRecords("compression");
        this.compression = type;
        this.compressionLevel = level;
        if (type == CompressionType.NONE)
        {
            records = buffer;
            recordsStart = offset + RECORDS_OFFSET;
        }
        else
        {
            if (null == compressor)
            {
                compressor = new BatchCompressor();
            }
            records = scratch;
            recordsStart = 0;
        }
        recordsPosition = recordsStart;
        return this;
    }

    /** Marks the batch as log-append time: every record's timestamp reads as {@code timestamp}. */
    public RecordBatchBuilder logAppendTime(final long timestamp)
    {
        this.logAppendTime = true;
        this.logAppendTimestamp = timestamp;
        return this;
    }

    public RecordBatchBuilder transactional(final boolean transactional)
    {
        this.transactional = transactional;
        return this;
    }

    public RecordBatchBuilder control(final boolean control)
    {
        this.control = control;
        return this;
    }

    public RecordBatchBuilder producer(final long producerId, final short producerEpoch, final int baseSequence)
    {
        this.producerId = producerId;
        this.producerEpoch = producerEpoch;
        this.baseSequence = baseSequence;
        return this;
    }

    /** Fixes the timestamp that deltas are taken from; by default it is the first record's. */
    public RecordBatchBuilder baseTimestamp(final long baseTimestamp)
    {
        checkNoRecords("base timestamp");
        this.baseTimestampSet = true;
        this.baseTimestamp = baseTimestamp;
        return this;
    }

    public int recordCount()
    {
        return count;
    }

    /** Bytes the batch would take if built now, uncompressed. */
    public int uncompressedSizeInBytes()
    {
        return RECORDS_OFFSET + (recordsPosition - recordsStart);
    }

    /** Stages a header with a String key for the next appended record; a null value is a null header value. */
    public RecordBatchBuilder header(final String key, final DirectBuffer value, final int valueOffset, final int valueLength)
    {
        if (null == key)
        {
            throw new IllegalArgumentException("a header key cannot be null");
        }
        final int keyLength = Utf8.encodedLength(key);
        int position = headerBytes;
        position += Varints.putVarint(headers, position, keyLength);
        Utf8.encode(key, headers, position);
        position += keyLength;
        headerBytes = putBytes(headers, position, value, valueOffset, valueLength);
        headerCount++;
        return this;
    }

    /** Stages a header whose key is given as UTF-8 bytes for the next appended record. */
    public RecordBatchBuilder header(
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength)
    {
        if (null == key || keyLength < 0)
        {
            throw new IllegalArgumentException("a header key cannot be null");
        }
        int position = headerBytes;
        position += Varints.putVarint(headers, position, keyLength);
        headers.putBytes(position, key, keyOffset, keyLength);
        position += keyLength;
        headerBytes = putBytes(headers, position, value, valueOffset, valueLength);
        headerCount++;
        return this;
    }

    /** Convenience for {@link #header(String, DirectBuffer, int, int)} with an array value (null = null value). */
    public RecordBatchBuilder header(final String key, final byte[] value)
    {
        if (null == value)
        {
            return header(key, null, 0, -1);
        }
        valueWrapper.wrap(value);
        return header(key, valueWrapper, 0, value.length);
    }

    /**
     * Appends a record at the next offset (the previous record's plus one, 0 for the first) with the staged
     * headers. A null key or value buffer is a null key or value.
     *
     * @return false, and nothing appended (the staged headers kept), when the record does not fit in the batch.
     */
    public boolean append(
        final long timestamp,
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength)
    {
        return appendWithOffsetDelta(lastOffsetDelta + 1, timestamp, key, keyOffset, keyLength, value, valueOffset, valueLength);
    }

    /** Convenience for {@link #append(long, DirectBuffer, int, int, DirectBuffer, int, int)} with arrays. */
    public boolean append(final long timestamp, final byte[] key, final byte[] value)
    {
        return appendWithOffsetDelta(lastOffsetDelta + 1, timestamp, key, value);
    }

    /** Convenience for {@link #appendWithOffsetDelta(int, long, DirectBuffer, int, int, DirectBuffer, int, int)} with arrays. */
    public boolean appendWithOffsetDelta(final int offsetDelta, final long timestamp, final byte[] key, final byte[] value)
    {
        DirectBuffer keyBuffer = null;
        int keyLength = -1;
        if (null != key)
        {
            keyWrapper.wrap(key);
            keyBuffer = keyWrapper;
            keyLength = key.length;
        }
        DirectBuffer valueBuffer = null;
        int valueLength = -1;
        if (null != value)
        {
            valueWrapper.wrap(value);
            valueBuffer = valueWrapper;
            valueLength = value.length;
        }
        return appendWithOffsetDelta(offsetDelta, timestamp, keyBuffer, 0, keyLength, valueBuffer, 0, valueLength);
    }

    /**
     * Appends a record at an explicit offset delta, which must be greater than the previous record's (gaps are
     * allowed, as in a compacted batch).
     *
     * @return false, and nothing appended, when the record does not fit in the batch.
     */
    public boolean appendWithOffsetDelta(
        final int offsetDelta,
        final long timestamp,
        final DirectBuffer key, final int keyOffset, final int keyLength,
        final DirectBuffer value, final int valueOffset, final int valueLength)
    {
        if (null == buffer)
        {
            throw new IllegalStateException("wrap a buffer first");
        }
        if (offsetDelta <= lastOffsetDelta)
        {
            throw new IllegalArgumentException("offset delta " + offsetDelta + " must be > the last one " + lastOffsetDelta);
        }
        if ((null != key && keyLength < 0) || (null != value && valueLength < 0))
        {
            throw new IllegalArgumentException("negative length for a non-null key or value: " + keyLength + ", " + valueLength);
        }
        if (timestamp < 0 && timestamp != NO_TIMESTAMP)
        {
            throw new IllegalArgumentException("invalid negative timestamp " + timestamp);
        }
        final long base = baseTimestampSet ? baseTimestamp : (count == 0 ? timestamp : baseTimestamp);
        final long timestampDelta = timestamp - base;
        final int keyPart = null == key ? 1 : Varints.sizeOfVarint(keyLength) + keyLength;
        final int valuePart = null == value ? 1 : Varints.sizeOfVarint(valueLength) + valueLength;
        final int bodySize = 1 + Varints.sizeOfVarlong(timestampDelta) + Varints.sizeOfVarint(offsetDelta) +
            keyPart + valuePart + Varints.sizeOfVarint(headerCount) + headerBytes;
        final int recordSize = Varints.sizeOfVarint(bodySize) + bodySize;
        // Compressed batches are bounded by their uncompressed size: a safe bound, as codecs rarely expand.
        if ((long)RECORDS_OFFSET + (recordsPosition - recordsStart) + recordSize > limit)
        {
            return false;
        }

        if (count == 0 && !baseTimestampSet)
        {
            baseTimestamp = timestamp;
        }
        final MutableDirectBuffer out = records;
        int position = recordsPosition;
        position += Varints.putVarint(out, position, bodySize);
        out.putByte(position++, (byte)0);
        position += Varints.putVarlong(out, position, timestampDelta);
        position += Varints.putVarint(out, position, offsetDelta);
        position = putBytes(out, position, key, keyOffset, keyLength);
        position = putBytes(out, position, value, valueOffset, valueLength);
        position += Varints.putVarint(out, position, headerCount);
        if (headerBytes > 0)
        {
            out.putBytes(position, headers, 0, headerBytes);
            position += headerBytes;
        }
        recordsPosition = position;
        count++;
        lastOffsetDelta = offsetDelta;
        if (timestamp > maxTimestamp)
        {
            maxTimestamp = timestamp;
        }
        headerCount = 0;
        headerBytes = 0;
        return true;
    }

    /**
     * Finishes the batch: compresses the records if asked, writes the header and the CRC. Returns the batch's
     * size in bytes. The builder must be wrapped again before the next batch.
     *
     * @throws IllegalStateException when the compressed batch exceeds the room given to {@link #wrap}
     *         (possible only for incompressible data that the codec's framing makes larger).
     */
    public int build()
    {
        if (null == buffer)
        {
            throw new IllegalStateException("wrap a buffer first");
        }
        int recordsLength = recordsPosition - recordsStart;
        if (compression != CompressionType.NONE)
        {
            final int compressed = compressor.compress(compression, compressionLevel, scratch, 0, recordsLength);
            if ((long)RECORDS_OFFSET + compressed > limit)
            {
                throw new IllegalStateException(
                    "compressed batch of " + (RECORDS_OFFSET + compressed) + " bytes exceeds the room of " + limit + " bytes");
            }
            buffer.putBytes(offset + RECORDS_OFFSET, compressor.output(), 0, compressed);
            recordsLength = compressed;
        }

        int attributes = compression.id();
        if (logAppendTime)
        {
            attributes |= TIMESTAMP_TYPE_MASK;
        }
        if (transactional)
        {
            attributes |= TRANSACTIONAL_FLAG_MASK;
        }
        if (control)
        {
            attributes |= CONTROL_FLAG_MASK;
        }
        final int size = RECORDS_OFFSET + recordsLength;
        buffer.putLong(offset + BASE_OFFSET_OFFSET, baseOffset, BYTE_ORDER);
        buffer.putInt(offset + LENGTH_OFFSET, size - LOG_OVERHEAD, BYTE_ORDER);
        buffer.putInt(offset + PARTITION_LEADER_EPOCH_OFFSET, partitionLeaderEpoch, BYTE_ORDER);
        buffer.putByte(offset + MAGIC_OFFSET, MAGIC);
        buffer.putShort(offset + ATTRIBUTES_OFFSET, (short)attributes, BYTE_ORDER);
        buffer.putInt(offset + LAST_OFFSET_DELTA_OFFSET, Math.max(lastOffsetDelta, 0), BYTE_ORDER);
        buffer.putLong(offset + BASE_TIMESTAMP_OFFSET, baseTimestamp, BYTE_ORDER);
        buffer.putLong(offset + MAX_TIMESTAMP_OFFSET, logAppendTime ? logAppendTimestamp : maxTimestamp, BYTE_ORDER);
        buffer.putLong(offset + PRODUCER_ID_OFFSET, producerId, BYTE_ORDER);
        buffer.putShort(offset + PRODUCER_EPOCH_OFFSET, producerEpoch, BYTE_ORDER);
        buffer.putInt(offset + BASE_SEQUENCE_OFFSET, baseSequence, BYTE_ORDER);
        buffer.putInt(offset + RECORDS_COUNT_OFFSET, count, BYTE_ORDER);
        buffer.putInt(offset + CRC_OFFSET, crc32c.compute(buffer, offset + ATTRIBUTES_OFFSET, size - ATTRIBUTES_OFFSET), BYTE_ORDER);
        return size;
    }

    private void checkNoRecords(final String what)
    {
        if (count > 0)
        {
            throw new IllegalStateException(what + " must be set before the first record is appended");
        }
    }

    /** Writes a length-prefixed field (length -1 for null) and returns the position after it. */
    private static int putBytes(
        final MutableDirectBuffer out, final int position, final DirectBuffer bytes, final int bytesOffset, final int length)
    {
        if (null == bytes)
        {
            return position + Varints.putVarint(out, position, -1);
        }
        if (length < 0)
        {
            throw new IllegalArgumentException("negative length " + length + " for a non-null field");
        }
        final int lengthSize = Varints.putVarint(out, position, length);
        out.putBytes(position + lengthSize, bytes, bytesOffset, length);
        return position + lengthSize + length;
    }
}
