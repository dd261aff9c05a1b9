package dev.millrace.runtime.api;

/**
 * Receives the records a function emits. Valid only during the call that handed it out.
 *
 * @param <T> record type
 */
@FunctionalInterface
public interface Collector<T>
{
    /**
     * @param record an output record, not null
     */
    void collect(T record);
}
