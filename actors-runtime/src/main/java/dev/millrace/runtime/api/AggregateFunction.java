package dev.millrace.runtime.api;

/**
 * Incremental aggregation: inputs are added to an accumulator, which yields the result. The accumulator is
 * state: it is snapshotted, so it should be a plain data type (record, boxed number, collection).
 *
 * @param <IN>  input type
 * @param <ACC> accumulator type
 * @param <OUT> result type
 */
public interface AggregateFunction<IN, ACC, OUT>
{
    /**
     * @return a new, empty accumulator
     */
    ACC createAccumulator();

    /**
     * @param value       the input
     * @param accumulator the accumulator
     * @return the accumulator with the input added (may be the same object, mutated)
     */
    ACC add(IN value, ACC accumulator);

    /**
     * @param accumulator the accumulator
     * @return the aggregate
     */
    OUT getResult(ACC accumulator);

    /**
     * @param a one accumulator
     * @param b another
     * @return both combined (used by merging windows, later)
     */
    ACC merge(ACC a, ACC b);
}
