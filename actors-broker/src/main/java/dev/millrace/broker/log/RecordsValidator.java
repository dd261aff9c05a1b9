package dev.millrace.broker.log;

import static dev.millrace.serialization.batch.RecordBatchDescriptor.*;

import dev.millrace.serialization.batch.InvalidBatchException;
import dev.millrace.serialization.batch.InvalidBatchException.Reason;
import dev.millrace.serialization.batch.RecordBatchReader;
import org.agrona.DirectBuffer;
import org.agrona.UnsafeApi;

/**
 * The record-level check a leader runs on each produced batch after its header and CRC passed: every record parses
 * within its stated length, offset deltas lie in [0, lastOffsetDelta], key, value and header lengths fit, and the
 * records fill the batch exactly, no more and no fewer than its count. These are the checks of
 * {@link RecordBatchReader#validateDeep}; an uncompressed batch (the common case) is walked here in one tight loop
 * that decodes only lengths and skips the bytes between them, about ten times faster than iterating it through
 * {@link dev.millrace.serialization.batch.RecordFlyweight}, which also positions keys, values and headers for a consumer.
 * A compressed batch goes to the {@link RecordBatchReader}, where decompression dominates anyway.
 *
 * <p>Wire layout of one record (all varints zigzag-encoded):
 * <pre>
 *   length: varint (bytes after this field) | attributes: int8 | timestampDelta: varlong | offsetDelta: varint |
 *   keyLength: varint (-1 = null) | key | valueLength: varint (-1 = null) | value | headerCount: varint |
 *   headers: (keyLength: varint | key | valueLength: varint (-1 = null) | value) * headerCount
 * </pre>
 *
 * <p>Not thread-safe: one per thread (the log keeps one per thread). Allocates nothing unless a batch is bad.
 */
final class RecordsValidator
{
    private final RecordBatchReader compressedReader;
    private long batchPosition;

    RecordsValidator(final int maxDecompressedBytes)
    {
        compressedReader = new RecordBatchReader(maxDecompressedBytes);
    }

    /**
     * Checks the records of the batch of {@code size} bytes at {@code offset}, whose header, framing and CRC were
     * already validated ({@link dev.millrace.serialization.batch.RecordBatchFlyweight#validate}).
     *
     * @param position where the batch sits in its request, for error messages.
     * @throws InvalidBatchException naming the first problem found.
     */
    void validateRecords(final DirectBuffer buffer, final int offset, final int size, final long position)
    {
        final int codec = buffer.getShort(offset + ATTRIBUTES_OFFSET, BYTE_ORDER) & COMPRESSION_CODEC_MASK;
        if (codec != 0)
        {
            // validateDeep checks the CRC again: cheap next to decompressing.
            compressedReader.validateDeep(buffer, offset, size, Integer.MAX_VALUE, position);
            return;
        }
        this.batchPosition = position;
        final int count = buffer.getInt(offset + RECORDS_COUNT_OFFSET, BYTE_ORDER);
        final int lastOffsetDelta = buffer.getInt(offset + LAST_OFFSET_DELTA_OFFSET, BYTE_ORDER);
        final int end = offset + size;
        // The position lives in a local and each decode returns (position, value) packed in a long: the walk is a
        // chain of dependent loads, and a field or a second return value in memory would lengthen every link.
        // Raw reads without the buffer's per-byte bounds checks: every read below is checked against the end of the
        // batch or record, and the batch lies within the buffer (its framing was validated against what is available).
        final Object base = buffer.byteArray();
        final long address = buffer.addressOffset();
        int at = offset + RECORDS_OFFSET;
        for (int i = 0; i < count; i++)
        {
            if (at >= end)
            {
                throw bad("header states " + count + " records but the batch holds only " + i);
            }
            final int recordStart = at;
            long decoded = varint(base, address, at, end);
            final int bodySize = value(decoded);
            at = position(decoded);
            if (bodySize < 0 || bodySize > end - at)
            {
                throw bad("record at " + (recordStart - offset) + " states " + bodySize + " bytes but " + (end - at) + " are left");
            }
            final int recordEnd = at + bodySize;
            if (at >= recordEnd)
            {
                throw bad("record at " + (recordStart - offset) + " ends before its attributes byte");
            }
            at = skipVarlong(base, address, at + 1, recordEnd); // after the attributes: the timestamp delta
            decoded = varint(base, address, at, recordEnd);
            final int offsetDelta = value(decoded);
            at = position(decoded);
            if (offsetDelta < 0 || offsetDelta > lastOffsetDelta)
            {
                throw bad("record at " + (recordStart - offset) + " has offset delta " + offsetDelta + " outside [0, " +
                    lastOffsetDelta + "]");
            }
            at = skipField(base, address, at, recordEnd, true); // key
            at = skipField(base, address, at, recordEnd, true); // value
            decoded = varint(base, address, at, recordEnd);
            final int headerCount = value(decoded);
            at = position(decoded);
            // Each header takes at least two bytes: a bound that stops a huge count before the loop runs long.
            if (headerCount < 0 || headerCount > (recordEnd - at) / 2)
            {
                throw bad("record at " + (recordStart - offset) + " has header count " + headerCount + " with " +
                    (recordEnd - at) + " bytes left");
            }
            for (int h = 0; h < headerCount; h++)
            {
                at = skipField(base, address, at, recordEnd, false);
                at = skipField(base, address, at, recordEnd, true);
            }
            if (at != recordEnd)
            {
                throw bad("record at " + (recordStart - offset) + " states " + bodySize + " bytes but its fields take " +
                    (at - (recordEnd - bodySize)));
            }
        }
        if (at != end)
        {
            throw bad("header states " + count + " records but " + (end - at) + " bytes follow the last of them");
        }
    }

