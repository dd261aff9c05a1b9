package dev.millrace.runtime.api;

/**
 * Turns one record into zero or more records. May be shared by all instances of its operator: keep it stateless.
 *
 * @param <I> input type
 * @param <O> output type
 */
@FunctionalInterface
public interface FlatMapFunction<I, O>
{
    /**
     * @param value the input record
     * @param out   receives the output records
     * @throws Exception fails the job, with this exception as its cause
     */
    void flatMap(I value, Collector<O> out) throws Exception;
}
