package dev.millrace.runtime.api;

/**
 * Combines two values of the same type into one; must be associative.
 *
 * @param <T> value type
 */
@FunctionalInterface
public interface ReduceFunction<T>
{
    /**
     * @param accumulated the value so far
     * @param value       the new value
     * @return the combination
     * @throws Exception fails the job, with this exception as its cause
     */
    T reduce(T accumulated, T value) throws Exception;
}
