package dev.millrace.runtime.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.millrace.runtime.api.AggregateFunction;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * State time-to-live on both backends with a manual clock: expiry after the TTL, refresh on write (and on
 * read with ON_READ_AND_WRITE), the two visibilities, cleanup on read, per-element expiry of lists and
 * maps, and full-snapshot cleanup.
 */
@Timeout(60)
class StateTtlTest
{
    private static final int MAX_PARALLELISM = 8;
    private static final KeyGroupRange ALL = new KeyGroupRange(0, MAX_PARALLELISM - 1);
    private static final long TTL_MS = 100;

    @TempDir
    Path directory;
    private BackendFixture fixture;
    private final AtomicLong clock = new AtomicLong(1_000);

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

    private KeyedStateBackend backend(final BackendFixture.Kind kind)
    {
        return fixture.create(kind, MAX_PARALLELISM, ALL, clock::get);
    }

    private static StateTtlConfig.Builder ttl()
    {
        return StateTtlConfig.newBuilder(Duration.ofMillis(TTL_MS));
    }

    private static <D extends StateDescriptor> D withTtl(final D descriptor, final StateTtlConfig config)
    {
        descriptor.enableTimeToLive(config);
        return descriptor;
    }

    @ParameterizedTest
    @EnumSource(BackendFixture.Kind.class)
    void aValueShouldExpireTtlAfterItsLastWriteAndBeCleanedUpOnRead(final BackendFixture.Kind kind)
    {
        final KeyedStateBackend backend = backend(kind);
        final ValueState<String> state = backend.getValueState(
            withTtl(new ValueStateDescriptor<>("v", String.class), ttl().build()));
        backend.setCurrentKey("a");
        state.update("x");
        clock.addAndGet(TTL_MS - 1);
        assertEquals("x", state.value(), "alive just before the TTL");
        clock.addAndGet(-50);
        state.update("y");
        clock.addAndGet(TTL_MS - 1);
        assertEquals("y", state.value(), "a write refreshes the timestamp");
        clock.addAndGet(1);
        assertNull(state.value(), "expired at last write + TTL");
        assertTrue(groups(backend, "v").isEmpty(), "the read removed the expired entry");
    }

    @ParameterizedTest
    @EnumSource(BackendFixture.Kind.class)
    void readsShouldRefreshOnlyWithOnReadAndWrite(final BackendFixture.Kind kind)
    {
        final KeyedStateBackend backend = backend(kind);
        final ValueState<String> onWrite = backend.getValueState(
            withTtl(new ValueStateDescriptor<>("on-write", String.class), ttl().build()));
        final ValueState<String> onRead = backend.getValueState(withTtl(new ValueStateDescriptor<>("on-read",
            String.class), ttl().setUpdateType(StateTtlConfig.UpdateType.ON_READ_AND_WRITE).build()));
        backend.setCurrentKey("a");
        onWrite.update("w");
        onRead.update("r");
        for (int i = 0; i < 3; i++)
        {
            clock.addAndGet(TTL_MS / 2);
            assertEquals("r", onRead.value(), "each read keeps it alive");
        }
        assertNull(onWrite.value(), "reads did not refresh it: expired " + (3 * TTL_MS / 2) + " ms after its write");
    }

    @ParameterizedTest
    @EnumSource(BackendFixture.Kind.class)
    void returnExpiredIfNotCleanedUpShouldReturnAnExpiredValueOnce(final BackendFixture.Kind kind)
    {
        final KeyedStateBackend backend = backend(kind);
        final ValueState<String> state = backend.getValueState(withTtl(new ValueStateDescriptor<>("v", String.class),
            ttl().setStateVisibility(StateTtlConfig.StateVisibility.RETURN_EXPIRED_IF_NOT_CLEANED_UP).build()));
        backend.setCurrentKey("a");
        state.update("old");
        clock.addAndGet(TTL_MS * 5);
        assertEquals("old", state.value(), "not cleaned up yet: returned");
        assertNull(state.value(), "the first read cleaned it up");
    }

    @ParameterizedTest
    @EnumSource(BackendFixture.Kind.class)
    void listElementsAndMapEntriesShouldExpireOneByOne(final BackendFixture.Kind kind)
    {
        final KeyedStateBackend backend = backend(kind);
        final ListState<Integer> list = backend.getListState(
            withTtl(new ListStateDescriptor<>("l", Integer.class), ttl().build()));
        final MapState<String, Integer> map = backend.getMapState(
            withTtl(new MapStateDescriptor<>("m", String.class, Integer.class), ttl().build()));
        backend.setCurrentKey("a");
        list.add(1);
        map.put("old", 1);
        clock.addAndGet(TTL_MS / 2);
        list.add(2);
        map.put("new", 2);
        assertEquals(List.of(1, 2), list.get());
        assertEquals(Map.of("old", 1, "new", 2), toMap(map));
        clock.addAndGet(TTL_MS / 2);
        assertEquals(List.of(2), list.get(), "the first element expired, the second lives");
        assertNull(map.get("old"));
        assertFalse(map.contains("old"));
        assertTrue(map.contains("new"));
        assertEquals(Map.of("new", 2), toMap(map));
        clock.addAndGet(TTL_MS / 2);
        assertEquals(List.of(), list.get());
        assertTrue(map.isEmpty());
        assertTrue(groups(backend, "l").isEmpty() && groups(backend, "m").isEmpty(), "reads cleaned everything up");
    }

