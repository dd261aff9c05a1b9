package dev.millrace.runtime.windows;

import java.util.List;

/**
 * Keeps only the last {@code maxCount} records of a window (sliding count windows).
 *
 * @param <W> window type
 */
public final class CountEvictor<W extends Window> implements Evictor<Object, W>
{
    private final int maxCount;

    private CountEvictor(final int maxCount)
    {
        if (maxCount < 1)
        {
            throw new IllegalArgumentException("a count evictor must keep at least 1 record: " + maxCount);
        }
        this.maxCount = maxCount;
    }

    /**
     * @param maxCount records to keep
     * @param <W>      window type
     * @return the evictor
     */
    public static <W extends Window> CountEvictor<W> of(final int maxCount)
    {
        return new CountEvictor<>(maxCount);
    }

    @Override
    public void evictBefore(final List<Object> elements, final W window)
    {
        if (elements.size() > maxCount)
        {
            elements.subList(0, elements.size() - maxCount).clear();
        }
    }
}
