package dev.millrace.runtime.api;

/**
 * Turns one record into one record. May be shared by all instances of its operator: keep it stateless.
 *
 * @param <I> input type
 * @param <O> output type
 */
@FunctionalInterface
public interface MapFunction<I, O>
{
    /**
     * @param value the input record
     * @return the output record (not null)
     * @throws Exception fails the job, with this exception as its cause
     */
    O map(I value) throws Exception;
}
