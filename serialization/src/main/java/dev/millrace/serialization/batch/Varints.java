package dev.millrace.serialization.batch;

import org.agrona.MutableDirectBuffer;

/**
 * Zigzag varint (int32, at most 5 bytes) and varlong (int64, at most 10 bytes) encoding as Kafka's
 * {@code ByteUtils} writes them inside v2 records: 7 bits per byte, least significant group first, the high
 * bit saying "more follows". Decoding lives in {@link VarintReader}, which is bounded by a limit.
 *
 * <p>Stateless and thread-safe; nothing allocates.
 */
public final class Varints
{
    /** The longest a varint may be. */
    public static final int MAX_VARINT_LENGTH = 5;
    /** The longest a varlong may be. */
    public static final int MAX_VARLONG_LENGTH = 10;

    private Varints()
    {
    }

    /** Bytes that {@link #putVarint} will write for {@code value}. */
    public static int sizeOfVarint(final int value)
    {
        return sizeOfUnsignedVarint((value << 1) ^ (value >> 31));
    }

    /** Bytes that an unsigned (not zigzag) varint of {@code value} takes. */
    public static int sizeOfUnsignedVarint(final int value)
    {
        // Each 7 significant bits cost a byte; 0 still costs one.
        final int leadingZeros = Integer.numberOfLeadingZeros(value);
        final int bits = 32 - leadingZeros;
        return bits == 0 ? 1 : (bits + 6) / 7;
    }

    /** Bytes that {@link #putVarlong} will write for {@code value}. */
    public static int sizeOfVarlong(final long value)
    {
        final long zigzag = (value << 1) ^ (value >> 63);
        final int bits = 64 - Long.numberOfLeadingZeros(zigzag);
        return bits == 0 ? 1 : (bits + 6) / 7;
    }

    /** Writes {@code value} zigzag-encoded at {@code index}; returns the bytes written. */
    public static int putVarint(final MutableDirectBuffer buffer, final int index, final int value)
    {
        int v = (value << 1) ^ (value >> 31);
        int i = index;
        while ((v & 0xFFFFFF80) != 0)
        {
            buffer.putByte(i++, (byte)((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        buffer.putByte(i++, (byte)v);
        return i - index;
    }

    /** Writes {@code value} zigzag-encoded at {@code index}; returns the bytes written. */
    public static int putVarlong(final MutableDirectBuffer buffer, final int index, final long value)
    {
        long v = (value << 1) ^ (value >> 63);
        int i = index;
        while ((v & 0xFFFFFFFFFFFFFF80L) != 0)
        {
            buffer.putByte(i++, (byte)((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        buffer.putByte(i++, (byte)v);
        return i - index;
    }
}
