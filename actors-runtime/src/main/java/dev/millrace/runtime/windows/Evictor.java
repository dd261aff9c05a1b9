package dev.millrace.runtime.windows;

import java.util.List;

/**
 * Removes records from a window before it is evaluated; what it removes is gone for later firings too.
 * With an evictor a window keeps all its records (not an incremental aggregate).
 *
 * @param <T> record type
 * @param <W> window type
 */
@FunctionalInterface
public interface Evictor<T, W extends Window>
{
    /**
     * @param elements the window's records in arrival order; remove from it in place
     * @param window   the window about to be evaluated
     */
    void evictBefore(List<T> elements, W window);
}
