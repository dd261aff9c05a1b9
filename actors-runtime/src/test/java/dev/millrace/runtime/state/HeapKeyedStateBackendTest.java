package dev.millrace.runtime.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.millrace.runtime.api.AggregateFunction;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Keyed state scoped to keys, organized by key group, and its snapshot/restore through Kryo. */
class HeapKeyedStateBackendTest
{
    private static final int MAX_PARALLELISM = 16;

    record Point(long x, String label)
    {
    }

    private static final ValueStateDescriptor<Point> VALUE = new ValueStateDescriptor<>("value", Point.class);
    private static final ListStateDescriptor<String> LIST = new ListStateDescriptor<>("list", String.class);
    private static final MapStateDescriptor<String, Long> MAP = new MapStateDescriptor<>("map", String.class, Long.class);
    private static final ReducingStateDescriptor<Long> REDUCING =
        new ReducingStateDescriptor<>("reducing", Long::sum, Long.class);
    private static final AggregatingStateDescriptor<Long, long[], Double> AVERAGE =
        new AggregatingStateDescriptor<>("average", new Average());

    /** Average as (sum, count). */
    static final class Average implements AggregateFunction<Long, long[], Double>
    {
        @Override
        public long[] createAccumulator()
        {
            return new long[2];
        }

        @Override
        public long[] add(final Long value, final long[] accumulator)
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

    private static HeapKeyedStateBackend fill(final HeapKeyedStateBackend backend, final int keys)
    {
        for (int key = 0; key < keys; key++)
        {
            backend.setCurrentKey(key);
            backend.getValueState(VALUE).update(new Point(key, "p" + key));
            backend.getListState(LIST).add("a" + key);
            backend.getListState(LIST).add("b" + key);
            backend.getMapState(MAP).put("k", (long) key);
            backend.getReducingState(REDUCING).add((long) key);
            backend.getReducingState(REDUCING).add(1L);
            backend.getAggregatingState(AVERAGE).add((long) key);
            backend.getAggregatingState(AVERAGE).add((long) key + 2);
        }
        return backend;
    }

    private static void assertKey(final HeapKeyedStateBackend backend, final int key)
    {
        backend.setCurrentKey(key);
        assertEquals(new Point(key, "p" + key), backend.getValueState(VALUE).value());
        assertEquals(List.of("a" + key, "b" + key), backend.getListState(LIST).get());
        assertEquals((long) key, backend.getMapState(MAP).get("k"));
        assertEquals(key + 1L, backend.getReducingState(REDUCING).get());
        assertEquals(key + 1.0, backend.getAggregatingState(AVERAGE).get());
    }

    @Test
    void shouldScopeEveryKindOfStateToTheCurrentKey()
    {
        final HeapKeyedStateBackend backend = fill(new HeapKeyedStateBackend(MAX_PARALLELISM,
            new KeyGroupRange(0, MAX_PARALLELISM - 1)), 50);
        for (int key = 0; key < 50; key++)
        {
            assertKey(backend, key);
        }
        backend.setCurrentKey(7);
        backend.getValueState(VALUE).clear();
        backend.getMapState(MAP).remove("k");
        assertNull(backend.getValueState(VALUE).value());
        assertTrue(backend.getMapState(MAP).isEmpty());
        backend.setCurrentKey(8);
        assertEquals(new Point(8, "p8"), backend.getValueState(VALUE).value());
    }

    @Test
    void shouldRoundTripASnapshotThroughKryo()
    {
        final HeapKeyedStateBackend original = fill(new HeapKeyedStateBackend(MAX_PARALLELISM,
            new KeyGroupRange(0, MAX_PARALLELISM - 1)), 100);
        final byte[] bytes = original.snapshot(new KryoStateSerializer());
        final HeapKeyedStateBackend restored = new HeapKeyedStateBackend(MAX_PARALLELISM,
            new KeyGroupRange(0, MAX_PARALLELISM - 1));
        restored.restore(bytes, new KryoStateSerializer());
        assertEquals(original.entryCount(), restored.entryCount());
        for (int key = 0; key < 100; key++)
        {
            assertKey(restored, key);
        }
    }

    @Test
    void shouldSplitASnapshotByKeyGroupWhenRestoringAtAHigherParallelism()
    {
        final HeapKeyedStateBackend original = fill(new HeapKeyedStateBackend(MAX_PARALLELISM,
            new KeyGroupRange(0, MAX_PARALLELISM - 1)), 100);
        final byte[] bytes = original.snapshot(new KryoStateSerializer());
        final Map<Integer, HeapKeyedStateBackend> instances = new HashMap<>();
        for (int subtask = 0; subtask < 3; subtask++)
        {
            final HeapKeyedStateBackend backend = new HeapKeyedStateBackend(MAX_PARALLELISM,
                KeyGroupRangeAssignment.rangeFor(MAX_PARALLELISM, 3, subtask));
            backend.restore(bytes, new KryoStateSerializer());
            instances.put(subtask, backend);
        }
        int entries = 0;
        for (final HeapKeyedStateBackend backend : instances.values())
        {
            entries += backend.entryCount();
        }
        assertEquals(original.entryCount(), entries, "every entry lands in exactly one instance");
        for (int key = 0; key < 100; key++)
        {
            final int group = KeyGroupRangeAssignment.keyGroupFor(key, MAX_PARALLELISM);
            assertKey(instances.get(KeyGroupRangeAssignment.operatorIndexFor(group, MAX_PARALLELISM, 3)), key);
        }
    }

    @Test
    void shouldRefuseAKeyOutsideItsKeyGroupsAndAStateOfAnotherKind()
    {
        final HeapKeyedStateBackend backend = new HeapKeyedStateBackend(MAX_PARALLELISM, new KeyGroupRange(0, 0));
        int foreign = 0;
        while (KeyGroupRangeAssignment.keyGroupFor(foreign, MAX_PARALLELISM) == 0)
        {
            foreign++;
        }
        final int key = foreign;
        assertThrows(IllegalStateException.class, () -> backend.setCurrentKey(key));
        backend.getValueState(new ValueStateDescriptor<>("s", Long.class));
        assertThrows(IllegalStateException.class, () -> backend.getListState(new ListStateDescriptor<>("s", Long.class)));
    }
}
