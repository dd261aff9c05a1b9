package dev.millrace.sharding.persistence.embedded;

import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Maps persistence ids to the compact numeric ids used in event keys ({@link JournalKeyDescriptor}).
 * <p>
 * A new id is allocated by the writer into the same {@link WriteBatch} as the first event of its persistence id,
 * and only {@link Allocation#publish() published} to readers once that batch is durable, so a failed write leaves
 * neither a mapping nor a hole in the allocation sequence.
 * <p>
 * Threading: {@link #find(String)} is safe from any thread. {@link #allocation()} and everything on an
 * {@link Allocation} belong to the single writer (the journal actor's thread).
 */
final class PersistenceIdRegistry
{
    static final long UNKNOWN = -1L;

    private final RocksDB db;
    private final ColumnFamilyHandle pids;
    private final ConcurrentHashMap<String, Long> published = new ConcurrentHashMap<>();
    private long nextId;

    PersistenceIdRegistry(final RocksDB db, final ColumnFamilyHandle pids)
    {
        this.db = db;
        this.pids = pids;
        this.nextId = highestAllocated(db, pids) + 1;
    }

    private static long highestAllocated(final RocksDB db, final ColumnFamilyHandle pids)
    {
        // Ids are not in key order (keys are the persistence ids), so scan once at start; one entry per id.
        long highest = 0;
        try (RocksIterator iterator = db.newIterator(pids))
        {
            for (iterator.seekToFirst(); iterator.isValid(); iterator.next())
            {
                highest = Math.max(highest, JournalKeyDescriptor.longValue(iterator.value()));
            }
        }
        return highest;
    }

    /**
     * @param persistenceId the persistence id.
     * @return its numeric id, or {@link #UNKNOWN} if nothing was ever written for it.
     * @throws RocksDBException on a storage error.
     */
    long find(final String persistenceId) throws RocksDBException
    {
        final Long cached = published.get(persistenceId);
        if (cached != null)
        {
            return cached;
        }
        final byte[] value = db.get(pids, persistenceId.getBytes(StandardCharsets.UTF_8));
        if (value == null)
        {
            return UNKNOWN;
        }
        final long id = JournalKeyDescriptor.longValue(value);
        published.put(persistenceId, id);
        return id;
    }

    Allocation allocation()
    {
        return new Allocation();
    }

    /**
     * The ids allocated while building one write batch.
     */
    final class Allocation
    {
        private final Map<String, Long> pending = new HashMap<>();
        private long next = nextId;

        /**
         * @param persistenceId the persistence id being written.
         * @param batch         the batch that will carry the mapping if the id is new.
         * @return the existing or newly allocated id.
         * @throws RocksDBException on a storage error.
         */
        long idFor(final String persistenceId, final WriteBatch batch) throws RocksDBException
        {
            final Long pendingId = pending.get(persistenceId);
            if (pendingId != null)
            {
                return pendingId;
            }
            final long existing = find(persistenceId);
            if (existing != UNKNOWN)
            {
                return existing;
            }
            final long id = next++;
            batch.put(pids, persistenceId.getBytes(StandardCharsets.UTF_8), JournalKeyDescriptor.longBytes(id));
            pending.put(persistenceId, id);
            return id;
        }

        /**
         * @param persistenceId the persistence id.
         * @return its id, allocated earlier in this batch or before, or {@link #UNKNOWN}.
         * @throws RocksDBException on a storage error.
         */
        long find(final String persistenceId) throws RocksDBException
        {
            final Long pendingId = pending.get(persistenceId);
            return pendingId != null ? pendingId : PersistenceIdRegistry.this.find(persistenceId);
        }

        /**
         * Called after the batch was written: readers may now see the new ids.
         */
        void publish()
        {
            published.putAll(pending);
            nextId = next;
        }
    }
}
