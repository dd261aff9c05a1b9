package dev.millrace.serialization.batch;

/**
 * Thrown when bytes that claim to be a record batch are not one. It names what is wrong ({@link #reason()})
 * and where ({@link #batchOffset()}, the position of the batch in the buffer it was read from), so that a
 * broker can refuse the batch with a precise error and a recovering log can truncate at the right place.
 *
 * <p>Readers of untrusted bytes throw only this type for bad input: never an {@code IndexOutOfBoundsException}.
 */
public final class InvalidBatchException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** The category of the corruption. */
    public enum Reason
    {
        /** Fewer bytes are available than the header or the length field needs. */
        TRUNCATED,
        /** The length field is below the header size or above the allowed maximum. */
        LENGTH_OUT_OF_RANGE,
        /** The magic byte is not 2. */
        BAD_MAGIC,
        /** The stored CRC32C does not match the bytes. */
        BAD_CRC,
        /** Attribute bits that no version of the format defines are set, or the codec id is unknown. */
        UNKNOWN_COMPRESSION,
        /** A varint or varlong is longer than its type allows or runs past the end of its batch. */
        BAD_VARINT,
        /** A record's fields are inconsistent (negative lengths, count mismatch, sizes beyond the batch). */
        BAD_RECORD,
        /** The compressed payload could not be decompressed. */
        BAD_COMPRESSED_DATA
    }

    private final Reason reason;
    private final long batchOffset;

    public InvalidBatchException(final Reason reason, final long batchOffset, final String message)
    {
        super(reason + " at batch position " + batchOffset + ": " + message);
        this.reason = reason;
        this.batchOffset = batchOffset;
    }

    public InvalidBatchException(final Reason reason, final long batchOffset, final String message, final Throwable cause)
    {
        super(reason + " at batch position " + batchOffset + ": " + message, cause);
        this.reason = reason;
        this.batchOffset = batchOffset;
    }

    public Reason reason()
    {
        return reason;
    }

    /** Position of the batch's first byte within the buffer or file it was read from. */
    public long batchOffset()
    {
        return batchOffset;
    }
}
