package dev.millrace.broker.log;

import dev.millrace.serialization.batch.RecordBatchDescriptor;

/**
 * Decides which of a log's oldest segments retention may delete; the {@link Log} then deletes them (decide, then
 * apply). A segment goes when the log start offset has passed it, when its newest timestamp is more than
 * {@code retention.ms} old, or when the segments after it still hold at least {@code retention.bytes}. The decision
 * stops at the first segment that qualifies for none, so the log never gets a hole, and never takes the active segment.
 *
 * <p>Stateless; any thread.
 */
final class RetentionPolicy
{
    private RetentionPolicy()
    {
    }

    /** How many segments from the start of {@code segments} (oldest first) may be deleted at {@code nowMs}. */
    static int deletableSegments(
        final LogSegment[] segments, final long logStartOffset, final LogConfig config, final long nowMs)
    {
        long totalBytes = 0;
        for (final LogSegment segment : segments)
        {
            totalBytes += segment.size();
        }
        int deletable = 0;
        while (deletable < segments.length - 1)
        {
            final LogSegment segment = segments[deletable];
            final boolean belowStart = segments[deletable + 1].baseOffset() <= logStartOffset;
            final boolean expired = config.retentionMs() >= 0 && segment.maxTimestamp() != RecordBatchDescriptor.NO_TIMESTAMP &&
                nowMs - segment.maxTimestamp() > config.retentionMs();
            final boolean oversize = config.retentionBytes() >= 0 && totalBytes - segment.size() >= config.retentionBytes();
            if (!belowStart && !expired && !oversize)
            {
                break;
            }
            totalBytes -= segment.size();
            deletable++;
        }
        return deletable;
    }
}
