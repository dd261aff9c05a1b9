package dev.millrace.runtime.windows;

import java.time.Duration;
import java.util.List;

/**
 * Fixed-size, non-overlapping event-time windows aligned to the epoch (plus an optional offset).
 */
public final class TumblingEventTimeWindows implements WindowAssigner
{
    private final long sizeMs;
    private final long offsetMs;

    private TumblingEventTimeWindows(final long sizeMs, final long offsetMs)
    {
        if (sizeMs <= 0)
        {
            throw new IllegalArgumentException("window size must be positive: " + sizeMs + " ms");
        }
        if (offsetMs < 0 || offsetMs >= sizeMs)
        {
            throw new IllegalArgumentException("window offset must be in [0, size): " + offsetMs + " ms");
        }
        this.sizeMs = sizeMs;
        this.offsetMs = offsetMs;
    }

    /**
     * @param size window size
     * @return the assigner
     */
    public static TumblingEventTimeWindows of(final Duration size)
    {
        return new TumblingEventTimeWindows(size.toMillis(), 0);
    }

    /**
     * @param size   window size
     * @param offset shift of the window boundaries
     * @return the assigner
     */
    public static TumblingEventTimeWindows of(final Duration size, final Duration offset)
    {
        return new TumblingEventTimeWindows(size.toMillis(), offset.toMillis());
    }

    @Override
    public List<TimeWindow> assignWindows(final long timestampMs)
    {
        final long start = TimeWindow.windowStart(timestampMs, offsetMs, sizeMs);
        return List.of(new TimeWindow(start, start + sizeMs));
    }
}
