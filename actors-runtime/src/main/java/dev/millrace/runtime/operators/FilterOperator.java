package dev.millrace.runtime.operators;

import dev.millrace.runtime.api.FilterFunction;

/**
 * Keeps the records a {@link FilterFunction} accepts.
 *
 * @param <T> record type
 */
public final class FilterOperator<T> extends StreamOperator<T, T>
{
    private final FilterFunction<T> function;

    /** @param function the user function */
    public FilterOperator(final FilterFunction<T> function)
    {
        this.function = function;
    }

    @Override
    public void processElement(final T value, final long timestampMs) throws Exception
    {
        if (function.filter(value))
        {
            output.collect(value, timestampMs);
        }
    }
}
