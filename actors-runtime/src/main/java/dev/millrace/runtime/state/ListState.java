package dev.millrace.runtime.state;

import java.util.List;

/**
 * A list per key.
 *
 * @param <T> element type
 */
public interface ListState<T>
{
    /** @return the current key's elements (empty, never null); a read-only view */
    List<T> get();

    /** @param value appended to the current key's list */
    void add(T value);

    /** @param values appended to the current key's list */
    void addAll(List<T> values);

    /** @param values the current key's new list */
    void update(List<T> values);

    /** Forgets the current key's list. */
    void clear();
}
