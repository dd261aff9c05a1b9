package dev.millrace.runtime.state;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Keyed state on the heap for one operator instance. Every state is a table with one hash map per key group
 * of the instance's {@link KeyGroupRange} (state key → stored object, see {@link KeyedStateBackend} for the
 * forms), so the live tables are the snapshot tree's groups: a snapshot copies no entry, and a restore keeps
 * exactly the key groups the restoring instance owns. A map state's stored object is a {@code HashMap} of its
 * user entries; a list's an {@code ArrayList}, changed in place.
 *
 * <p>Values are kept as objects, not serialized: a state value mutated after it was written changes the
 * state (as in Flink's heap backend). The serializability check of {@link AbstractKeyedStateBackend} still
 * fails a value the snapshot could not write, at its first write.
 *
 * <p>Threading: confined to the operator instance's actor.
 */
public final class HeapKeyedStateBackend extends AbstractKeyedStateBackend
{
    private final Map<String, StateTable> tables = new HashMap<>();

    /**
     * A backend whose TTL clock is the wall clock.
     *
     * @param maxParallelism number of key groups of the job
     * @param range          the key groups this instance owns
     */
    public HeapKeyedStateBackend(final int maxParallelism, final KeyGroupRange range)
    {
        this(maxParallelism, range, System::currentTimeMillis);
    }

    /**
     * @param maxParallelism number of key groups of the job
     * @param range          the key groups this instance owns
     * @param clockMs        processing-time clock for TTL
     */
    public HeapKeyedStateBackend(final int maxParallelism, final KeyGroupRange range, final LongSupplier clockMs)
    {
        super(maxParallelism, range, clockMs);
    }

    /**
     * @return the number of (state, key, namespace) entries held, for tests and metrics
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

    @Override
    protected ValueStore valueStore(final String name, final String kind)
    {
        return table(name);
    }

    @Override
    protected MapStore mapStore(final String name)
    {
        return new HeapMapStore(table(name));
    }

    @Override
    protected ListStore listStore(final String name)
    {
        final StateTable table = table(name);
        return new ListStore()
        {
            @Override
            @SuppressWarnings("unchecked")
            public List<Object> get(final Object namespace)
            {
                return (List<Object>) table.get(namespace);
            }

            @Override
            @SuppressWarnings("unchecked")
            public void add(final Object namespace, final List<Object> elements)
            {
                final ArrayList<Object> list = (ArrayList<Object>) table.get(namespace);
                if (list == null)
                {
                    table.put(namespace, new ArrayList<>(elements));
                }
                else
                {
                    list.addAll(elements);
                }
            }

            @Override
            public void put(final Object namespace, final List<Object> elements)
            {
                table.put(namespace, elements == null || elements.isEmpty() ? null : new ArrayList<>(elements));
            }
        };
    }

    private StateTable table(final String name)
    {
        return tables.computeIfAbsent(name, n -> new StateTable(range.size()));
    }

    @Override
    protected HashMap<Integer, HashMap<Object, Object>> snapshotGroups(final String name, final String kind)
    {
        final HashMap<Integer, HashMap<Object, Object>> groups = new HashMap<>();
        final StateTable table = tables.get(name);
        if (table != null)
        {
            for (int i = 0; i < table.groups.length; i++)
            {
                if (!table.groups[i].isEmpty())
                {
                    groups.put(range.startKeyGroup() + i, table.groups[i]);
                }
            }
        }
        return groups;
    }

    @Override
    protected void clearAll()
    {
        for (final StateTable table : tables.values())
        {
            for (final HashMap<Object, Object> group : table.groups)
            {
                group.clear();
            }
        }
    }

    @Override
    protected void restoreGroup(final String name, final String kind, final int keyGroup,
        final Map<Object, Object> entries)
    {
        table(name).groups[keyGroup - range.startKeyGroup()].putAll(entries);
    }

    @Override
    public void close()
    {
        tables.clear();
    }

    /** One state's entries, one hash map per owned key group; the store of value-like states. */
    private final class StateTable implements ValueStore
    {
        final HashMap<Object, Object>[] groups;

        @SuppressWarnings({"unchecked", "rawtypes"})
        StateTable(final int groupCount)
        {
            this.groups = new HashMap[groupCount];
            for (int i = 0; i < groupCount; i++)
            {
                groups[i] = new HashMap<>();
            }
        }

        HashMap<Object, Object> group()
        {
            return groups[checkedKeyGroup() - range.startKeyGroup()];
        }

        @Override
        public Object get(final Object namespace)
        {
            return group().get(stateKey(namespace));
        }

        @Override
        public void put(final Object namespace, final Object stored)
        {
            if (stored == null)
            {
                group().remove(stateKey(namespace));
            }
            else
            {
                group().put(stateKey(namespace), stored);
            }
        }
    }

    /** A map state: the table's stored object per (key, namespace) is a {@code HashMap} of user entries. */
    private static final class HeapMapStore implements MapStore
    {
        private final StateTable table;

        HeapMapStore(final StateTable table)
        {
            this.table = table;
        }

        @SuppressWarnings("unchecked")
        private HashMap<Object, Object> map(final Object namespace)
        {
            return (HashMap<Object, Object>) table.get(namespace);
        }

        @Override
        public Object get(final Object namespace, final Object userKey)
        {
            final HashMap<Object, Object> map = map(namespace);
            return map == null ? null : map.get(userKey);
        }

        @Override
        public void put(final Object namespace, final Object userKey, final Object stored)
        {
            HashMap<Object, Object> map = map(namespace);
            if (map == null)
            {
                map = new HashMap<>();
                table.put(namespace, map);
            }
            map.put(userKey, stored);
        }

        @Override
        public void remove(final Object namespace, final Object userKey)
        {
            final HashMap<Object, Object> map = map(namespace);
            if (map != null)
            {
                map.remove(userKey);
                if (map.isEmpty())
                {
                    table.put(namespace, null);
                }
            }
        }

        @Override
        public boolean contains(final Object namespace, final Object userKey)
        {
            final HashMap<Object, Object> map = map(namespace);
            return map != null && map.containsKey(userKey);
        }

        @Override
        public Iterable<Map.Entry<Object, Object>> entries(final Object namespace)
        {
            final HashMap<Object, Object> map = map(namespace);
            return map == null ? List.of() : Collections.unmodifiableMap(map).entrySet();
        }

        @Override
        public boolean isEmpty(final Object namespace)
        {
            return map(namespace) == null;
        }

        @Override
        public void clear(final Object namespace)
        {
            table.put(namespace, null);
        }
    }
}
