package dev.millrace.broker.log;

/**
 * What an append did: the offsets it assigned (or kept, for a follower), the largest timestamp and its offset,
 * and sizes. One instance is owned by each {@link Log} and overwritten by every append, so appends allocate
 * nothing; read it before the next append and copy what you keep.
 *
 * <p>Not thread-safe: read it on the writer thread.
 */
public final class AppendResult
{
    private long firstOffset;
    private long lastOffset;
    private long maxTimestamp;
    private long offsetOfMaxTimestamp;
    private int batchCount;
    private int recordCount;
    private int sizeInBytes;
    private long logStartOffset;

    void set(
        final long firstOffset, final long lastOffset, final long maxTimestamp, final long offsetOfMaxTimestamp,
        final int batchCount, final int recordCount, final int sizeInBytes, final long logStartOffset)
    {
        this.firstOffset = firstOffset;
        this.lastOffset = lastOffset;
        this.maxTimestamp = maxTimestamp;
        this.offsetOfMaxTimestamp = offsetOfMaxTimestamp;
        this.batchCount = batchCount;
        this.recordCount = recordCount;
        this.sizeInBytes = sizeInBytes;
        this.logStartOffset = logStartOffset;
    }

    /** Base offset of the first batch appended. */
    public long firstOffset()
    {
        return firstOffset;
    }

    /** Last offset of the last batch appended; the log end offset is now one more. */
    public long lastOffset()
    {
        return lastOffset;
    }

    /** Largest batch max timestamp in the request. */
    public long maxTimestamp()
    {
        return maxTimestamp;
    }

    /** Last offset of the batch that carried {@link #maxTimestamp()}. */
    public long offsetOfMaxTimestamp()
    {
        return offsetOfMaxTimestamp;
    }

    public int batchCount()
    {
        return batchCount;
    }

    /** Sum of the batches' record counts. */
    public int recordCount()
    {
        return recordCount;
    }

    /** Bytes written to the log. */
    public int sizeInBytes()
    {
        return sizeInBytes;
    }

    /** The log start offset after the append (for the produce response). */
    public long logStartOffset()
    {
        return logStartOffset;
    }

    @Override
    public String toString()
    {
        return "AppendResult{firstOffset=" + firstOffset + ", lastOffset=" + lastOffset + ", maxTimestamp=" + maxTimestamp +
            ", batchCount=" + batchCount + ", recordCount=" + recordCount + ", sizeInBytes=" + sizeInBytes + '}';
    }
}
