package dev.millrace.runtime.api;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Collects every record in memory, from all instances; for tests and small local jobs.
 *
 * <p>Threading: thread-safe; {@link #results()} is a copy.
 *
 * @param <T> record type
 */
public final class CollectingSink<T> implements SinkFunction<T>
{
    private final ConcurrentLinkedQueue<T> records = new ConcurrentLinkedQueue<>();

    @Override
    public void invoke(final T value, final long timestampMs)
    {
        records.add(value);
    }

    /** @return the records so far, in no guaranteed order across instances */
    public List<T> results()
    {
        return new ArrayList<>(records);
    }

    /** @return how many records arrived so far */
    public int size()
    {
        return records.size();
    }
}
