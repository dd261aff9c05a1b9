package dev.millrace.runtime.operators;

import dev.millrace.runtime.api.Collector;

/**
 * A reusable {@link Collector} that emits to an {@link Output} with the timestamp of the record (or timer)
 * being processed, so functions need not pass timestamps along.
 *
 * @param <T> record type
 */
final class TimestampedCollector<T> implements Collector<T>
{
    private final Output<T> output;
    private long timestampMs = Long.MIN_VALUE;

    TimestampedCollector(final Output<T> output)
    {
        this.output = output;
    }

    void setTimestamp(final long timestamp)
    {
        this.timestampMs = timestamp;
    }

    @Override
    public void collect(final T record)
    {
        if (record == null)
        {
            throw new NullPointerException("a function emitted null; records must not be null");
        }
        output.collect(record, timestampMs);
    }
}
