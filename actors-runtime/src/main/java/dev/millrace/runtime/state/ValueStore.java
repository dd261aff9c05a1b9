package dev.millrace.runtime.state;

/**
 * A backend's storage of one value-like state (value, list, reducing, aggregating) for the backend's current
 * key: one stored object per namespace. The handles build the state semantics and TTL on top.
 */
interface ValueStore
{
    /** @param namespace the namespace @return the stored object, or null */
    Object get(Object namespace);

    /** @param namespace the namespace @param stored the new stored object, or null to remove the entry */
    void put(Object namespace, Object stored);
}
