package dev.millrace.runtime.windows;

import java.util.Collection;

/**
 * Puts a record into the windows it belongs to, and says which trigger fires them by default.
 *
 * @param <W> window type
 */
public interface WindowAssigner<W extends Window>
{
    /**
     * @param element          the record
     * @param timestampMs      its event time ({@code Long.MIN_VALUE} if none)
     * @param processingTimeMs the operator's processing time now
     * @return its windows (one for tumbling and sessions, size/slide for sliding)
     */
    Collection<W> assignWindows(Object element, long timestampMs, long processingTimeMs);

    /** @return the trigger used when the windowed stream sets none */
    Trigger<Object, W> defaultTrigger();

    /** @return whether windows are in event time (records then need timestamps, and lateness applies) */
    boolean isEventTime();
}
