package dev.millrace.sharding.persistence.embedded;

import dev.millrace.sharding.persistence.EventEnvelope;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteBatch;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The journal's single writer, with group commit: requests (already serialized writes, deletes) queue up while the
 * previous batch is being written and fsynced, then all of them go to RocksDB as one {@link WriteBatch} with one
 * sync. Under load from many persistent actors this turns one fsync per actor write into one fsync per batch.
 * <p>
 * A group is all-or-nothing: each request's events, its {@code highest} entry and any new persistence-id mapping are
 * in the same batch; if the batch fails, every request of the group fails (a storage error). Requests are applied
 * in submission order, so a delete after a write in the same group sees that write.
 * <p>
 * Threading: {@link #write}, {@link #deleteTo} and {@link #close()} may be called from any thread (in practice the
 * journal actor's). Everything else, including the {@link PersistenceIdRegistry} allocation and the read-modify-write
 * of {@code highest}, runs on the writer thread only.
 */
final class JournalWriter implements AutoCloseable
{
    /** At most this many requests per batch, to bound batch memory. */
    private static final int MAX_REQUESTS_PER_BATCH = 512;
    private static final long CLOSE_TIMEOUT_MS = 30_000;

    /**
     * One accepted {@code AtomicWrite}, serialized by the caller.
     *
     * @param persistenceId     its persistence id.
     * @param sequenceNrs       its events' sequence numbers.
     * @param values            its events' {@link EventEnvelope}s, same order.
     * @param highestSequenceNr its highest sequence number.
     */
    record EncodedWrite(String persistenceId, long[] sequenceNrs, List<byte[]> values, long highestSequenceNr)
    {
    }

    private sealed interface Request permits WriteRequest, DeleteRequest, Stop
    {
        CompletableFuture<Void> done();
    }

    private record WriteRequest(List<EncodedWrite> writes, CompletableFuture<Void> done) implements Request
    {
    }

    private record DeleteRequest(String persistenceId, long toSequenceNr, CompletableFuture<Void> done)
        implements Request
    {
    }

    private record Stop(CompletableFuture<Void> done) implements Request
    {
    }

    private final RocksStore store;
    private final PersistenceIdRegistry registry;
    private final ColumnFamilyHandle events;
    private final ColumnFamilyHandle highest;
    private final BlockingQueue<Request> queue = new LinkedBlockingQueue<>();
    private final Thread thread;
    private volatile boolean closed;

    JournalWriter(
        final RocksStore store,
        final PersistenceIdRegistry registry,
        final ColumnFamilyHandle events,
        final ColumnFamilyHandle highest,
        final String name)
    {
        this.store = store;
        this.registry = registry;
        this.events = events;
        this.highest = highest;
        this.thread = new Thread(this::run, name);
        // Never keeps a JVM alive on its own; a clean stop goes through close().
        this.thread.setDaemon(true);
        this.thread.start();
    }

    CompletableFuture<Void> write(final List<EncodedWrite> writes)
    {
        return submit(new WriteRequest(writes, new CompletableFuture<>()));
    }

    CompletableFuture<Void> deleteTo(final String persistenceId, final long toSequenceNr)
    {
        return submit(new DeleteRequest(persistenceId, toSequenceNr, new CompletableFuture<>()));
    }

    private CompletableFuture<Void> submit(final Request request)
    {
        if (closed)
        {
            request.done().completeExceptionally(new IllegalStateException("embedded journal writer is closed"));
            return request.done();
        }
        queue.add(request);
        return request.done();
    }

    /**
     * Writes everything submitted before, then stops the writer thread (bounded wait).
     */
    @Override
    public void close()
    {
        closed = true;
        final Stop stop = new Stop(new CompletableFuture<>());
        queue.add(stop);
        try
        {
            thread.join(CLOSE_TIMEOUT_MS);
            if (thread.isAlive())
            {
                thread.interrupt();
                thread.join(TimeUnit.SECONDS.toMillis(5));
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        failRemaining();
    }

    private void run()
    {
        final List<Request> group = new ArrayList<>();
        try
        {
            boolean running = true;
            while (running)
            {
                group.add(queue.take());
                queue.drainTo(group, MAX_REQUESTS_PER_BATCH - 1);
                running = commit(group);
                group.clear();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        finally
        {
            for (final Request request : group)
            {
                request.done().completeExceptionally(new IllegalStateException("embedded journal writer stopped"));
            }
        }
    }

    private void failRemaining()
    {
        Request request;
        while ((request = queue.poll()) != null)
        {
            request.done().completeExceptionally(new IllegalStateException("embedded journal writer stopped"));
        }
    }

    /**
     * @return false once a {@link Stop} was met.
     */
    private boolean commit(final List<Request> group)
    {
        boolean running = true;
        try (WriteBatch batch = new WriteBatch())
        {
            final PersistenceIdRegistry.Allocation allocation = registry.allocation();
            final Map<Long, Long> highestByPidId = new HashMap<>();
            for (final Request request : group)
            {
                if (request instanceof WriteRequest write)
                {
                    applyWrite(write, allocation, batch, highestByPidId);
                }
                else if (request instanceof DeleteRequest delete)
                {
                    applyDelete(delete, allocation, batch, highestByPidId);
                }
                else
                {
                    running = false;
                }
            }
            for (final Map.Entry<Long, Long> entry : highestByPidId.entrySet())
            {
                batch.put(
                    highest, JournalKeyDescriptor.longBytes(entry.getKey()), JournalKeyDescriptor.longBytes(entry.getValue()));
            }
            if (batch.count() > 0)
            {
                store.db().write(store.writeOptions(), batch);
            }
            allocation.publish();
            group.forEach((request) -> request.done().complete(null));
        }
        catch (final Exception ex)
        {
            // A storage error: nothing of the group is stored, so every request in it fails.
            group.forEach((request) -> request.done().completeExceptionally(ex));
        }
        return running;
    }

    private void applyWrite(
        final WriteRequest request,
        final PersistenceIdRegistry.Allocation allocation,
        final WriteBatch batch,
        final Map<Long, Long> highestByPidId) throws RocksDBException
    {
        for (final EncodedWrite write : request.writes())
        {
            final long pidId = allocation.idFor(write.persistenceId(), batch);
            for (int i = 0; i < write.sequenceNrs().length; i++)
            {
                batch.put(events, JournalKeyDescriptor.eventKey(pidId, write.sequenceNrs()[i]), write.values().get(i));
            }
            highestByPidId.put(pidId, Math.max(highestOf(pidId, highestByPidId), write.highestSequenceNr()));
        }
    }

    private void applyDelete(
        final DeleteRequest request,
        final PersistenceIdRegistry.Allocation allocation,
        final WriteBatch batch,
        final Map<Long, Long> highestByPidId) throws RocksDBException
    {
        final long pidId = allocation.find(request.persistenceId());
        if (pidId == PersistenceIdRegistry.UNKNOWN)
        {
            return;
        }
        // Never past the highest: a later write must not land in a deleted range. The highest entry stays.
        final long upTo = Math.min(request.toSequenceNr(), highestOf(pidId, highestByPidId));
        if (upTo >= 1)
        {
            batch.deleteRange(
                events, JournalKeyDescriptor.eventKey(pidId, 0), JournalKeyDescriptor.eventKey(pidId, upTo + 1));
        }
    }

    private long highestOf(final long pidId, final Map<Long, Long> highestByPidId) throws RocksDBException
    {
        final Long pending = highestByPidId.get(pidId);
        if (pending != null)
        {
            return pending;
        }
        final byte[] value = store.db().get(highest, JournalKeyDescriptor.longBytes(pidId));
        return value == null ? 0L : JournalKeyDescriptor.longValue(value);
    }
}
