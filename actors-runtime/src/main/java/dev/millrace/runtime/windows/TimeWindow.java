package dev.millrace.runtime.windows;

/**
 * An interval {@code [startMs, endMs)} of event or processing time. Its results are emitted with
 * {@link #maxTimestamp()} as their timestamp.
 *
 * @param startMs first millisecond, inclusive
 * @param endMs   end, exclusive
 */
public record TimeWindow(long startMs, long endMs) implements Window
{
    public TimeWindow
    {
        if (endMs <= startMs)
        {
            throw new IllegalArgumentException("window end " + endMs + " must be after its start " + startMs);
        }
    }

    /** @return the last millisecond in the window */
    @Override
    public long maxTimestamp()
    {
        return endMs - 1;
    }

    /**
     * @param other a window
     * @return whether the two overlap or touch (sessions that touch become one)
     */
    public boolean intersects(final TimeWindow other)
    {
        return startMs <= other.endMs && endMs >= other.startMs;
    }

    /**
     * @param other a window
     * @return the smallest window that covers both
     */
    public TimeWindow cover(final TimeWindow other)
    {
        return new TimeWindow(Math.min(startMs, other.startMs), Math.max(endMs, other.endMs));
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
