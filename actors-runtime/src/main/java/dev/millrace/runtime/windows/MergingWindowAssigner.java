package dev.millrace.runtime.windows;

import java.util.Collection;

/**
 * An assigner whose windows can grow together (sessions): each new window is merged with the key's
 * existing windows it overlaps, and their contents, triggers and timers become the merged window's.
 *
 * @param <W> window type
 */
public interface MergingWindowAssigner<W extends Window> extends WindowAssigner<W>
{
    /** Receives each group of windows that becomes one. */
    @FunctionalInterface
    interface MergeCallback<W>
    {
        /**
         * @param toBeMerged  the windows of the group (two or more)
         * @param mergeResult the window they become
         */
        void merge(Collection<W> toBeMerged, W mergeResult);
    }

    /**
     * @param windows  a key's windows
     * @param callback told of every group that merges
     */
    void mergeWindows(Collection<W> windows, MergeCallback<W> callback);
}
