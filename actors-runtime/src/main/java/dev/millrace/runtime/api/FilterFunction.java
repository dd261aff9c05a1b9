package dev.millrace.runtime.api;

/**
 * Keeps the records for which it returns true. May be shared by all instances of its operator: keep it stateless.
 *
 * @param <T> record type
 */
@FunctionalInterface
public interface FilterFunction<T>
{
    /**
     * @param value the record
     * @return whether to keep it
     * @throws Exception fails the job, with this exception as its cause
     */
    boolean filter(T value) throws Exception;
}
