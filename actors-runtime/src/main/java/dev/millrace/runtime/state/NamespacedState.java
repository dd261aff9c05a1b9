package dev.millrace.runtime.state;

/**
 * Implemented by every state handle a {@link KeyedStateBackend} returns: the handle reads and writes the
 * entry of the backend's current key <em>and</em> of the handle's current namespace, which starts as
 * {@link VoidNamespace#INSTANCE}. Operators (windows) cast a handle to this interface to scope it to a
 * window; user functions never need it.
 */
public interface NamespacedState
{
    /**
     * @param namespace the namespace later calls act on; not null
     */
    void setCurrentNamespace(Object namespace);
}
