package dev.millrace.runtime.operators;

import dev.millrace.runtime.api.OutputTag;
import dev.millrace.runtime.api.ProcessFunction;

/**
 * Runs a {@link ProcessFunction} on a non-keyed stream. Keyed state is refused with a message that says to
 * {@code keyBy} first.
 *
 * @param <I> input type
 * @param <O> output type
 */
public final class ProcessOperator<I, O> extends StreamOperator<I, O> implements ProcessFunction.Context
{
    private final ProcessFunction<I, O> function;
    private TimestampedCollector<O> collector;
    private long timestampMs;

    /** @param function the user function, this instance's own object */
    public ProcessOperator(final ProcessFunction<I, O> function)
    {
        this.function = function;
    }

    @Override
    public void open() throws Exception
    {
        collector = new TimestampedCollector<>(output);
        function.open(new NonKeyedRuntimeContext(context, "operator "));
    }

    @Override
    public void processElement(final I value, final long timestamp) throws Exception
    {
        timestampMs = timestamp;
        collector.setTimestamp(timestamp);
        function.processElement(value, this, collector);
    }

    @Override
    public long timestamp()
    {
        return timestampMs;
    }

    @Override
    public long currentWatermark()
    {
        return currentWatermark;
    }

    @Override
    public long currentProcessingTime()
    {
        return context.processingTime().currentTimeMillis();
    }

    @Override
    public <X> void output(final OutputTag<X> tag, final X value)
    {
        output.collect(tag, value, timestampMs);
    }
}
