package dev.millrace.runtime.state;

import java.util.List;

/**
 * A backend's storage of one list state for the backend's current key: per namespace, a list of stored
 * elements that can be appended to without being read (RocksDB: a merge).
 */
interface ListStore
{
    /**
     * @param namespace the namespace
     * @return its elements, or null when empty; may be the live list (read it, do not change it)
     */
    List<Object> get(Object namespace);

    /** @param namespace the namespace @param elements appended, in order */
    void add(Object namespace, List<Object> elements);

    /** @param namespace the namespace @param elements its new elements; null or empty removes the entry */
    void put(Object namespace, List<Object> elements);
}
