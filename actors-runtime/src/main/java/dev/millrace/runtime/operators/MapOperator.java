package dev.millrace.runtime.operators;

import dev.millrace.runtime.api.MapFunction;

/**
 * Applies a {@link MapFunction}; the output keeps the input's timestamp.
 *
 * @param <I> input type
 * @param <O> output type
 */
public final class MapOperator<I, O> extends StreamOperator<I, O>
{
    private final MapFunction<I, O> function;

    /** @param function the user function */
    public MapOperator(final MapFunction<I, O> function)
    {
        this.function = function;
    }

    @Override
    public void processElement(final I value, final long timestampMs) throws Exception
    {
        final O result = function.map(value);
        if (result == null)
        {
            throw new NullPointerException("map function of " + context.operatorName() + " returned null");
        }
        output.collect(result, timestampMs);
    }
}
