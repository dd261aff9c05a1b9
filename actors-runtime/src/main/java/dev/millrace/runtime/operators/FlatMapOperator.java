package dev.millrace.runtime.operators;

import dev.millrace.runtime.api.FlatMapFunction;

/**
 * Applies a {@link FlatMapFunction}; outputs keep the input's timestamp.
 *
 * @param <I> input type
 * @param <O> output type
 */
public final class FlatMapOperator<I, O> extends StreamOperator<I, O>
{
    private final FlatMapFunction<I, O> function;
    private TimestampedCollector<O> collector;

    /** @param function the user function */
    public FlatMapOperator(final FlatMapFunction<I, O> function)
    {
        this.function = function;
    }

    @Override
    public void open()
    {
        collector = new TimestampedCollector<>(output);
    }

    @Override
    public void processElement(final I value, final long timestampMs) throws Exception
    {
        collector.setTimestamp(timestampMs);
        function.flatMap(value, collector);
    }
}
