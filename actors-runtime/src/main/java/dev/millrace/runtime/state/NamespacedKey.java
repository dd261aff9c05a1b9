package dev.millrace.runtime.state;

/**
 * How an entry of a namespace other than {@link VoidNamespace} is keyed in a snapshot tree (and in the heap
 * backend): the pair of key and namespace. Entries of the void namespace are keyed by the key alone, so a
 * job that never uses namespaces writes the plain {@code key -> value} maps.
 *
 * @param key       the record key
 * @param namespace the namespace (a window, for example); never {@link VoidNamespace}
 */
public record NamespacedKey(Object key, Object namespace)
{
}
