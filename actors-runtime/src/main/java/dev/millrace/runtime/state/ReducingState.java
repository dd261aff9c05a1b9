package dev.millrace.runtime.state;

/**
 * A value per key that added values are reduced into.
 *
 * @param <T> value type
 */
public interface ReducingState<T>
{
    /** @return the current key's reduced value, or null */
    T get();

    /** @param value reduced into the current key's value */
    void add(T value);

    /** Forgets the current key's value. */
    void clear();
}
