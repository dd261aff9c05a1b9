package dev.millrace.runtime.windows;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * Event-time sessions: each record opens the window {@code [t, t + gap)}, and windows of a key that overlap
 * or touch merge, so a session ends after {@code gap} without records. Fired by an {@link EventTimeTrigger}
 * when the watermark passes the (merged) session's end.
 */
public final class EventTimeSessionWindows implements MergingWindowAssigner<TimeWindow>
{
    private final long gapMs;

    private EventTimeSessionWindows(final long gapMs)
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
    public static EventTimeSessionWindows withGap(final Duration gap)
    {
        return new EventTimeSessionWindows(gap.toMillis());
    }

    @Override
    public Collection<TimeWindow> assignWindows(final Object element, final long timestampMs,
        final long processingTimeMs)
    {
        TimeWindows.checkTimestamp(timestampMs, "an event-time session window");
        return List.of(new TimeWindow(timestampMs, timestampMs + gapMs));
    }

    @Override
    public void mergeWindows(final Collection<TimeWindow> windows, final MergeCallback<TimeWindow> callback)
    {
        TimeWindows.mergeSessions(windows, callback);
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
