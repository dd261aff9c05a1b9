package dev.millrace.sharding.persistence.embedded;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.RocksIterator;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The single writer on its own, without Pekko: ordering inside a group, highest sequence numbers, close.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class JournalWriterTest
{
    private static final int PIDS_CF = 1;
    private static final int HIGHEST_CF = 2;
    private static final int EVENTS_CF = 3;

    @TempDir
    Path dataDir;

    private static RocksStore open(final Path dir) throws Exception
    {
        return RocksStore.open(dir, true, List.of(
            JournalKeyDescriptor.PIDS_COLUMN_FAMILY,
            JournalKeyDescriptor.HIGHEST_COLUMN_FAMILY,
            JournalKeyDescriptor.EVENTS_COLUMN_FAMILY));
    }

    private static JournalWriter writer(final RocksStore store, final PersistenceIdRegistry registry)
    {
        return new JournalWriter(store, registry, store.handle(EVENTS_CF), store.handle(HIGHEST_CF), "test-writer");
    }

    private static JournalWriter.EncodedWrite events(final String pid, final long from, final long to)
    {
        final long[] sequenceNrs = LongStream.rangeClosed(from, to).toArray();
        final List<byte[]> values = new ArrayList<>();
        for (final long seqNr : sequenceNrs)
        {
            values.add((pid + "-" + seqNr).getBytes(StandardCharsets.UTF_8));
        }
        return new JournalWriter.EncodedWrite(pid, sequenceNrs, values, to);
    }

    private static List<Long> storedSequenceNrs(final RocksStore store, final long pidId)
    {
        final List<Long> sequenceNrs = new ArrayList<>();
        try (RocksIterator iterator = store.db().newIterator(store.handle(EVENTS_CF)))
        {
            for (iterator.seekToFirst(); iterator.isValid(); iterator.next())
            {
                if (JournalKeyDescriptor.pidId(iterator.key()) == pidId)
                {
                    sequenceNrs.add(JournalKeyDescriptor.sequenceNr(iterator.key()));
                }
            }
        }
        return sequenceNrs;
    }

    private static long highest(final RocksStore store, final long pidId) throws Exception
    {
        return JournalKeyDescriptor.longValue(
            store.db().get(store.handle(HIGHEST_CF), JournalKeyDescriptor.longBytes(pidId)));
    }

    @Test
    void shouldApplyRequestsInSubmissionOrder() throws Exception
    {
        try (RocksStore store = open(dataDir))
        {
            final PersistenceIdRegistry registry = new PersistenceIdRegistry(store.db(), store.handle(PIDS_CF));
            try (JournalWriter writer = writer(store, registry))
            {
                // Submitted without waiting, so they are likely to share one batch.
                final List<CompletableFuture<Void>> done = List.of(
                    writer.write(List.of(events("a", 1, 3), events("b", 1, 1))),
                    writer.deleteTo("a", 10),
                    writer.write(List.of(events("a", 4, 5))),
                    writer.deleteTo("unknown", 10));
                CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            }
            final long a = registry.find("a");
            final long b = registry.find("b");
            assertEquals(List.of(4L, 5L), storedSequenceNrs(store, a));
            assertEquals(List.of(1L), storedSequenceNrs(store, b));
            assertEquals(5L, highest(store, a));
            assertEquals(1L, highest(store, b));
            assertEquals(PersistenceIdRegistry.UNKNOWN, registry.find("unknown"));
        }
    }

    @Test
    void shouldKeepPersistenceIdMappingsAcrossReopen() throws Exception
    {
        long a;
        try (RocksStore store = open(dataDir))
        {
            final PersistenceIdRegistry registry = new PersistenceIdRegistry(store.db(), store.handle(PIDS_CF));
            try (JournalWriter writer = writer(store, registry))
            {
                writer.write(List.of(events("a", 1, 1), events("b", 1, 1))).get(10, TimeUnit.SECONDS);
            }
            a = registry.find("a");
        }
        try (RocksStore store = open(dataDir))
        {
            final PersistenceIdRegistry registry = new PersistenceIdRegistry(store.db(), store.handle(PIDS_CF));
            try (JournalWriter writer = writer(store, registry))
            {
                writer.write(List.of(events("c", 1, 1))).get(10, TimeUnit.SECONDS);
            }
            assertEquals(a, registry.find("a"));
            assertEquals(3L, registry.find("c"));
            assertEquals(List.of(1L), storedSequenceNrs(store, registry.find("c")));
        }
    }

    @Test
    void shouldFailRequestsSubmittedAfterClose() throws Exception
    {
        try (RocksStore store = open(dataDir))
        {
            final PersistenceIdRegistry registry = new PersistenceIdRegistry(store.db(), store.handle(PIDS_CF));
            final JournalWriter writer = writer(store, registry);
            writer.close();

            final ExecutionException ex = assertThrows(
                ExecutionException.class,
                () -> writer.write(List.of(events("a", 1, 1))).get(10, TimeUnit.SECONDS));
            assertInstanceOf(IllegalStateException.class, ex.getCause());
        }
    }
}
