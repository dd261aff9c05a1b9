package dev.millrace.broker.log;

import static dev.millrace.serialization.batch.RecordBatchDescriptor.*;

import org.agrona.DirectBuffer;

/**
 * Walks the records of an uncompressed v2 batch to find the first whose timestamp reaches a target, reading only the
 * leading fields of each record:
 * <pre>
 *   length: varint (bytes after this field) | attributes: int8 | timestampDelta: varlong | offsetDelta: varint | ...
 * </pre>
 * All varints are zigzag-encoded. The batch CRC does not vouch for a producer's record encoding, so every read is
 * bounds-checked and a malformed record ends the walk (the caller falls back to the batch's base offset).
 *
 * <p>Stateless apart from the last decoded value and its length and the last answer's timestamp; one instance per
 * reader thread.
 */
final class RecordTimestamps
{
    private long value;
    private int valueLength;
    private long foundTimestamp;

    /**
     * The offset of the first record of the batch in {@code buffer} (starting at 0, {@code size} bytes) with a
     * timestamp at or above {@code targetMs}, or the batch's base offset when none is found or the records are
     * malformed. {@link #foundTimestamp()} then tells that record's timestamp (the base timestamp for the fallback).
     */
    long firstOffsetAtOrAfter(final DirectBuffer buffer, final int size, final long targetMs)
    {
        final long baseOffset = buffer.getLong(BASE_OFFSET_OFFSET, BYTE_ORDER);
        final long baseTimestamp = buffer.getLong(BASE_TIMESTAMP_OFFSET, BYTE_ORDER);
        final int count = buffer.getInt(RECORDS_COUNT_OFFSET, BYTE_ORDER);
        foundTimestamp = baseTimestamp;
        int position = RECORDS_OFFSET;
        for (int i = 0; i < count; i++)
        {
            if (!readVarlong(buffer, position, size))
            {
                return baseOffset;
            }
            final long length = zigzag(value);
            final int recordStart = position + valueLength;
            if (length <= 0 || recordStart + length > size)
            {
                return baseOffset;
            }
            final int recordEnd = (int)(recordStart + length);
            int at = recordStart + 1; // attributes
            if (!readVarlong(buffer, at, recordEnd))
            {
                return baseOffset;
            }
            final long timestamp = baseTimestamp + zigzag(value);
            at += valueLength;
            if (!readVarlong(buffer, at, recordEnd))
            {
                return baseOffset;
            }
            if (timestamp >= targetMs)
            {
                foundTimestamp = timestamp;
                return baseOffset + zigzag(value);
            }
            position = recordEnd;
        }
        return baseOffset;
    }

    /** The timestamp of the record {@link #firstOffsetAtOrAfter} answered last. */
    long foundTimestamp()
    {
        return foundTimestamp;
    }

    private boolean readVarlong(final DirectBuffer buffer, final int position, final int limit)
    {
        long raw = 0;
        int shift = 0;
        int at = position;
        while (at < limit && shift < 64)
        {
            final byte b = buffer.getByte(at++);
            raw |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                value = raw;
                valueLength = at - position;
                return true;
            }
            shift += 7;
        }
        return false;
    }

    private static long zigzag(final long raw)
    {
        return (raw >>> 1) ^ -(raw & 1);
    }
}
