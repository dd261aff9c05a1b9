package dev.millrace.runtime.state;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@link ListState} over a {@link ListStore}: the stored elements are the values, each a {@link TtlValue} under
 * TTL (elements expire one by one, as in Flink). Adding never reads the list.
 *
 * @param <T> element type
 */
final class ListStateHandle<T> extends AbstractStateHandle implements ListState<T>
{
    private final ListStore store;

    ListStateHandle(final ListStateDescriptor<T> descriptor, final AbstractKeyedStateBackend backend,
        final ListStore store)
    {
        super(descriptor, backend);
        this.store = store;
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<T> get()
    {
        final List<Object> stored = store.get(namespace);
        if (stored == null)
        {
            return List.of();
        }
        if (ttl == null)
        {
            return Collections.unmodifiableList((List<T>) stored);
        }
        final long nowMs = ttl.nowMs();
        final List<T> result = new ArrayList<>(stored.size());
        final List<Object> kept = new ArrayList<>(stored.size());
        boolean changed = false;
        for (final Object element : stored)
        {
            final TtlValue value = ttl.cast(element);
            if (ttl.expired(value, nowMs))
            {
                changed = true;
                if (ttl.returnExpired())
                {
                    result.add((T) value.value());
                }
            }
            else
            {
                result.add((T) value.value());
                kept.add(ttl.updateOnRead() ? new TtlValue(value.value(), nowMs) : value);
                changed |= ttl.updateOnRead();
            }
        }
        if (changed)
        {
            store.put(namespace, kept);
        }
        return Collections.unmodifiableList(result);
    }

    @Override
    public void add(final T value)
    {
        store.add(namespace, List.of(stored(value)));
    }

    @Override
    public void addAll(final List<T> values)
    {
        if (!values.isEmpty())
        {
            store.add(namespace, storedAll(values));
        }
    }

    @Override
    public void update(final List<T> values)
    {
        store.put(namespace, values.isEmpty() ? null : storedAll(values));
    }

    @Override
    public void clear()
    {
        store.put(namespace, null);
    }

    private Object stored(final T value)
    {
        requireNonNull(value);
        checkValue(value);
        return wrap(value);
    }

    private List<Object> storedAll(final List<T> values)
    {
        final List<Object> elements = new ArrayList<>(values.size());
        for (final T value : values)
        {
            elements.add(stored(value));
        }
        return elements;
    }
}
