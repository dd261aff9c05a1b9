package dev.millrace.runtime.state;

import java.util.Map;

/**
 * Keyed state of one operator instance: the states its functions declare, each holding one entry per
 * (key, namespace), stored by key group so that a snapshot can be split by key group and restored at
 * another parallelism. Implementations: {@link HeapKeyedStateBackend} (hash maps on the heap) and
 * {@link RocksDbKeyedStateBackend} (an embedded RocksDB instance); a job picks one with
 * {@code JobBuilder.stateBackend(StateBackends.heap() | StateBackends.rocksDb())}.
 *
 * <p>Handles returned by {@code getXxxState} act on the {@link #setCurrentKey current key} and on their own
 * namespace (see {@link NamespacedState}); the same name always gives the same state, and asking for a name
 * with another kind fails. Every value written is checked once per class to survive a Kryo round trip:
 * a value the state serializer cannot write fails with {@link StateSerializationException} at its first
 * write, whatever the backend.
 *
 * <p>Both backends write and read the same snapshot tree, so a snapshot taken on one restores on the other:
 * <pre>
 * HashMap {
 *   "maxParallelism" -&gt; Integer
 *   "states"         -&gt; HashMap&lt;String name, HashMap {
 *                         "kind"   -&gt; String (value | list | map | reducing | aggregating)
 *                         "groups" -&gt; HashMap&lt;Integer keyGroup, HashMap&lt;stateKey, stored&gt;&gt; }&gt;
 * }
 * stateKey = the key (void namespace) | NamespacedKey(key, namespace)
 * stored   = value | accumulator (reducing, aggregating) | ArrayList of elements (list) | HashMap (map),
 *            where under TTL each value, element and map value is a TtlValue(value, lastAccessMs)
 * </pre>
 * Empty key groups are left out.
 *
 * <p>Threading: confined to the operator instance's actor.
 */
public interface KeyedStateBackend extends AutoCloseable
{
    /** @return the key groups this backend owns */
    KeyGroupRange keyGroupRange();

    /**
     * Scopes every state handle to a key.
     *
     * @param key the key of the record or timer being processed
     * @throws IllegalStateException when the key's group is not owned here (a partitioning bug)
     */
    void setCurrentKey(Object key);

    /** @return the current key, or null before the first record */
    Object currentKey();

    /** @param descriptor the state @param <T> value type @return its handle */
    <T> ValueState<T> getValueState(ValueStateDescriptor<T> descriptor);

    /** @param descriptor the state @param <T> element type @return its handle */
    <T> ListState<T> getListState(ListStateDescriptor<T> descriptor);

    /** @param descriptor the state @param <K> user key @param <V> user value @return its handle */
    <K, V> MapState<K, V> getMapState(MapStateDescriptor<K, V> descriptor);

    /** @param descriptor the state @param <T> value type @return its handle */
    <T> ReducingState<T> getReducingState(ReducingStateDescriptor<T> descriptor);

    /**
     * @param descriptor the state
     * @param <IN>       input type
     * @param <ACC>      accumulator type
     * @param <OUT>      result type
     * @return its handle
     */
    <IN, ACC, OUT> AggregatingState<IN, OUT> getAggregatingState(AggregatingStateDescriptor<IN, ACC, OUT> descriptor);

    /**
     * @return the snapshot tree of all states (see the interface documentation); it may share objects with
     *         the live heap state, so serialize it before processing further records
     */
    Map<String, Object> snapshotTree();

    /**
     * Writes the key groups of a snapshot that this backend owns; the others are ignored (they belong to
     * other instances after a rescale).
     *
     * @param tree       a tree from {@link #snapshotTree()} of either backend
     * @param clearFirst whether to drop the current state first (false to merge several snapshots' ranges)
     * @throws IllegalStateException when the snapshot was taken with another maxParallelism, or a state has
     *                               another kind here
     */
    void restoreTree(Map<String, Object> tree, boolean clearFirst);

    /**
     * @param serializer writes the tree
     * @return the snapshot's bytes
     */
    default byte[] snapshot(final StateSerializer serializer)
    {
        return serializer.serialize(snapshotTree());
    }

    /**
     * @param bytes      bytes from {@link #snapshot(StateSerializer)}
     * @param serializer reads them
     */
    @SuppressWarnings("unchecked")
    default void restore(final byte[] bytes, final StateSerializer serializer)
    {
        restoreTree((Map<String, Object>) serializer.deserialize(bytes), true);
    }

    /** Releases the backend's resources (RocksDB: closes the database and deletes its directory). */
    @Override
    void close();
}
