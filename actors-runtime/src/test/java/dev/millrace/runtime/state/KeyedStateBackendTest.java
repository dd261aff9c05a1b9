package dev.millrace.runtime.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.millrace.runtime.api.AggregateFunction;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The five keyed state types on both backends: their semantics per key and per namespace, snapshot → restore
 * round trips at the same parallelism and re-distributed by key group to another parallelism, snapshots
 * restored across backends, and the clear error for a value the state serializer cannot write.
 */
@Timeout(60)
class KeyedStateBackendTest
{
    private static final int MAX_PARALLELISM = 16;
    private static final KeyGroupRange ALL = new KeyGroupRange(0, MAX_PARALLELISM - 1);

    private static final ValueStateDescriptor<String> VALUE = new ValueStateDescriptor<>("value", String.class);
    private static final ListStateDescriptor<Integer> LIST = new ListStateDescriptor<>("list", Integer.class);
    private static final MapStateDescriptor<String, Long> MAP = new MapStateDescriptor<>("map", String.class, Long.class);
    private static final ReducingStateDescriptor<Long> REDUCING =
        new ReducingStateDescriptor<>("reducing", Long::sum, Long.class);
    private static final AggregatingStateDescriptor<Integer, long[], Double> AVERAGE =
        new AggregatingStateDescriptor<>("average", new Average());

    @TempDir
    Path directory;
    private BackendFixture fixture;

    /** Average of the added integers, accumulator {sum, count}. */
    static final class Average implements AggregateFunction<Integer, long[], Double>
    {
        @Override
        public long[] createAccumulator()
        {
            return new long[2];
        }

        @Override
        public long[] add(final Integer value, final long[] accumulator)
        {
            accumulator[0] += value;
            accumulator[1]++;
            return accumulator;
        }

        @Override
        public Double getResult(final long[] accumulator)
        {
            return (double) accumulator[0] / accumulator[1];
        }

        @Override
        public long[] merge(final long[] a, final long[] b)
        {
            return new long[] {a[0] + b[0], a[1] + b[1]};
        }
    }

    /** A value whose lambda field Kryo can write but not read back. */
    record Holder(String name, Supplier<String> supplier)
    {
    }

    @BeforeEach
    void setUp()
    {
        fixture = new BackendFixture(directory);
    }

    @AfterEach
    void tearDown()
    {
        fixture.close();
    }

    @ParameterizedTest
    @EnumSource(BackendFixture.Kind.class)
    void valueStateShouldHoldOneValuePerKeyAndNamespace(final BackendFixture.Kind kind)
    {
        final KeyedStateBackend backend = fixture.create(kind, MAX_PARALLELISM, ALL);
        final ValueState<String> state = backend.getValueState(VALUE);
        backend.setCurrentKey("a");
        assertNull(state.value());
        state.update("one");
        backend.setCurrentKey("b");
        assertNull(state.value(), "another key sees nothing");
        state.update("two");
        ((NamespacedState) state).setCurrentNamespace(7L);
        assertNull(state.value(), "another namespace sees nothing");
        state.update("two@7");
        ((NamespacedState) state).setCurrentNamespace(VoidNamespace.INSTANCE);
        assertEquals("two", state.value());
        backend.setCurrentKey("a");
        assertEquals("one", state.value());
        state.update(null);
        assertNull(state.value(), "update(null) clears");
        backend.setCurrentKey("b");
        state.clear();
        assertNull(state.value());
        ((NamespacedState) state).setCurrentNamespace(7L);
        assertEquals("two@7", state.value(), "clearing one namespace keeps the others");
        assertTrue(backend.getValueState(VALUE) == state, "the same name gives the same handle");
    }

    @ParameterizedTest
    @EnumSource(BackendFixture.Kind.class)
    void listStateShouldAppendReplaceAndClear(final BackendFixture.Kind kind)
    {
        final KeyedStateBackend backend = fixture.create(kind, MAX_PARALLELISM, ALL);
        final ListState<Integer> state = backend.getListState(LIST);
        backend.setCurrentKey(1);
        assertEquals(List.of(), state.get());
        state.add(1);
        state.add(2);
        state.addAll(List.of(3, 4));
        assertEquals(List.of(1, 2, 3, 4), state.get());
        backend.setCurrentKey(2);
        assertEquals(List.of(), state.get());
        state.update(List.of(9));
        assertEquals(List.of(9), state.get());
        state.update(List.of());
        assertEquals(List.of(), state.get(), "updating to an empty list clears");
        backend.setCurrentKey(1);
        assertThrows(IllegalArgumentException.class, () -> state.add(null));
        assertThrows(UnsupportedOperationException.class, () -> state.get().add(5), "get() is read-only");
        state.clear();
        assertEquals(List.of(), state.get());
    }

