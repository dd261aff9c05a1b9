package dev.millrace.runtime.state;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * What both backends share: the current key and its key group, the registry of states (name → kind and
 * TTL), the handles with their semantics and TTL (built on a backend's {@link ValueStore}s and
 * {@link MapStore}s), the serializability check of written values, the full-snapshot TTL cleanup and the
 * validation of restored trees. A backend stores entries; it does not implement state semantics.
 *
 * <p>Threading: confined to the operator instance's actor.
 */
public abstract class AbstractKeyedStateBackend implements KeyedStateBackend
{
    /** Number of key groups of the job. */
    protected final int maxParallelism;
    /** The key groups this instance owns. */
    protected final KeyGroupRange range;
    private final LongSupplier clockMs;
    private final Map<String, String> kinds = new HashMap<>();
    private final Map<String, StateTtlConfig> ttls = new HashMap<>();
    private final Map<String, Object> handles = new HashMap<>();
    private final Set<Class<?>> serializable = new HashSet<>();
    private Kryo checkKryo;
    /** The current key, or null. */
    protected Object currentKey;
    /** The current key's group, or -1. */
    protected int currentKeyGroup = -1;

    /**
     * @param maxParallelism number of key groups of the job
     * @param range          the key groups this instance owns
     * @param clockMs        processing-time clock for TTL
     */
    protected AbstractKeyedStateBackend(final int maxParallelism, final KeyGroupRange range, final LongSupplier clockMs)
    {
        this.maxParallelism = maxParallelism;
        this.range = range;
        this.clockMs = clockMs;
    }

    @Override
    public final KeyGroupRange keyGroupRange()
    {
        return range;
    }

    @Override
    public final void setCurrentKey(final Object key)
    {
        final int keyGroup = KeyGroupRangeAssignment.keyGroupFor(key, maxParallelism);
        if (!range.contains(keyGroup))
        {
            throw new IllegalStateException("key " + key + " is in key group " + keyGroup + ", outside this instance's "
                + range);
        }
        currentKey = key;
        currentKeyGroup = keyGroup;
        onCurrentKey();
    }

    /** Called after the current key changed. */
    protected void onCurrentKey()
    {
    }

    @Override
    public final Object currentKey()
    {
        return currentKey;
    }

    /** @return the current key's group; fails when no key is set */
    protected final int checkedKeyGroup()
    {
        if (currentKeyGroup < 0)
        {
            throw new IllegalStateException("keyed state used outside of a keyed context (no current key)");
        }
        return currentKeyGroup;
    }

    /**
     * @return the entry key of the current key in a namespace: the key itself in the void namespace, else a
     *         {@link NamespacedKey}
     */
    protected final Object stateKey(final Object namespace)
    {
        checkedKeyGroup();
        return namespace == VoidNamespace.INSTANCE ? currentKey : new NamespacedKey(currentKey, namespace);
    }

    LongSupplier clockMs()
    {
        return clockMs;
    }

    @Override
    @SuppressWarnings("unchecked")
    public final <T> ValueState<T> getValueState(final ValueStateDescriptor<T> descriptor)
    {
        return (ValueState<T>) handles.computeIfAbsent(register(descriptor),
            name -> new ValueStateHandle<>(descriptor, this, valueStore(name, descriptor.kind())));
    }

    @Override
    @SuppressWarnings("unchecked")
    public final <T> ListState<T> getListState(final ListStateDescriptor<T> descriptor)
    {
        return (ListState<T>) handles.computeIfAbsent(register(descriptor),
            name -> new ListStateHandle<>(descriptor, this, listStore(name)));
    }

    @Override
    @SuppressWarnings("unchecked")
    public final <K, V> MapState<K, V> getMapState(final MapStateDescriptor<K, V> descriptor)
    {
        return (MapState<K, V>) handles.computeIfAbsent(register(descriptor),
            name -> new MapStateHandle<>(descriptor, this, mapStore(name)));
    }

    @Override
    @SuppressWarnings("unchecked")
    public final <T> ReducingState<T> getReducingState(final ReducingStateDescriptor<T> descriptor)
    {
        return (ReducingState<T>) handles.computeIfAbsent(register(descriptor),
            name -> new ReducingStateHandle<>(descriptor, this, valueStore(name, descriptor.kind())));
    }

    @Override
    @SuppressWarnings("unchecked")
    public final <IN, ACC, OUT> AggregatingState<IN, OUT> getAggregatingState(
        final AggregatingStateDescriptor<IN, ACC, OUT> descriptor)
    {
        return (AggregatingState<IN, OUT>) handles.computeIfAbsent(register(descriptor),
            name -> new AggregatingStateHandle<>(descriptor, this, valueStore(name, descriptor.kind())));
    }

    /**
     * A handle is created once per name; a second request with the same name returns it, so it must agree on
     * the kind (and on the TTL: a handle keeps the TTL it was created with).
     */
    private String register(final StateDescriptor descriptor)
    {
        checkKind(descriptor.name(), descriptor.kind());
        if (descriptor.ttlConfig() != null)
        {
            ttls.put(descriptor.name(), descriptor.ttlConfig());
        }
        return descriptor.name();
    }