    @ParameterizedTest
    @EnumSource(BackendFixture.Kind.class)
    void reducingAndAggregatingShouldStartOverAfterExpiry(final BackendFixture.Kind kind)
    {
        final KeyedStateBackend backend = backend(kind);
        final ReducingState<Long> sum = backend.getReducingState(
            withTtl(new ReducingStateDescriptor<>("sum", Long::sum, Long.class), ttl().build()));
        final AggregatingState<Long, Long> count = backend.getAggregatingState(
            withTtl(new AggregatingStateDescriptor<>("count", new Count()), ttl().build()));
        backend.setCurrentKey("a");
        sum.add(5L);
        count.add(5L);
        clock.addAndGet(TTL_MS / 2);
        sum.add(5L);
        count.add(5L);
        assertEquals(10L, sum.get());
        assertEquals(2L, count.get());
        clock.addAndGet(TTL_MS);
        sum.add(1L);
        count.add(1L);
        assertEquals(1L, sum.get(), "the expired sum was not added to");
        assertEquals(1L, count.get(), "the expired accumulator was replaced");
    }

    @ParameterizedTest
    @EnumSource(BackendFixture.Kind.class)
    void fullSnapshotCleanupShouldLeaveExpiredEntriesOutOfSnapshotsOnly(final BackendFixture.Kind kind)
    {
        final KeyedStateBackend backend = backend(kind);
        final ValueState<String> cleaned = backend.getValueState(
            withTtl(new ValueStateDescriptor<>("cleaned", String.class), ttl().cleanupFullSnapshot().build()));
        final ValueState<String> kept = backend.getValueState(
            withTtl(new ValueStateDescriptor<>("kept", String.class), ttl().build()));
        final MapState<String, Integer> cleanedMap = backend.getMapState(withTtl(
            new MapStateDescriptor<>("cleaned-map", String.class, Integer.class), ttl().cleanupFullSnapshot().build()));
        for (int key = 0; key < 20; key++)
        {
            backend.setCurrentKey(key);
            cleaned.update("c" + key);
            kept.update("k" + key);
            cleanedMap.put("old", key);
        }
        clock.addAndGet(TTL_MS / 2);
        for (int key = 0; key < 20; key += 2)
        {
            backend.setCurrentKey(key);
            cleaned.update("fresh" + key);
            cleanedMap.put("new", key);
        }
        clock.addAndGet(TTL_MS / 2);
        assertEquals(10, entries(groups(backend, "cleaned")), "only the rewritten half is in the snapshot");
        assertEquals(20, entries(groups(backend, "kept")), "without full-snapshot cleanup expired entries stay");
        assertEquals(10, entries(groups(backend, "cleaned-map")), "map entries: only keys with a fresh entry");
        for (final Map<Object, Object> group : groups(backend, "cleaned-map").values())
        {
            for (final Object userMap : group.values())
            {
                assertEquals(List.of("new"), List.copyOf(((Map<?, ?>) userMap).keySet()));
            }
        }

        final KeyedStateBackend restored = backend(kind);
        restored.restore(backend.snapshot(new KryoStateSerializer()), new KryoStateSerializer());
        final ValueState<String> restoredCleaned = restored.getValueState(
            withTtl(new ValueStateDescriptor<>("cleaned", String.class), ttl().cleanupFullSnapshot().build()));
        restored.setCurrentKey(2);
        assertEquals("fresh2", restoredCleaned.value(), "a live entry keeps its timestamp through the snapshot");
        clock.addAndGet(TTL_MS / 2);
        assertNull(restoredCleaned.value(), "and expires on time after the restore");
    }

    @Test
    void aTtlShouldBePositive()
    {
        assertThrows(IllegalArgumentException.class, () -> StateTtlConfig.newBuilder(Duration.ZERO).build());
        assertThrows(IllegalArgumentException.class,
            () -> new ValueStateDescriptor<>("v", String.class).enableTimeToLive(null));
    }

    /** Counts added values. */
    static final class Count implements AggregateFunction<Long, Long, Long>
    {
        @Override
        public Long createAccumulator()
        {
            return 0L;
        }

        @Override
        public Long add(final Long value, final Long accumulator)
        {
            return accumulator + 1;
        }

        @Override
        public Long getResult(final Long accumulator)
        {
            return accumulator;
        }

        @Override
        public Long merge(final Long a, final Long b)
        {
            return a + b;
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<Integer, Map<Object, Object>> groups(final KeyedStateBackend backend, final String state)
    {
        final Map<String, Object> states = (Map<String, Object>) backend.snapshotTree().get("states");
        return (Map<Integer, Map<Object, Object>>) ((Map<String, Object>) states.get(state)).get("groups");
    }

    private static int entries(final Map<Integer, Map<Object, Object>> groups)
    {
        int count = 0;
        for (final Map<Object, Object> group : groups.values())
        {
            count += group.size();
        }
        return count;
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
}
