package dev.millrace.runtime.windows;

/**
 * An event-time interval {@code [startMs, endMs)}. Its results are emitted when the watermark reaches
 * {@link #maxTimestamp()}, with that timestamp.
 *
 * @param startMs first millisecond, inclusive
 * @param endMs   end, exclusive
 */
public record TimeWindow(long startMs, long endMs)
{
    public TimeWindow
    {
        if (endMs <= startMs)
        {
            throw new IllegalArgumentException("window end " + endMs + " must be after its start " + startMs);
        }
    }

    /** @return the last millisecond in the window */
    public long maxTimestamp()
    {
        return endMs - 1;
    }

    /**
     * @param timestampMs an event time
     * @param offsetMs    window alignment offset
     * @param sizeMs      the window size or slide
     * @return the start of the aligned window of that size that holds the time
     */
    public static long windowStart(final long timestampMs, final long offsetMs, final long sizeMs)
    {
        return timestampMs - Math.floorMod(timestampMs - offsetMs, sizeMs);
    }
}
