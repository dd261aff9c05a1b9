package dev.millrace.runtime.operators;

import java.util.Collection;

/**
 * What a window operator keeps per key and window: an incremental accumulator, or (with an evictor) the
 * records themselves. An interface so the contents can move onto namespace-scoped keyed state without
 * touching the operator; today both forms live in a {@code MapState<window, ...>} of the current key.
 *
 * @param <IN>  record type
 * @param <ACC> accumulator type
 * @param <W>   window type
 */
interface WindowContents<IN, ACC, W>
{
    /**
     * @param window a window of the current key
     * @param value  a record to add to it
     * @return whether the window held nothing before
     * @throws Exception from the user's aggregate function
     */
    boolean add(W window, IN value) throws Exception;

    /**
     * @param window a window of the current key
     * @return its accumulator (after eviction), or null when it holds nothing
     * @throws Exception from the user's functions
     */
    ACC get(W window) throws Exception;

    /** @param window a window of the current key whose contents to drop */
    void clear(W window);

    /**
     * @param target  the window that the sources merged into
     * @param sources windows whose contents move into the target (the target is not among them)
     * @throws Exception from the user's aggregate function
     */
    void mergeInto(W target, Collection<W> sources) throws Exception;
}
