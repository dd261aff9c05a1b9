package dev.millrace.runtime.windows;

import java.time.Duration;
import java.util.Collection;

/**
 * Fixed-size event-time windows that start every {@code slide}; a record belongs to {@code size / slide}
 * windows (rounded up). Fired by an {@link EventTimeTrigger}.
 */
public final class SlidingEventTimeWindows implements WindowAssigner<TimeWindow>
{
    private final long sizeMs;
    private final long slideMs;

    private SlidingEventTimeWindows(final long sizeMs, final long slideMs)
    {
        TimeWindows.checkSizes(sizeMs, slideMs, 0);
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
    public Collection<TimeWindow> assignWindows(final Object element, final long timestampMs,
        final long processingTimeMs)
    {
        TimeWindows.checkTimestamp(timestampMs, "a sliding event-time window");
        return TimeWindows.sliding(timestampMs, sizeMs, slideMs, 0);
    }

    @Override
    public Trigger<Object, TimeWindow> defaultTrigger()
    {
        return EventTimeTrigger.create();
    }

    @Override
    public boolean isEventTime()
    {
        return true;
    }
}
