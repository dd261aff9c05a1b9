package dev.millrace.runtime.api;

/**
 * Receives a stream's records at its end. One object may be shared by all instances of the sink: it must
 * be thread-safe (see {@link CollectingSink}).
 *
 * @param <T> record type
 */
@FunctionalInterface
public interface SinkFunction<T>
{
    /**
     * @param value       a record
     * @param timestampMs its event time, or {@code Long.MIN_VALUE}
     * @throws Exception fails the job, with this exception as its cause
     */
    void invoke(T value, long timestampMs) throws Exception;
}
