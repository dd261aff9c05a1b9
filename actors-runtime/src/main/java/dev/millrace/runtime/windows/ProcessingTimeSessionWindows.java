package dev.millrace.runtime.windows;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * Processing-time sessions: a key's session ends after {@code gap} of the instance's clock without records.
 */
public final class ProcessingTimeSessionWindows implements MergingWindowAssigner<TimeWindow>
{
    private final long gapMs;

    private ProcessingTimeSessionWindows(final long gapMs)
    {
        if (gapMs <= 0)
        {
            throw new IllegalArgumentException("session gap must be positive: " + gapMs + " ms");
        }
        this.gapMs = gapMs;
    }

    /**
     * @param gap the inactivity that ends a session
     * @return the assigner
     */
    public static ProcessingTimeSessionWindows withGap(final Duration gap)
    {
        return new ProcessingTimeSessionWindows(gap.toMillis());
    }

    @Override
    public Collection<TimeWindow> assignWindows(final Object element, final long timestampMs,
        final long processingTimeMs)
    {
        return List.of(new TimeWindow(processingTimeMs, processingTimeMs + gapMs));
    }

    @Override
    public void mergeWindows(final Collection<TimeWindow> windows, final MergeCallback<TimeWindow> callback)
    {
        TimeWindows.mergeSessions(windows, callback);
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
