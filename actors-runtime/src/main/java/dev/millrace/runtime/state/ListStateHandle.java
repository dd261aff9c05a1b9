package dev.millrace.runtime.state;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * {@link ListState} over a {@link ValueStore}: the stored object is an {@code ArrayList} of the elements, each
 * a {@link TtlValue} under TTL (elements expire one by one, as in Flink).
 *
 * @param <T> element type
 */
final class ListStateHandle<T> extends AbstractStateHandle implements ListState<T>
{
    private final ValueStore store;

    ListStateHandle(final ListStateDescriptor<T> descriptor, final AbstractKeyedStateBackend backend,
        final ValueStore store)
    {
        super(descriptor, backend);
        this.store = store;
    }

    @Override
    @SuppressWarnings("unchecked")
    public List<T> get()
    {
        final List<Object> stored = (List<Object>) store.get(namespace);
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
        final ArrayList<Object> kept = new ArrayList<>(stored.size());
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
            store.put(namespace, kept.isEmpty() ? null : kept);
        }
        return Collections.unmodifiableList(result);
    }

    @Override
    public void add(final T value)
    {
        requireNonNull(value);
        checkValue(value);
        final ArrayList<Object> list = mutable();
        list.add(wrap(value));
        store.put(namespace, list);
    }

    @Override
    public void addAll(final List<T> values)
    {
        if (values.isEmpty())
        {
            return;
        }
        final ArrayList<Object> list = mutable();
        for (final T value : values)
        {
            requireNonNull(value);
            checkValue(value);
            list.add(wrap(value));
        }
        store.put(namespace, list);
    }

    @Override
    public void update(final List<T> values)
    {
        if (values.isEmpty())
        {
            store.put(namespace, null);
            return;
        }
        final ArrayList<Object> list = new ArrayList<>(values.size());
        for (final T value : values)
        {
            requireNonNull(value);
            checkValue(value);
            list.add(wrap(value));
        }
        store.put(namespace, list);
    }

    @Override
    public void clear()
    {
        store.put(namespace, null);
    }

    @SuppressWarnings("unchecked")
    private ArrayList<Object> mutable()
    {
        final ArrayList<Object> list = (ArrayList<Object>) store.get(namespace);
        return list == null ? new ArrayList<>() : list;
    }
}
