package dev.millrace.runtime.state;

/**
 * What every state handle shares: its state's name, its namespace, its TTL rules (null without TTL) and the
 * backend's serializability check of written values (remembering the last class checked, so the hot path
 * costs one comparison).
 */
abstract class AbstractStateHandle implements NamespacedState
{
    /** The state's name. */
    protected final String name;
    /** The backend, for the serializability check. */
    protected final AbstractKeyedStateBackend backend;
    /** TTL rules, or null. */
    protected final TtlSupport ttl;
    /** The current namespace. */
    protected Object namespace = VoidNamespace.INSTANCE;
    private Class<?> lastChecked;
    private Class<?> lastCheckedKey;

    AbstractStateHandle(final StateDescriptor descriptor, final AbstractKeyedStateBackend backend)
    {
        this.name = descriptor.name();
        this.backend = backend;
        this.ttl = descriptor.ttlConfig() == null ? null
            : new TtlSupport(descriptor.name(), descriptor.ttlConfig(), backend.clockMs());
    }

    @Override
    public final void setCurrentNamespace(final Object newNamespace)
    {
        if (newNamespace == null)
        {
            throw new IllegalArgumentException("state " + name + ": the namespace must not be null");
        }
        this.namespace = newNamespace;
    }

    /** @param value a user value about to be stored; checked once per class */
    protected final void checkValue(final Object value)
    {
        if (value != null && value.getClass() != lastChecked)
        {
            backend.checkSerializable(name, value);
            lastChecked = value.getClass();
        }
    }

    /** @param key a user map key about to be stored; checked once per class */
    protected final void checkUserKey(final Object key)
    {
        if (key != null && key.getClass() != lastCheckedKey)
        {
            backend.checkSerializable(name, key);
            lastCheckedKey = key.getClass();
        }
    }

    /** @param value a value written to state @return the stored form */
    protected final Object wrap(final Object value)
    {
        return ttl == null ? value : ttl.wrap(value);
    }

    /** @param value a value that must not be null */
    protected final void requireNonNull(final Object value)
    {
        if (value == null)
        {
            throw new IllegalArgumentException("state " + name + ": null values cannot be added");
        }
    }
}
