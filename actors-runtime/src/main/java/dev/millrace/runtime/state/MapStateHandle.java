package dev.millrace.runtime.state;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * {@link MapState} over a {@link MapStore}: each user value is stored as is, or as a {@link TtlValue} under
 * TTL (entries expire one by one, as in Flink).
 *
 * @param <K> user key type
 * @param <V> user value type
 */
final class MapStateHandle<K, V> extends AbstractStateHandle implements MapState<K, V>
{
    private final MapStore store;

    MapStateHandle(final MapStateDescriptor<K, V> descriptor, final AbstractKeyedStateBackend backend,
        final MapStore store)
    {
        super(descriptor, backend);
        this.store = store;
    }

    @Override
    @SuppressWarnings("unchecked")
    public V get(final K key)
    {
        final Object stored = store.get(namespace, key);
        if (ttl == null || stored == null)
        {
            return (V) stored;
        }
        final TtlValue value = ttl.cast(stored);
        if (ttl.expired(value))
        {
            store.remove(namespace, key);
            return ttl.returnExpired() ? (V) value.value() : null;
        }
        if (ttl.updateOnRead())
        {
            store.put(namespace, key, ttl.wrap(value.value()));
        }
        return (V) value.value();
    }

    @Override
    public void put(final K key, final V value)
    {
        checkUserKey(key);
        checkValue(value);
        store.put(namespace, key, wrap(value));
    }

    @Override
    public void remove(final K key)
    {
        store.remove(namespace, key);
    }

    @Override
    public boolean contains(final K key)
    {
        return ttl == null ? store.contains(namespace, key) : get(key) != null;
    }

    @Override
    @SuppressWarnings({"unchecked", "rawtypes"})
    public Iterable<Map.Entry<K, V>> entries()
    {
        if (ttl == null)
        {
            return (Iterable) store.entries(namespace);
        }
        final long nowMs = ttl.nowMs();
        final List<Map.Entry<K, V>> result = new ArrayList<>();
        final List<Object> expired = new ArrayList<>();
        final List<Map.Entry<Object, Object>> refreshed = new ArrayList<>();
        for (final Map.Entry<Object, Object> entry : store.entries(namespace))
        {
            final TtlValue value = ttl.cast(entry.getValue());
            if (ttl.expired(value, nowMs))
            {
                expired.add(entry.getKey());
                if (!ttl.returnExpired())
                {
                    continue;
                }
            }
            else if (ttl.updateOnRead())
            {
                refreshed.add(new AbstractMap.SimpleImmutableEntry<>(entry.getKey(), new TtlValue(value.value(), nowMs)));
            }
            result.add(new AbstractMap.SimpleImmutableEntry<>((K) entry.getKey(), (V) value.value()));
        }
        for (final Object key : expired)
        {
            store.remove(namespace, key);
        }
        for (final Map.Entry<Object, Object> entry : refreshed)
        {
            store.put(namespace, entry.getKey(), entry.getValue());
        }
        return Collections.unmodifiableList(result);
    }

    @Override
    public boolean isEmpty()
    {
        return ttl == null ? store.isEmpty(namespace) : !entries().iterator().hasNext();
    }

    @Override
    public void clear()
    {
        store.clear(namespace);
    }
}
