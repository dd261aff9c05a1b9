package dev.millrace.runtime.windows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Fixed-size event-time windows that start every {@code slide}; a record belongs to {@code size / slide}
 * windows (rounded up).
 */
public final class SlidingEventTimeWindows implements WindowAssigner
{
    private final long sizeMs;
    private final long slideMs;

    private SlidingEventTimeWindows(final long sizeMs, final long slideMs)
    {
        if (sizeMs <= 0 || slideMs <= 0)
        {
            throw new IllegalArgumentException("window size and slide must be positive: size " + sizeMs
                + " ms, slide " + slideMs + " ms");
        }
        this.sizeMs = sizeMs;
        this.slideMs = slideMs;
    }

    /**
     * @param size  window size
     * @param slide distance between window starts
     * @return the assigner
     */
    public static SlidingEventTimeWindows of(final Duration size, final Duration slide)
    {
        return new SlidingEventTimeWindows(size.toMillis(), slide.toMillis());
    }

    @Override
    public List<TimeWindow> assignWindows(final long timestampMs)
    {
        final List<TimeWindow> windows = new ArrayList<>((int) ((sizeMs + slideMs - 1) / slideMs));
        final long lastStart = TimeWindow.windowStart(timestampMs, 0, slideMs);
        for (long start = lastStart; start > timestampMs - sizeMs; start -= slideMs)
        {
            windows.add(new TimeWindow(start, start + sizeMs));
        }
        return windows;
    }
}
