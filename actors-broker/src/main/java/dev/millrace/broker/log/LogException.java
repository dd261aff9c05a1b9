package dev.millrace.broker.log;

import dev.millrace.serialization.batch.InvalidBatchException;

/**
 * The one exception type a {@link Log} throws. Its {@link #category()} says what kind of failure it is, so that
 * a partition actor can map it to a client error code (or to supervision, for {@link Category#IO} and
 * {@link Category#CORRUPT}) without parsing messages. Messages say what went wrong and what to do about it.
 *
 * <p>For a refused batch ({@link Category#INVALID_BATCH}) the cause is the {@link InvalidBatchException} from
 * the batch validator and {@link #batchReason()} names its reason.
 */
public final class LogException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** What kind of failure this is. */
    public enum Category
    {
        /** A requested offset is outside [log start offset, log end offset]. The client should reset its position. */
        OFFSET_OUT_OF_RANGE,
        /** A batch in an append request is malformed (framing, magic, CRC, attributes, record count). Nothing was appended. */
        INVALID_BATCH,
        /** A batch is larger than {@code max.message.bytes}. Nothing was appended. */
        RECORD_TOO_LARGE,
        /**
         * A follower append does not start at the log end offset, its batches are not contiguous, or their leader epochs
         * go back below the log's. Nothing was appended.
         */
        NON_CONTIGUOUS,
        /** A leader append carries an epoch older than the log's latest: this replica has been superseded as leader. */
        FENCED_LEADER_EPOCH,
        /** Files on disk are inconsistent in a way recovery cannot repair without losing acknowledged data. */
        CORRUPT,
        /** The operating system refused an I/O operation (disk full, permissions, closed channel). */
        IO,
        /** A {@link LogConfig} value is invalid; the message names the key. */
        CONFIG,
        /** The log has been closed. */
        CLOSED
    }

    private final Category category;

    public LogException(final Category category, final String message)
    {
        super(category + ": " + message);
        this.category = category;
    }

    public LogException(final Category category, final String message, final Throwable cause)
    {
        super(category + ": " + message, cause);
        this.category = category;
    }

    public Category category()
    {
        return category;
    }

    /** The reason a batch was refused, when the category is {@link Category#INVALID_BATCH}; otherwise null. */
    public InvalidBatchException.Reason batchReason()
    {
        return getCause() instanceof InvalidBatchException ? ((InvalidBatchException)getCause()).reason() : null;
    }
}
