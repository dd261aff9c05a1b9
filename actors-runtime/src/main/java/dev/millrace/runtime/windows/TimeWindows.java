package dev.millrace.runtime.windows;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/** Arithmetic shared by the time-based assigners. */
final class TimeWindows
{
    private TimeWindows()
    {
    }

    static void checkSizes(final long sizeMs, final long slideMs, final long offsetMs)
    {
        if (sizeMs <= 0 || slideMs <= 0)
        {
            throw new IllegalArgumentException("window size and slide must be positive: size " + sizeMs
                + " ms, slide " + slideMs + " ms");
        }
        if (offsetMs < 0 || offsetMs >= slideMs)
        {
            throw new IllegalArgumentException("window offset must be in [0, slide): " + offsetMs + " ms");
        }
    }

    /** The windows of size {@code sizeMs} starting every {@code slideMs} (plus offset) that hold the time. */
    static List<TimeWindow> sliding(final long timeMs, final long sizeMs, final long slideMs, final long offsetMs)
    {
        final List<TimeWindow> windows = new ArrayList<>((int) ((sizeMs + slideMs - 1) / slideMs));
        final long lastStart = TimeWindow.windowStart(timeMs, offsetMs, slideMs);
        for (long start = lastStart; start > timeMs - sizeMs; start -= slideMs)
        {
            windows.add(new TimeWindow(start, start + sizeMs));
        }
        return windows;
    }

    /** Sessions: sorted by start, each run of overlapping or touching windows becomes their cover. */
    static void mergeSessions(final Collection<TimeWindow> windows,
        final MergingWindowAssigner.MergeCallback<TimeWindow> callback)
    {
        final List<TimeWindow> sorted = new ArrayList<>(windows);
        sorted.sort(Comparator.comparingLong(TimeWindow::startMs));
        List<TimeWindow> group = new ArrayList<>();
        TimeWindow cover = null;
        for (final TimeWindow window : sorted)
        {
            if (cover != null && cover.intersects(window))
            {
                group.add(window);
                cover = cover.cover(window);
                continue;
            }
            if (group.size() > 1)
            {
                callback.merge(group, cover);
            }
            group = new ArrayList<>();
            group.add(window);
            cover = window;
        }
        if (group.size() > 1)
        {
            callback.merge(group, cover);
        }
    }

    static void checkTimestamp(final long timestampMs, final String assigner)
    {
        if (timestampMs == Long.MIN_VALUE)
        {
            throw new IllegalStateException(assigner + " received a record without a timestamp; assign timestamps "
                + "with assignTimestampsAndWatermarks(...) before event-time windows");
        }
    }
}
