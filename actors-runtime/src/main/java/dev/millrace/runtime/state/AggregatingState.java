package dev.millrace.runtime.state;

/**
 * An accumulator per key that added values are aggregated into.
 *
 * @param <IN>  input type
 * @param <OUT> result type
 */
public interface AggregatingState<IN, OUT>
{
    /** @return the current key's aggregate, or null when nothing was added */
    OUT get();

    /** @param value added to the current key's accumulator */
    void add(IN value);

    /** Forgets the current key's accumulator. */
    void clear();
}
