package dev.millrace.runtime.windows;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * Fixed-size, non-overlapping windows of the operator's processing time (the instance's clock when the
 * record arrives), fired by a {@link ProcessingTimeTrigger} when the clock passes their end.
 */
public final class TumblingProcessingTimeWindows implements WindowAssigner<TimeWindow>
{
    private final long sizeMs;

    private TumblingProcessingTimeWindows(final long sizeMs)
    {
        TimeWindows.checkSizes(sizeMs, sizeMs, 0);
        this.sizeMs = sizeMs;
    }

    /**
     * @param size window size
     * @return the assigner
     */
    public static TumblingProcessingTimeWindows of(final Duration size)
    {
        return new TumblingProcessingTimeWindows(size.toMillis());
    }

    @Override
    public Collection<TimeWindow> assignWindows(final Object element, final long timestampMs,
        final long processingTimeMs)
    {
        final long start = TimeWindow.windowStart(processingTimeMs, 0, sizeMs);
        return List.of(new TimeWindow(start, start + sizeMs));
    }

    @Override
    public Trigger<Object, TimeWindow> defaultTrigger()
    {
        return ProcessingTimeTrigger.create();
    }

    @Override
    public boolean isEventTime()
    {
        return false;
    }
}