    @ParameterizedTest
    @EnumSource(BackendFixture.Kind.class)
    void mapStateShouldHoldAMapPerKeyAndNamespace(final BackendFixture.Kind kind)
    {
        final KeyedStateBackend backend = fixture.create(kind, MAX_PARALLELISM, ALL);
        final MapState<String, Long> state = backend.getMapState(MAP);
        backend.setCurrentKey("k");
        assertTrue(state.isEmpty());
        state.put("x", 1L);
        state.put("y", 2L);
        state.put("x", 3L);
        assertEquals(3L, state.get("x"));
        assertTrue(state.contains("y"));
        assertFalse(state.contains("z"));
        assertNull(state.get("z"));
        assertEquals(Map.of("x", 3L, "y", 2L), toMap(state));
        ((NamespacedState) state).setCurrentNamespace("w1");
        assertTrue(state.isEmpty(), "another namespace has its own map");
        state.put("x", 10L);
        ((NamespacedState) state).setCurrentNamespace(VoidNamespace.INSTANCE);
        backend.setCurrentKey("other");
        assertTrue(state.isEmpty(), "another key has its own map");
        backend.setCurrentKey("k");
        state.remove("y");
        assertEquals(Map.of("x", 3L), toMap(state));
        state.clear();
        assertTrue(state.isEmpty());
        ((NamespacedState) state).setCurrentNamespace("w1");
        assertEquals(Map.of("x", 10L), toMap(state), "clearing one namespace keeps the others");
        state.remove("x");
        assertTrue(state.isEmpty(), "removing the last entry empties the map");
    }

    @ParameterizedTest
    @EnumSource(BackendFixture.Kind.class)
    void reducingAndAggregatingStateShouldCombineAddedValues(final BackendFixture.Kind kind)
    {
        final KeyedStateBackend backend = fixture.create(kind, MAX_PARALLELISM, ALL);
        final ReducingState<Long> sum = backend.getReducingState(REDUCING);
        final AggregatingState<Integer, Double> average = backend.getAggregatingState(AVERAGE);
        backend.setCurrentKey("a");
        assertNull(sum.get());
        assertNull(average.get());
        sum.add(5L);
        sum.add(7L);
        average.add(1);
        average.add(4);
        backend.setCurrentKey("b");
        sum.add(1L);
        average.add(10);
        backend.setCurrentKey("a");
        assertEquals(12L, sum.get());
        assertEquals(2.5, average.get());
        sum.clear();
        average.clear();
        assertNull(sum.get());
        assertNull(average.get());
        backend.setCurrentKey("b");
        assertEquals(1L, sum.get());
        assertEquals(10.0, average.get());
    }

    @ParameterizedTest
    @EnumSource(BackendFixture.Kind.class)
    void shouldRefuseOneNameForTwoKindsAndStateWithoutAKey(final BackendFixture.Kind kind)
    {
        final KeyedStateBackend backend = fixture.create(kind, MAX_PARALLELISM, ALL);
        final ValueState<String> state = backend.getValueState(VALUE);
        assertThrows(IllegalStateException.class, state::value, "no current key yet");
        final IllegalStateException conflict = assertThrows(IllegalStateException.class,
            () -> backend.getListState(new ListStateDescriptor<>("value", String.class)));
        assertTrue(conflict.getMessage().contains("value"), conflict.getMessage());
        final IllegalStateException outside = assertThrows(IllegalStateException.class,
            () -> fixture.create(kind, MAX_PARALLELISM, new KeyGroupRange(0, 0)).setCurrentKey(keyInGroupOtherThan(0)));
        assertTrue(outside.getMessage().contains("outside"), outside.getMessage());
    }