    /** Reads a length at {@code at} and skips that many bytes; -1 (null) is allowed where {@code nullable}. */
    private int skipField(final Object base, final long address, final int at, final int limit, final boolean nullable)
    {
        final long decoded = varint(base, address, at, limit);
        final int length = value(decoded);
        final int next = position(decoded);
        if (length < (nullable ? -1 : 0) || length > limit - next)
        {
            throw bad("a key, value or header length " + length + " with " + (limit - next) + " bytes left in the record");
        }
        return next + Math.max(length, 0);
    }

    /** Decodes the zigzag varint at {@code at}: the position after it in the high half, the value in the low half. */
    private long varint(final Object base, final long address, final int at, final int limit)
    {
        if (at < limit)
        {
            // Most record fields (attributes aside) are small: one byte, no loop.
            final int b = UnsafeApi.getByte(base, address + at);
            if (b >= 0)
            {
                return ((long)(at + 1) << 32) | (((b >>> 1) ^ -(b & 1)) & 0xFFFF_FFFFL);
            }
        }
        return varintSlow(base, address, at, limit);
    }

    private long varintSlow(final Object base, final long address, final int at, final int limit)
    {
        int i = at;
        int raw = 0;
        int shift = 0;
        while (true)
        {
            if (i >= limit)
            {
                throw new InvalidBatchException(Reason.BAD_VARINT, batchPosition, "varint at " + at + " runs past its limit " + limit);
            }
            final int b = UnsafeApi.getByte(base, address + i++);
            raw |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                return ((long)i << 32) | (((raw >>> 1) ^ -(raw & 1)) & 0xFFFF_FFFFL);
            }
            shift += 7;
            if (shift > 28)
            {
                throw new InvalidBatchException(Reason.BAD_VARINT, batchPosition, "varint at " + at + " is longer than 5 bytes");
            }
        }
    }

    /** The position after the varlong at {@code at}. */
    private int skipVarlong(final Object base, final long address, final int at, final int limit)
    {
        if (at < limit && UnsafeApi.getByte(base, address + at) >= 0)
        {
            return at + 1;
        }
        int i = at;
        for (int n = 0; n < 10; n++)
        {
            if (i >= limit)
            {
                throw new InvalidBatchException(Reason.BAD_VARINT, batchPosition, "varlong at " + at + " runs past its limit " + limit);
            }
            if ((UnsafeApi.getByte(base, address + i++) & 0x80) == 0)
            {
                return i;
            }
        }
        throw new InvalidBatchException(Reason.BAD_VARINT, batchPosition, "varlong at " + at + " is longer than 10 bytes");
    }

    private static int value(final long decoded)
    {
        return (int)decoded;
    }

    private static int position(final long decoded)
    {
        return (int)(decoded >>> 32);
    }

    private InvalidBatchException bad(final String message)
    {
        return new InvalidBatchException(Reason.BAD_RECORD, batchPosition, message);
    }
}