    private void checkKind(final String name, final String kind)
    {
        final String known = kinds.putIfAbsent(name, kind);
        if (known != null && !known.equals(kind))
        {
            throw new IllegalStateException("state " + name + " was declared as a " + known
                + " state; it cannot also be a " + kind + " state");
        }
    }

    /**
     * @param name a state of a value-like kind
     * @param kind its kind
     * @return its store, created when new
     */
    protected abstract ValueStore valueStore(String name, String kind);

    /**
     * @param name a map state
     * @return its store, created when new
     */
    protected abstract MapStore mapStore(String name);

    /**
     * @param name a list state
     * @return its store, created when new
     */
    protected abstract ListStore listStore(String name);

    /**
     * Fails unless the value survives a round trip through the state Kryo (checked once per class).
     *
     * @param stateName the state being written
     * @param value     a value about to be stored
     * @throws StateSerializationException naming the state and the class
     */
    final void checkSerializable(final String stateName, final Object value)
    {
        final Class<?> type = value.getClass();
        if (serializable.contains(type))
        {
            return;
        }
        if (checkKryo == null)
        {
            checkKryo = StateKryo.create(true);
        }
        try
        {
            final Output output = new Output(256, -1);
            checkKryo.writeClassAndObject(output, value);
            try (Input input = new Input(output.toBytes()))
            {
                checkKryo.readClassAndObject(input);
            }
        }
        catch (final RuntimeException | LinkageError e)
        {
            throw new StateSerializationException("state '" + stateName + "' cannot hold a value of type "
                + type.getName() + ": the state serializer (Kryo) cannot write and read it back (" + e + "). State "
                + "must be snapshot-able: use plain data (records, collections, boxed values) without lambdas, "
                + "threads, streams or other resources", e);
        }
        serializable.add(type);
    }

    @Override
    public final Map<String, Object> snapshotTree()
    {
        final HashMap<String, Object> states = new HashMap<>();
        final long nowMs = clockMs.getAsLong();
        for (final Map.Entry<String, String> state : kinds.entrySet())
        {
            final String name = state.getKey();
            final String kind = state.getValue();
            final HashMap<Integer, HashMap<Object, Object>> groups = snapshotGroups(name, kind);
            final StateTtlConfig ttl = ttls.get(name);
            if (ttl != null && ttl.cleanupFullSnapshot())
            {
                dropExpired(groups, new TtlSupport(name, ttl, clockMs), kind, nowMs);
            }
            final HashMap<String, Object> entry = new HashMap<>();
            entry.put("kind", kind);
            entry.put("groups", groups);
            states.put(name, entry);
        }
        final HashMap<String, Object> tree = new HashMap<>();
        tree.put("maxParallelism", maxParallelism);
        tree.put("states", states);
        return tree;
    }

    private static void dropExpired(final HashMap<Integer, HashMap<Object, Object>> groups, final TtlSupport ttl,
        final String kind, final long nowMs)
    {
        for (final Map.Entry<Integer, HashMap<Object, Object>> group : groups.entrySet())
        {
            final HashMap<Object, Object> live = new HashMap<>();
            for (final Map.Entry<Object, Object> entry : group.getValue().entrySet())
            {
                final Object kept = ttl.withoutExpired(entry.getValue(), kind, nowMs);
                if (kept != null)
                {
                    live.put(entry.getKey(), kept);
                }
            }
            group.setValue(live);
        }
        groups.values().removeIf(Map::isEmpty);
    }

    /**
     * @param name a state
     * @param kind its kind
     * @return its non-empty key groups: key group → (state key → stored object, a {@code HashMap} for maps)
     */
    protected abstract HashMap<Integer, HashMap<Object, Object>> snapshotGroups(String name, String kind);

    @Override
    @SuppressWarnings("unchecked")
    public final void restoreTree(final Map<String, Object> tree, final boolean clearFirst)
    {
        final int snapshotMaxParallelism = (Integer) tree.get("maxParallelism");
        if (snapshotMaxParallelism != maxParallelism)
        {
            throw new IllegalStateException("the snapshot has maxParallelism " + snapshotMaxParallelism
                + " but this job has " + maxParallelism + "; key groups cannot be remapped");
        }
        if (clearFirst)
        {
            clearAll();
        }
        final Map<String, Object> states = (Map<String, Object>) tree.get("states");
        for (final Map.Entry<String, Object> entry : states.entrySet())
        {
            final Map<String, Object> state = (Map<String, Object>) entry.getValue();
            final String kind = (String) state.get("kind");
            checkKind(entry.getKey(), kind);
            final Map<Integer, Map<Object, Object>> groups = (Map<Integer, Map<Object, Object>>) state.get("groups");
            for (final Map.Entry<Integer, Map<Object, Object>> group : groups.entrySet())
            {
                if (range.contains(group.getKey()))
                {
                    restoreGroup(entry.getKey(), kind, group.getKey(), group.getValue());
                }
            }
        }
    }

    /** Drops every entry of every state (before a restore). */
    protected abstract void clearAll();

    /**
     * @param name     a state
     * @param kind     its kind
     * @param keyGroup an owned key group
     * @param entries  its entries from a snapshot tree
     */
    protected abstract void restoreGroup(String name, String kind, int keyGroup, Map<Object, Object> entries);
}
