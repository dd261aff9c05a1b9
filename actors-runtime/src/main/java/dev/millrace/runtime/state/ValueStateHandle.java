package dev.millrace.runtime.state;

/**
 * {@link ValueState} over a {@link ValueStore}: the stored object is the value, or a {@link TtlValue}.
 *
 * @param <T> value type
 */
final class ValueStateHandle<T> extends AbstractStateHandle implements ValueState<T>
{
    private final ValueStore store;

    ValueStateHandle(final ValueStateDescriptor<T> descriptor, final AbstractKeyedStateBackend backend,
        final ValueStore store)
    {
        super(descriptor, backend);
        this.store = store;
    }

    @Override
    @SuppressWarnings("unchecked")
    public T value()
    {
        return (T) (ttl == null ? store.get(namespace) : ttl.read(store, namespace));
    }

    @Override
    public void update(final T value)
    {
        if (value == null)
        {
            store.put(namespace, null);
            return;
        }
        checkValue(value);
        store.put(namespace, wrap(value));
    }

    @Override
    public void clear()
    {
        store.put(namespace, null);
    }
}
