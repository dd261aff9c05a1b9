package dev.millrace.runtime.state;

import dev.millrace.runtime.api.AggregateFunction;
import dev.millrace.runtime.api.ReduceFunction;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Keyed state on the heap for one operator instance. Every state is a table with one hash map per key group
 * of the instance's {@link KeyGroupRange} (key → value), so a snapshot is naturally split by key group and a
 * restore keeps exactly the key groups the restoring instance owns — the basis for rescaling from a
 * snapshot later.
 *
 * <p>State handles returned by {@code getXxxState} read and write the entry of the <em>current key</em>, set by
 * the operator with {@link #setCurrentKey(Object)} before user code runs.
 *
 * <p>Snapshot tree (serialized by a {@link StateSerializer}):
 * <pre>
 * HashMap {
 *   "maxParallelism" -> Integer
 *   "states"         -> HashMap&lt;String name, HashMap { "kind" -> String, "groups" -> HashMap&lt;Integer keyGroup, HashMap&lt;key, value&gt;&gt; }&gt;
 * }
 * </pre>
 * Values are the stored form: the value (value, reducing), an {@code ArrayList} (list), a {@code HashMap}
 * (map) or the accumulator (aggregating). Empty key groups are left out.
 *
 * <p>Threading: confined to the operator instance's actor.
 */
public final class HeapKeyedStateBackend
{
    private final int maxParallelism;
    private final KeyGroupRange range;
    private final Map<String, StateTable> tables = new HashMap<>();
    private Object currentKey;
    private int currentKeyGroupIndex = -1;

    /**
     * @param maxParallelism number of key groups of the job
     * @param range          the key groups this instance owns
     */
    public HeapKeyedStateBackend(final int maxParallelism, final KeyGroupRange range)
    {
        this.maxParallelism = maxParallelism;
        this.range = range;
    }

    /**
     * @return the key groups this backend owns
     */
    public KeyGroupRange keyGroupRange()
    {
        return range;
    }

    /**
     * Scopes every state handle to a key.
     *
     * @param key the key of the record or timer being processed
     * @throws IllegalStateException when the key's group is not owned here (a partitioning bug)
     */
    public void setCurrentKey(final Object key)
    {
        final int keyGroup = KeyGroupRangeAssignment.keyGroupFor(key, maxParallelism);
        if (!range.contains(keyGroup))
        {
            throw new IllegalStateException("key " + key + " is in key group " + keyGroup + ", outside this instance's "
                + range);
        }
        currentKey = key;
        currentKeyGroupIndex = keyGroup - range.startKeyGroup();
    }

    /**
     * @return the current key, or null before the first record
     */
    public Object currentKey()
    {
        return currentKey;
    }

    /**
     * @param descriptor the state's descriptor
     * @param <T>        value type
     * @return the handle, scoped to the current key
     */
    public <T> ValueState<T> getValueState(final ValueStateDescriptor<T> descriptor)
    {
        final StateTable table = table(descriptor);
        return new ValueState<>()
        {
            @Override
            @SuppressWarnings("unchecked")
            public T value()
            {
                return (T) table.get();
            }

            @Override
            public void update(final T value)
            {
                table.put(value);
            }

            @Override
            public void clear()
            {
                table.put(null);
            }
        };
    }

    /**
     * @param descriptor the state's descriptor
     * @param <T>        element type
     * @return the handle, scoped to the current key
     */
    public <T> ListState<T> getListState(final ListStateDescriptor<T> descriptor)
    {
        final StateTable table = table(descriptor);
        return new ListState<>()
        {
            @Override
            @SuppressWarnings("unchecked")
            public List<T> get()
            {
                final List<T> list = (List<T>) table.get();
                return list == null ? List.of() : Collections.unmodifiableList(list);
            }

            @Override
            public void add(final T value)
            {
                mutable().add(value);
            }

            @Override
            public void addAll(final List<T> values)
            {
                mutable().addAll(values);
            }

            @Override
            public void update(final List<T> values)
            {
                table.put(values.isEmpty() ? null : new ArrayList<>(values));
            }

            @Override
            public void clear()
            {
                table.put(null);
            }

            @SuppressWarnings("unchecked")
            private List<T> mutable()
            {
                List<T> list = (List<T>) table.get();
                if (list == null)
                {
                    list = new ArrayList<>();
                    table.put(list);
                }
                return list;
            }
        };
    }

    /**
     * @param descriptor the state's descriptor
     * @param <K>        user key type
     * @param <V>        user value type
     * @return the handle, scoped to the current key
     */
    public <K, V> MapState<K, V> getMapState(final MapStateDescriptor<K, V> descriptor)
    {
        final StateTable table = table(descriptor);
        return new MapState<>()
        {
            @Override
            public V get(final K key)
            {
                final Map<K, V> map = current();
                return map == null ? null : map.get(key);
            }

            @Override
            public void put(final K key, final V value)
            {
                Map<K, V> map = current();
                if (map == null)
                {
                    map = new HashMap<>();
                    table.put(map);
                }
                map.put(key, value);
            }

            @Override
            public void remove(final K key)
            {
                final Map<K, V> map = current();
                if (map != null)
                {
                    map.remove(key);
                    if (map.isEmpty())
                    {
                        table.put(null);
                    }
                }
            }

            @Override
            public boolean contains(final K key)
            {
                final Map<K, V> map = current();
                return map != null && map.containsKey(key);
            }

            @Override
            public Iterable<Map.Entry<K, V>> entries()
            {
                final Map<K, V> map = current();
                return map == null ? List.of() : Collections.unmodifiableMap(map).entrySet();
            }

            @Override
            public boolean isEmpty()
            {
                return current() == null;
            }

            @Override
            public void clear()
            {
                table.put(null);
            }

            @SuppressWarnings("unchecked")
            private Map<K, V> current()
            {
                return (Map<K, V>) table.get();
            }
        };
    }

    /**
     * @param descriptor the state's descriptor
     * @param <T>        value type
     * @return the handle, scoped to the current key
     */
    public <T> ReducingState<T> getReducingState(final ReducingStateDescriptor<T> descriptor)
    {
        final StateTable table = table(descriptor);
        final ReduceFunction<T> function = descriptor.reduceFunction();
        return new ReducingState<>()
        {
            @Override
            @SuppressWarnings("unchecked")
            public T get()
            {
                return (T) table.get();
            }

            @Override
            public void add(final T value)
            {
                final T current = get();
                try
                {
                    table.put(current == null ? value : function.reduce(current, value));
                }
                catch (final RuntimeException e)
                {
                    throw e;
                }
                catch (final Exception e)
                {
                    throw new UserCodeException(e);
                }
            }

            @Override
            public void clear()
            {
                table.put(null);
            }
        };
    }

    /**
     * @param descriptor the state's descriptor
     * @param <IN>       input type
     * @param <ACC>      accumulator type
     * @param <OUT>      result type
     * @return the handle, scoped to the current key
     */
    public <IN, ACC, OUT> AggregatingState<IN, OUT> getAggregatingState(
        final AggregatingStateDescriptor<IN, ACC, OUT> descriptor)
    {
        final StateTable table = table(descriptor);
        final AggregateFunction<IN, ACC, OUT> function = descriptor.aggregateFunction();
        return new AggregatingState<>()
        {
            @Override
            public OUT get()
            {
                final ACC accumulator = accumulator();
                return accumulator == null ? null : function.getResult(accumulator);
            }

            @Override
            public void add(final IN value)
            {
                final ACC accumulator = accumulator();
                table.put(function.add(value, accumulator == null ? function.createAccumulator() : accumulator));
            }

            @Override
            public void clear()
            {
                table.put(null);
            }

            @SuppressWarnings("unchecked")
            private ACC accumulator()
            {
                return (ACC) table.get();
            }
        };
    }

    /**
     * @return the number of (state, key) entries held, for tests and metrics
     */
    public int entryCount()
    {
        int count = 0;
        for (final StateTable table : tables.values())
        {
            for (final HashMap<Object, Object> group : table.groups)
            {
                count += group.size();
            }
        }
        return count;
    }

    /**
     * @return the snapshot tree of all states (see the class documentation); shares no mutable object with
     *         the live state only after serialization, so serialize it before processing further records
     */
    public HashMap<String, Object> snapshotTree()
    {
        final HashMap<String, Object> states = new HashMap<>();
        for (final Map.Entry<String, StateTable> entry : tables.entrySet())
        {
            final HashMap<Integer, HashMap<Object, Object>> groups = new HashMap<>();
            final HashMap<Object, Object>[] live = entry.getValue().groups;
            for (int i = 0; i < live.length; i++)
            {
                if (!live[i].isEmpty())
                {
                    groups.put(range.startKeyGroup() + i, live[i]);
                }
            }
            final HashMap<String, Object> state = new HashMap<>();
            state.put("kind", entry.getValue().kind);
            state.put("groups", groups);
            states.put(entry.getKey(), state);
        }
        final HashMap<String, Object> tree = new HashMap<>();
        tree.put("maxParallelism", maxParallelism);
        tree.put("states", states);
        return tree;
    }

    /**
     * Replaces all state with the key groups of a snapshot that this backend owns; other key groups in the
     * snapshot are ignored (they belong to other instances after a rescale).
     *
     * @param tree a tree from {@link #snapshotTree()} (possibly of several instances' snapshots, one at a time)
     * @param clearFirst whether to drop the current state first (false to merge several snapshots' ranges)
     * @throws IllegalStateException when the snapshot was taken with another maxParallelism
     */
    @SuppressWarnings("unchecked")
    public void restoreTree(final Map<String, Object> tree, final boolean clearFirst)
    {
        final int snapshotMaxParallelism = (Integer) tree.get("maxParallelism");
        if (snapshotMaxParallelism != maxParallelism)
        {
            throw new IllegalStateException("the snapshot has maxParallelism " + snapshotMaxParallelism
                + " but this job has " + maxParallelism + "; key groups cannot be remapped");
        }
        if (clearFirst)
        {
            tables.clear();
        }
        final Map<String, Object> states = (Map<String, Object>) tree.get("states");
        for (final Map.Entry<String, Object> entry : states.entrySet())
        {
            final Map<String, Object> state = (Map<String, Object>) entry.getValue();
            final String kind = (String) state.get("kind");
            final StateTable table = tables.computeIfAbsent(entry.getKey(), name -> new StateTable(kind, range.size()));
            if (!table.kind.equals(kind))
            {
                throw new IllegalStateException("state " + entry.getKey() + " is a " + table.kind
                    + " state here but a " + kind + " state in the snapshot");
            }
            final Map<Integer, Map<Object, Object>> groups = (Map<Integer, Map<Object, Object>>) state.get("groups");
            for (final Map.Entry<Integer, Map<Object, Object>> group : groups.entrySet())
            {
                if (range.contains(group.getKey()))
                {
                    table.groups[group.getKey() - range.startKeyGroup()].putAll(group.getValue());
                }
            }
        }
    }

    /**
     * @param serializer writes the tree
     * @return the snapshot's bytes
     */
    public byte[] snapshot(final StateSerializer serializer)
    {
        return serializer.serialize(snapshotTree());
    }

    /**
     * @param bytes      bytes from {@link #snapshot(StateSerializer)}
     * @param serializer reads them
     */
    @SuppressWarnings("unchecked")
    public void restore(final byte[] bytes, final StateSerializer serializer)
    {
        restoreTree((Map<String, Object>) serializer.deserialize(bytes), true);
    }

    private StateTable table(final StateDescriptor descriptor)
    {
        final StateTable table = tables.computeIfAbsent(descriptor.name(),
            name -> new StateTable(descriptor.kind(), range.size()));
        if (!table.kind.equals(descriptor.kind()))
        {
            throw new IllegalStateException("state " + descriptor.name() + " was declared as a " + table.kind
                + " state; it cannot also be a " + descriptor.kind() + " state");
        }
        return table;
    }

    /** One state's entries, one hash map per owned key group. */
    private final class StateTable
    {
        final String kind;
        final HashMap<Object, Object>[] groups;

        @SuppressWarnings({"unchecked", "rawtypes"})
        StateTable(final String kind, final int groupCount)
        {
            this.kind = kind;
            this.groups = new HashMap[groupCount];
            for (int i = 0; i < groupCount; i++)
            {
                groups[i] = new HashMap<>();
            }
        }

        Object get()
        {
            return groups[checkedGroup()].get(currentKey);
        }

        void put(final Object value)
        {
            if (value == null)
            {
                groups[checkedGroup()].remove(currentKey);
            }
            else
            {
                groups[checkedGroup()].put(currentKey, value);
            }
        }

        private int checkedGroup()
        {
            if (currentKeyGroupIndex < 0)
            {
                throw new IllegalStateException("keyed state used outside of a keyed context (no current key)");
            }
            return currentKeyGroupIndex;
        }
    }
}
