package dev.millrace.runtime.state;

import dev.millrace.runtime.api.ReduceFunction;

/**
 * {@link ReducingState} over a {@link ValueStore}: the stored object is the reduced value, or a
 * {@link TtlValue}; an expired value is not reduced with new ones.
 *
 * @param <T> value type
 */
final class ReducingStateHandle<T> extends AbstractStateHandle implements ReducingState<T>
{
    private final ValueStore store;
    private final ReduceFunction<T> function;

    ReducingStateHandle(final ReducingStateDescriptor<T> descriptor, final AbstractKeyedStateBackend backend,
        final ValueStore store)
    {
        super(descriptor, backend);
        this.store = store;
        this.function = descriptor.reduceFunction();
    }

    @Override
    @SuppressWarnings("unchecked")
    public T get()
    {
        return (T) (ttl == null ? store.get(namespace) : ttl.read(store, namespace));
    }

    @Override
    @SuppressWarnings("unchecked")
    public void add(final T value)
    {
        requireNonNull(value);
        final T current = (T) (ttl == null ? store.get(namespace) : ttl.readForUpdate(store, namespace));
        final T reduced;
        try
        {
            reduced = current == null ? value : function.reduce(current, value);
        }
        catch (final RuntimeException e)
        {
            throw e;
        }
        catch (final Exception e)
        {
            throw new UserCodeException(e);
        }
        checkValue(reduced);
        store.put(namespace, wrap(reduced));
    }

    @Override
    public void clear()
    {
        store.put(namespace, null);
    }
}