    @ParameterizedTest
    @EnumSource(BackendFixture.Kind.class)
    void shouldFailAtTheFirstWriteOfAValueTheSerializerCannotReadBack(final BackendFixture.Kind kind)
    {
        final KeyedStateBackend backend = fixture.create(kind, MAX_PARALLELISM, ALL);
        final ValueState<Holder> state = backend.getValueState(new ValueStateDescriptor<>("holder", Holder.class));
        backend.setCurrentKey("a");
        final Holder bad = new Holder("h", () -> "not data");
        final StateSerializationException failure = assertThrows(StateSerializationException.class,
            () -> state.update(bad));
        assertTrue(failure.getMessage().contains("'holder'") && failure.getMessage().contains(Holder.class.getName()),
            failure.getMessage());
        assertNull(state.value(), "nothing was stored");
        final MapState<String, Object> map = backend.getMapState(new MapStateDescriptor<>("m", String.class, Object.class));
        assertThrows(StateSerializationException.class, () -> map.put("x", bad));
        final ListState<Object> list = backend.getListState(new ListStateDescriptor<>("l", Object.class));
        assertThrows(StateSerializationException.class, () -> list.add(bad));
    }

    @ParameterizedTest
    @EnumSource(BackendFixture.Kind.class)
    void snapshotShouldRestoreIntoOneInstanceAndSplitByKeyGroupIntoThree(final BackendFixture.Kind kind)
    {
        final KeyedStateBackend original = fixture.create(kind, MAX_PARALLELISM, ALL);
        fill(original, 200);
        final Map<String, Object> expected = contents(original, ALL, 200);
        final byte[] bytes = original.snapshot(new KryoStateSerializer());

        final KeyedStateBackend same = fixture.create(kind, MAX_PARALLELISM, ALL);
        same.restore(bytes, new KryoStateSerializer());
        assertEquals(expected, contents(same, ALL, 200));

        final Map<String, Object> merged = new TreeMap<>();
        int nonEmpty = 0;
        for (int subtask = 0; subtask < 3; subtask++)
        {
            final KeyGroupRange range = KeyGroupRangeAssignment.rangeFor(MAX_PARALLELISM, 3, subtask);
            final KeyedStateBackend part = fixture.create(kind, MAX_PARALLELISM, range);
            part.restore(bytes, new KryoStateSerializer());
            final Map<String, Object> owned = contents(part, range, 200);
            nonEmpty += owned.isEmpty() ? 0 : 1;
            for (final String key : owned.keySet())
            {
                assertTrue(merged.put(key, owned.get(key)) == null, key + " restored in two instances");
            }
            assertEquals(ownedSubset(expected, range), owned, "instance " + subtask + " holds exactly its key groups");
        }
        assertEquals(3, nonEmpty);
        assertEquals(expected, merged, "every key restored exactly once");
    }

    @ParameterizedTest
    @EnumSource(BackendFixture.Kind.class)
    void snapshotsOfTwoInstancesShouldMergeIntoOne(final BackendFixture.Kind kind)
    {
        final Map<String, Object> expected = new TreeMap<>();
        final List<byte[]> snapshots = new ArrayList<>();
        final KeyedStateBackend all = fixture.create(BackendFixture.Kind.HEAP, MAX_PARALLELISM, ALL);
        fill(all, 120);
        expected.putAll(contents(all, ALL, 120));
        final byte[] full = all.snapshot(new KryoStateSerializer());
        for (int subtask = 0; subtask < 2; subtask++)
        {
            final KeyGroupRange range = KeyGroupRangeAssignment.rangeFor(MAX_PARALLELISM, 2, subtask);
            final KeyedStateBackend part = fixture.create(kind, MAX_PARALLELISM, range);
            part.restore(full, new KryoStateSerializer());
            snapshots.add(part.snapshot(new KryoStateSerializer()));
        }
        final KeyedStateBackend merged = fixture.create(kind, MAX_PARALLELISM, ALL);
        for (final byte[] snapshot : snapshots)
        {
            @SuppressWarnings("unchecked")
            final Map<String, Object> tree = (Map<String, Object>) new KryoStateSerializer().deserialize(snapshot);
            merged.restoreTree(tree, false);
        }
        assertEquals(expected, contents(merged, ALL, 120));
    }

    @ParameterizedTest
    @EnumSource(BackendFixture.Kind.class)
    void aSnapshotShouldRestoreOnTheOtherBackend(final BackendFixture.Kind kind)
    {
        final BackendFixture.Kind other = kind == BackendFixture.Kind.HEAP ? BackendFixture.Kind.ROCKSDB
            : BackendFixture.Kind.HEAP;
        final KeyedStateBackend original = fixture.create(kind, MAX_PARALLELISM, ALL);
        fill(original, 100);
        final KeyedStateBackend restored = fixture.create(other, MAX_PARALLELISM, ALL);
        restored.restore(original.snapshot(new KryoStateSerializer()), new KryoStateSerializer());
        assertEquals(contents(original, ALL, 100), contents(restored, ALL, 100));
    }

