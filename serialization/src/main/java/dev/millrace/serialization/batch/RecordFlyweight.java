package dev.millrace.serialization.batch;

import dev.millrace.serialization.batch.InvalidBatchException.Reason;
import org.agrona.DirectBuffer;

/**
 * A view of one record of a v2 batch (record layout in {@link RecordBatchBuilder}), positioned by
 * {@link RecordBatchReader#next()}. Keys, values and headers are not copied: they are (offset, length)
 * ranges of {@link #buffer()}, a length of -1 meaning null. For a compressed batch that buffer is the
 * reader's decompression buffer, valid until the reader moves to another batch.
 *
 * <p>The record has been fully checked when the reader hands it out (lengths, header structure, size), so the
 * accessors and the header cursor cannot fail.
 *
 * <p>Not thread-safe; owned by one {@link RecordBatchReader}. Allocates nothing.
 */
public final class RecordFlyweight
{
    private final VarintReader headerReader = new VarintReader();

    private DirectBuffer buffer;
    private long baseOffset;
    private long baseTimestamp;
    private long logAppendTimestamp;
    private boolean logAppendTime;

    private int recordOffset;
    private int sizeInBytes;
    private byte attributes;
    private long timestampDelta;
    private int offsetDelta;
    private int keyOffset;
    private int keyLength;
    private int valueOffset;
    private int valueLength;
    private int headerCount;
    private int headersOffset;
    private int recordEnd;

    private int headersRead;
    private int headerKeyOffset;
    private int headerKeyLength;
    private int headerValueOffset;
    private int headerValueLength;

    void batch(final long baseOffset, final long baseTimestamp, final boolean logAppendTime, final long maxTimestamp)
    {
        this.baseOffset = baseOffset;
        this.baseTimestamp = baseTimestamp;
        this.logAppendTime = logAppendTime;
        this.logAppendTimestamp = maxTimestamp;
    }

    /**
     * Parses and checks the record at the reader's position, leaving the reader after it. The reader's limit
     * is the end of the records section.
     */
    void parse(final VarintReader reader, final int lastOffsetDelta)
    {
        final long batchPosition = reader.batchPosition();
        final int sectionEnd = reader.limit();
        buffer = reader.buffer();
        recordOffset = reader.position();
        final int bodySize = reader.readVarint();
        final int bodyStart = reader.position();
        if (bodySize < 0 || bodySize > sectionEnd - bodyStart)
        {
            throw new InvalidBatchException(
                Reason.BAD_RECORD, batchPosition,
                "record at " + recordOffset + " states " + bodySize + " bytes but " + (sectionEnd - bodyStart) + " are left");
        }
        recordEnd = bodyStart + bodySize;
        sizeInBytes = recordEnd - recordOffset;
        reader.limit(recordEnd);

        attributes = reader.readByte();
        timestampDelta = reader.readVarlong();
        offsetDelta = reader.readVarint();
        if (offsetDelta < 0 || offsetDelta > lastOffsetDelta)
        {
            throw new InvalidBatchException(
                Reason.BAD_RECORD, batchPosition,
                "record at " + recordOffset + " has offset delta " + offsetDelta + " outside [0, " + lastOffsetDelta + "]");
        }
        keyLength = readLength(reader, "key", true);
        keyOffset = reader.position();
        reader.skip(Math.max(keyLength, 0));
        valueLength = readLength(reader, "value", true);
        valueOffset = reader.position();
        reader.skip(Math.max(valueLength, 0));

        headerCount = reader.readVarint();
        if (headerCount < 0)
        {
            throw new InvalidBatchException(
                Reason.BAD_RECORD, batchPosition, "record at " + recordOffset + " has a negative header count " + headerCount);
        }
        headersOffset = reader.position();
        // Each header takes at least two bytes: a bound that stops a huge count before the loop runs long.
        if (headerCount > reader.remaining() / 2)
        {
            throw new InvalidBatchException(
                Reason.BAD_RECORD, batchPosition,
                "record at " + recordOffset + " claims " + headerCount + " headers in " + reader.remaining() + " bytes");
        }
        for (int i = 0; i < headerCount; i++)
        {
            final int headerKeyLength = readLength(reader, "header key", false);
            reader.skip(headerKeyLength);
            final int headerValueLength = readLength(reader, "header value", true);
            reader.skip(Math.max(headerValueLength, 0));
        }
        if (reader.position() != recordEnd)
        {
            throw new InvalidBatchException(
                Reason.BAD_RECORD, batchPosition,
                "record at " + recordOffset + " states " + bodySize + " bytes but its fields take " + (reader.position() - bodyStart));
        }
        reader.limit(sectionEnd);
        resetHeaders();
    }

    private int readLength(final VarintReader reader, final String field, final boolean nullable)
    {
        final int length = reader.readVarint();
        if (length < (nullable ? -1 : 0) || length > reader.remaining())
        {
            throw new InvalidBatchException(
                Reason.BAD_RECORD, reader.batchPosition(),
                "record at " + recordOffset + " has " + field + " length " + length + " with " + reader.remaining() + " bytes left in the record");
        }
        return length;
    }

    /** The buffer that the key, value and header ranges refer to. */
    public DirectBuffer buffer()
    {
        return buffer;
    }

    /** Where this record starts in {@link #buffer()}, at its length varint. */
    public int recordOffset()
    {
        return recordOffset;
    }

    /** The record's encoded size including its length varint. */
    public int sizeInBytes()
    {
        return sizeInBytes;
    }

    public byte attributes()
    {
        return attributes;
    }

    public long timestampDelta()
    {
        return timestampDelta;
    }

    /** The record's timestamp: the batch's max timestamp for log-append time, else base timestamp + delta. */
    public long timestamp()
    {
        return logAppendTime ? logAppendTimestamp : baseTimestamp + timestampDelta;
    }

    public int offsetDelta()
    {
        return offsetDelta;
    }

    public long offset()
    {
        return baseOffset + offsetDelta;
    }

    public int keyOffset()
    {
        return keyOffset;
    }

    /** The key's length, or -1 for a null key. */
    public int keyLength()
    {
        return keyLength;
    }

    public int valueOffset()
    {
        return valueOffset;
    }

    /** The value's length, or -1 for a null value. */
    public int valueLength()
    {
        return valueLength;
    }

    public int headerCount()
    {
        return headerCount;
    }

    /** Rewinds the header cursor to before the first header. */
    public RecordFlyweight resetHeaders()
    {
        headersRead = 0;
        headerReader.wrap(buffer, headersOffset, recordEnd, 0);
        return this;
    }

    /** Moves the header cursor to the next header; false when there are no more. */
    public boolean nextHeader()
    {
        if (headersRead >= headerCount)
        {
            return false;
        }
        // Already checked by parse, so these reads cannot fail.
        headerKeyLength = headerReader.readVarint();
        headerKeyOffset = headerReader.position();
        headerReader.skip(headerKeyLength);
        headerValueLength = headerReader.readVarint();
        headerValueOffset = headerReader.position();
        headerReader.skip(Math.max(headerValueLength, 0));
        headersRead++;
        return true;
    }

    public int headerKeyOffset()
    {
        return headerKeyOffset;
    }

    /** The current header key's length in UTF-8 bytes. */
    public int headerKeyLength()
    {
        return headerKeyLength;
    }

    public int headerValueOffset()
    {
        return headerValueOffset;
    }

    /** The current header value's length, or -1 for null. */
    public int headerValueLength()
    {
        return headerValueLength;
    }
}
