package dev.millrace.runtime.operators;

import dev.millrace.runtime.api.SinkFunction;

/**
 * Hands records to a {@link SinkFunction}; emits nothing.
 *
 * @param <T> record type
 */
public final class SinkOperator<T> extends StreamOperator<T, Object>
{
    private final SinkFunction<T> function;

    /** @param function the user sink */
    public SinkOperator(final SinkFunction<T> function)
    {
        this.function = function;
    }

    @Override
    public void processElement(final T value, final long timestampMs) throws Exception
    {
        function.invoke(value, timestampMs);
    }

    @Override
    public void processWatermark(final long watermarkMs)
    {
        currentWatermark = watermarkMs;
    }

    @Override
    public void processStatus(final boolean idle)
    {
    }
}