    @ParameterizedTest
    @EnumSource(BackendFixture.Kind.class)
    void restoreShouldRefuseAnotherMaxParallelism(final BackendFixture.Kind kind)
    {
        final KeyedStateBackend original = fixture.create(kind, MAX_PARALLELISM, ALL);
        fill(original, 10);
        final byte[] bytes = original.snapshot(new KryoStateSerializer());
        final KeyedStateBackend other = fixture.create(kind, 32, new KeyGroupRange(0, 31));
        assertThrows(IllegalStateException.class, () -> other.restore(bytes, new KryoStateSerializer()));
    }

    /** Writes every state type for keys 0..keys-1, in the void namespace and in namespace "w". */
    private static void fill(final KeyedStateBackend backend, final int keys)
    {
        final ValueState<String> value = backend.getValueState(VALUE);
        final ListState<Integer> list = backend.getListState(LIST);
        final MapState<String, Long> map = backend.getMapState(MAP);
        final ReducingState<Long> sum = backend.getReducingState(REDUCING);
        final AggregatingState<Integer, Double> average = backend.getAggregatingState(AVERAGE);
        for (int key = 0; key < keys; key++)
        {
            backend.setCurrentKey(key);
            value.update("v" + key);
            list.addAll(List.of(key, key + 1));
            map.put("a", (long) key);
            map.put("b", key * 2L);
            sum.add((long) key);
            sum.add(1L);
            average.add(key);
            average.add(key + 2);
            ((NamespacedState) map).setCurrentNamespace("w");
            map.put("in-w", (long) -key);
            ((NamespacedState) map).setCurrentNamespace(VoidNamespace.INSTANCE);
        }
    }

    /** Reads every state of every owned key back into comparable form: "key/state" -> content. */
    private static Map<String, Object> contents(final KeyedStateBackend backend, final KeyGroupRange range,
        final int keys)
    {
        final ValueState<String> value = backend.getValueState(VALUE);
        final ListState<Integer> list = backend.getListState(LIST);
        final MapState<String, Long> map = backend.getMapState(MAP);
        final ReducingState<Long> sum = backend.getReducingState(REDUCING);
        final AggregatingState<Integer, Double> average = backend.getAggregatingState(AVERAGE);
        final Map<String, Object> contents = new TreeMap<>();
        for (int key = 0; key < keys; key++)
        {
            if (!range.contains(KeyGroupRangeAssignment.keyGroupFor(key, MAX_PARALLELISM)))
            {
                continue;
            }
            backend.setCurrentKey(key);
            putIfPresent(contents, key + "/value", value.value());
            putIfPresent(contents, key + "/list", list.get().isEmpty() ? null : List.copyOf(list.get()));
            putIfPresent(contents, key + "/map", map.isEmpty() ? null : toMap(map));
            putIfPresent(contents, key + "/sum", sum.get());
            putIfPresent(contents, key + "/average", average.get());
            ((NamespacedState) map).setCurrentNamespace("w");
            putIfPresent(contents, key + "/map@w", map.isEmpty() ? null : toMap(map));
            ((NamespacedState) map).setCurrentNamespace(VoidNamespace.INSTANCE);
        }
        return contents;
    }

    private static Map<String, Object> ownedSubset(final Map<String, Object> all, final KeyGroupRange range)
    {
        final Map<String, Object> owned = new TreeMap<>();
        for (final Map.Entry<String, Object> entry : all.entrySet())
        {
            final int key = Integer.parseInt(entry.getKey().substring(0, entry.getKey().indexOf('/')));
            if (range.contains(KeyGroupRangeAssignment.keyGroupFor(key, MAX_PARALLELISM)))
            {
                owned.put(entry.getKey(), entry.getValue());
            }
        }
        return owned;
    }

    private static void putIfPresent(final Map<String, Object> contents, final String name, final Object value)
    {
        if (value != null)
        {
            contents.put(name, value);
        }
    }

    private static <K, V> Map<K, V> toMap(final MapState<K, V> state)
    {
        final Map<K, V> map = new HashMap<>();
        for (final Map.Entry<K, V> entry : state.entries())
        {
            map.put(entry.getKey(), entry.getValue());
        }
        return map;
    }

    private static int keyInGroupOtherThan(final int keyGroup)
    {
        int key = 0;
        while (KeyGroupRangeAssignment.keyGroupFor(key, MAX_PARALLELISM) == keyGroup)
        {
            key++;
        }
        return key;
    }
}
