package dev.millrace.runtime.connectors.log;

import java.util.Objects;

/**
 * Where a {@link LogSource} starts reading each partition when it does not continue from a restored position.
 */
public sealed interface StartingOffsets
{
    /** @return the log start offset of each partition */
    static StartingOffsets earliest()
    {
        return Earliest.INSTANCE;
    }

    /** @return the log end offset (high watermark) of each partition at start: only records produced later */
    static StartingOffsets latest()
    {
        return Latest.INSTANCE;
    }

    /**
     * @param timestampMs epoch milliseconds
     * @return the first offset whose record timestamp is at or after it, or the log end when there is none
     */
    static StartingOffsets timestamp(final long timestampMs)
    {
        return new Timestamp(timestampMs);
    }

    /**
     * @param groupId  the consumer group whose committed offsets to start from (read from its coordinator)
     * @param fallback where a partition without a committed offset starts ({@link #earliest()} or
     *                 {@link #latest()}, or a timestamp)
     * @return the committed offsets
     */
    static StartingOffsets committed(final String groupId, final StartingOffsets fallback)
    {
        return new Committed(groupId, fallback);
    }

    /** The log start offset. */
    enum Earliest implements StartingOffsets
    {
        INSTANCE
    }

    /** The log end offset. */
    enum Latest implements StartingOffsets
    {
        INSTANCE
    }

    /**
     * The first offset at or after a timestamp.
     *
     * @param timestampMs epoch milliseconds
     */
    record Timestamp(long timestampMs) implements StartingOffsets
    {
    }

    /**
     * A consumer group's committed offsets.
     *
     * @param groupId  the group
     * @param fallback for partitions the group has not committed
     */
    record Committed(String groupId, StartingOffsets fallback) implements StartingOffsets
    {
        /** Checks the group and the fallback. */
        public Committed
        {
            if (groupId == null || groupId.isBlank())
            {
                throw new IllegalArgumentException("committed offsets need a group id");
            }
            Objects.requireNonNull(fallback, "fallback");
            if (fallback instanceof Committed)
            {
                throw new IllegalArgumentException("the fallback of committed offsets cannot be committed offsets");
            }
        }
    }
}
