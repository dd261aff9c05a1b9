package dev.millrace.broker.group;

import dev.millrace.serialization.kryo.MillraceMessage;

/**
 * An offset a consumer commits for one partition.
 *
 * @param offset      the next offset the group will read
 * @param leaderEpoch leader epoch of the record before {@code offset}, or -1 when unknown
 * @param metadata    free text the consumer stores with the offset ("" for none)
 */
public record OffsetAndMetadata(long offset, int leaderEpoch, String metadata) implements MillraceMessage
{
    /** Leader epoch value meaning "unknown". */
    public static final int NO_LEADER_EPOCH = -1;

    /**
     * @param offset the next offset to read
     * @return an offset without leader epoch and metadata
     */
    public static OffsetAndMetadata of(final long offset)
    {
        return new OffsetAndMetadata(offset, NO_LEADER_EPOCH, "");
    }
}
