package dev.millrace.runtime.state;

import java.util.Map;

/**
 * A map per key.
 *
 * @param <K> user key type
 * @param <V> user value type
 */
public interface MapState<K, V>
{
    /** @param key a user key @return its value for the current key, or null */
    V get(K key);

    /** @param key a user key @param value its new value */
    void put(K key, V value);

    /** @param key a user key to remove */
    void remove(K key);

    /** @param key a user key @return whether the current key's map holds it */
    boolean contains(K key);

    /** @return the current key's entries (a read-only view; empty, never null) */
    Iterable<Map.Entry<K, V>> entries();

    /** @return whether the current key's map is empty */
    boolean isEmpty();

    /** Forgets the current key's map. */
    void clear();
}
