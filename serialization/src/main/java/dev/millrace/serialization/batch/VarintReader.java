package dev.millrace.serialization.batch;

import dev.millrace.serialization.batch.InvalidBatchException.Reason;
import org.agrona.DirectBuffer;

/**
 * A cursor that decodes zigzag varints and varlongs (see {@link Varints}) from a buffer without reading past
 * a limit. Bytes are untrusted: a varint longer than its type allows, or one that would run past the limit,
 * is an {@link InvalidBatchException} with {@link Reason#BAD_VARINT}, never an index error.
 *
 * <p>Not thread-safe; reuse one per reader. Allocates nothing except the exception on bad input.
 */
public final class VarintReader
{
    private DirectBuffer buffer;
    private int position;
    private int limit;
    private long batchPosition;

    /**
     * Reads from {@code position} up to, not including, {@code limit}; {@code batchPosition} is only used in
     * error messages to say which batch was bad.
     */
    public VarintReader wrap(final DirectBuffer buffer, final int position, final int limit, final long batchPosition)
    {
        this.buffer = buffer;
        this.position = position;
        this.limit = limit;
        this.batchPosition = batchPosition;
        return this;
    }

    public DirectBuffer buffer()
    {
        return buffer;
    }

    public int position()
    {
        return position;
    }

    public VarintReader position(final int position)
    {
        this.position = position;
        return this;
    }

    public int limit()
    {
        return limit;
    }

    /** Narrows or moves the limit, e.g. to the end of the current record. */
    public VarintReader limit(final int limit)
    {
        this.limit = limit;
        return this;
    }

    public int remaining()
    {
        return limit - position;
    }

    public long batchPosition()
    {
        return batchPosition;
    }

    /** Decodes a zigzag varint of at most 5 bytes and advances past it. */
    public int readVarint()
    {
        int raw = 0;
        int shift = 0;
        int i = position;
        while (true)
        {
            if (i >= limit)
            {
                throw new InvalidBatchException(
                    Reason.BAD_VARINT, batchPosition, "varint at " + position + " runs past its limit " + limit);
            }
            final int b = buffer.getByte(i++);
            raw |= (b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                break;
            }
            shift += 7;
            if (shift > 28)
            {
                throw new InvalidBatchException(
                    Reason.BAD_VARINT, batchPosition, "varint at " + position + " is longer than " + Varints.MAX_VARINT_LENGTH + " bytes");
            }
        }
        position = i;
        return (raw >>> 1) ^ -(raw & 1);
    }

    /** Decodes a zigzag varlong of at most 10 bytes and advances past it. */
    public long readVarlong()
    {
        long raw = 0;
        int shift = 0;
        int i = position;
        while (true)
        {
            if (i >= limit)
            {
                throw new InvalidBatchException(
                    Reason.BAD_VARINT, batchPosition, "varlong at " + position + " runs past its limit " + limit);
            }
            final int b = buffer.getByte(i++);
            raw |= (long)(b & 0x7F) << shift;
            if ((b & 0x80) == 0)
            {
                break;
            }
            shift += 7;
            if (shift > 63)
            {
                throw new InvalidBatchException(
                    Reason.BAD_VARINT, batchPosition, "varlong at " + position + " is longer than " + Varints.MAX_VARLONG_LENGTH + " bytes");
            }
        }
        position = i;
        return (raw >>> 1) ^ -(raw & 1);
    }

    /** Reads one byte; running past the limit is a {@link Reason#BAD_RECORD}. */
    public byte readByte()
    {
        if (position >= limit)
        {
            throw new InvalidBatchException(Reason.BAD_RECORD, batchPosition, "record ends at " + limit + " before its attributes byte");
        }
        return buffer.getByte(position++);
    }

    /** Skips {@code length} bytes that the caller has checked fit before the limit. */
    public void skip(final int length)
    {
        position += length;
    }
}
