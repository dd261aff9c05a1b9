package dev.millrace.runtime.state;

import java.util.Map;

/**
 * A backend's storage of one map state for the backend's current key: per namespace, user keys to stored
 * values.
 */
interface MapStore
{
    /** @param namespace the namespace @param userKey a user key @return its stored value, or null */
    Object get(Object namespace, Object userKey);

    /** @param namespace the namespace @param userKey a user key @param stored its stored value */
    void put(Object namespace, Object userKey, Object stored);

    /** @param namespace the namespace @param userKey a user key to remove */
    void remove(Object namespace, Object userKey);

    /** @param namespace the namespace @param userKey a user key @return whether it is stored */
    boolean contains(Object namespace, Object userKey);

    /**
     * @param namespace the namespace
     * @return its entries; may be a live view (do not modify the store while iterating it)
     */
    Iterable<Map.Entry<Object, Object>> entries(Object namespace);

    /** @param namespace the namespace @return whether it holds no entry */
    boolean isEmpty(Object namespace);

    /** @param namespace the namespace to empty */
    void clear(Object namespace);
}
