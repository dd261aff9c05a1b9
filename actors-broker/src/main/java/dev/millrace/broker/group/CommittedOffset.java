package dev.millrace.broker.group;

import dev.millrace.serialization.kryo.MillraceMessage;

/**
 * A committed offset as the coordinator stores it: what the consumer sent plus when it was committed.
 *
 * @param offset            the next offset the group will read
 * @param leaderEpoch       leader epoch of the record before {@code offset}, or -1 when unknown
 * @param metadata          free text the consumer stored with the offset
 * @param commitTimestampMs coordinator clock at commit, for retention
 */
public record CommittedOffset(long offset, int leaderEpoch, String metadata, long commitTimestampMs)
    implements MillraceMessage
{
    static CommittedOffset of(final OffsetAndMetadata committed, final long nowMs)
    {
        return new CommittedOffset(committed.offset(), committed.leaderEpoch(),
            committed.metadata() == null ? "" : committed.metadata(), nowMs);
    }
}
