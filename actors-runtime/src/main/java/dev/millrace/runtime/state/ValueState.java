package dev.millrace.runtime.state;

/**
 * One value per key.
 *
 * @param <T> value type
 */
public interface ValueState<T>
{
    /** @return the current key's value, or null */
    T value();

    /** @param value the current key's new value; null clears it */
    void update(T value);

    /** Forgets the current key's value. */
    void clear();
}
