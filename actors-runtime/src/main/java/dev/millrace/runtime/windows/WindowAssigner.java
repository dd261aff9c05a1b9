package dev.millrace.runtime.windows;

import java.util.List;

/**
 * Puts a record into the event-time windows it belongs to.
 */
public interface WindowAssigner
{
    /**
     * @param timestampMs the record's event time
     * @return its windows (one for tumbling, size/slide for sliding)
     */
    List<TimeWindow> assignWindows(long timestampMs);
}
