package dev.millrace.runtime.windows;

import java.time.Duration;
import java.util.Collection;

/**
 * Fixed-size windows of processing time that start every {@code slide}, fired by a
 * {@link ProcessingTimeTrigger}.
 */
public final class SlidingProcessingTimeWindows implements WindowAssigner<TimeWindow>
{
    private final long sizeMs;
    private final long slideMs;

    private SlidingProcessingTimeWindows(final long sizeMs, final long slideMs)
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
    public static SlidingProcessingTimeWindows of(final Duration size, final Duration slide)
    {
        return new SlidingProcessingTimeWindows(size.toMillis(), slide.toMillis());
    }

    @Override
    public Collection<TimeWindow> assignWindows(final Object element, final long timestampMs,
        final long processingTimeMs)
    {
        return TimeWindows.sliding(processingTimeMs, sizeMs, slideMs, 0);
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
