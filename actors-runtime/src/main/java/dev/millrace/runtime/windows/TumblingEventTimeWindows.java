package dev.millrace.runtime.windows;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * Fixed-size, non-overlapping event-time windows aligned to the epoch (plus an optional offset), fired by
 * an {@link EventTimeTrigger} when the watermark passes their end.
 */
public final class TumblingEventTimeWindows implements WindowAssigner<TimeWindow>
{
    private final long sizeMs;
    private final long offsetMs;

    private TumblingEventTimeWindows(final long sizeMs, final long offsetMs)
    {
        TimeWindows.checkSizes(sizeMs, sizeMs, offsetMs);
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
    public Collection<TimeWindow> assignWindows(final Object element, final long timestampMs,
        final long processingTimeMs)
    {
        TimeWindows.checkTimestamp(timestampMs, "a tumbling event-time window");
        final long start = TimeWindow.windowStart(timestampMs, offsetMs, sizeMs);
        return List.of(new TimeWindow(start, start + sizeMs));
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
