package dev.millrace.sharding.persistence.embedded;

import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.WriteOptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * One open RocksDB instance with its column families and the native option objects that must outlive it.
 * <p>
 * RocksDB takes a file lock on its directory, so one instance per directory per process: each plugin owns its
 * own directory. {@link #close()} releases native resources in the order RocksDB requires: column family handles,
 * then the database, then the options the database was opened with.
 * <p>
 * Threading: RocksDB itself is thread-safe. Calls from threads other than the owner's (reads on the read
 * dispatcher) go through {@link #read(StoreCall)}, which holds a read lock so that {@link #close()} waits for them
 * instead of freeing native memory under a running iterator (a JVM crash, not an exception).
 */
final class RocksStore implements AutoCloseable
{
    static
    {
        RocksDB.loadLibrary();
    }

    private final DBOptions dbOptions;
    private final ColumnFamilyOptions columnFamilyOptions;
    private final WriteOptions writeOptions;
    private final RocksDB db;
    private final List<ColumnFamilyHandle> handles;
    private final boolean syncWrites;
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private boolean closed;

    /**
     * A unit of work against the open store.
     *
     * @param <T> its result.
     */
    @FunctionalInterface
    interface StoreCall<T>
    {
        T call(RocksStore store) throws Exception;
    }

    private RocksStore(
        final DBOptions dbOptions,
        final ColumnFamilyOptions columnFamilyOptions,
        final WriteOptions writeOptions,
        final RocksDB db,
        final List<ColumnFamilyHandle> handles,
        final boolean syncWrites)
    {
        this.dbOptions = dbOptions;
        this.columnFamilyOptions = columnFamilyOptions;
        this.writeOptions = writeOptions;
        this.db = db;
        this.handles = handles;
        this.syncWrites = syncWrites;
    }

    /**
     * Opens (creating if missing) a database with the default column family plus the given ones.
     *
     * @param dir            data directory, created if missing.
     * @param syncWrites     whether writes made with {@link #writeOptions()} fsync the WAL before returning.
     * @param columnFamilies names of the extra column families, in the order {@link #handle(int)} indexes them
     *                       (index 0 is the default column family).
     * @return the open store.
     * @throws IOException      if the directory cannot be created.
     * @throws RocksDBException if RocksDB cannot open it (e.g. another process holds the lock).
     */
    static RocksStore open(final Path dir, final boolean syncWrites, final List<String> columnFamilies)
        throws IOException, RocksDBException
    {
        Files.createDirectories(dir);
        final DBOptions dbOptions = new DBOptions()
            .setCreateIfMissing(true)
            .setCreateMissingColumnFamilies(true)
            // RocksDB's own LOG files: keep a few for diagnosis, not one per start forever.
            .setKeepLogFileNum(5);
        final ColumnFamilyOptions cfOptions = new ColumnFamilyOptions();
        // Sync is a per-write option in RocksDB: every write the plugin acknowledges goes through this object.
        final WriteOptions writeOptions = new WriteOptions().setSync(syncWrites);

        final List<ColumnFamilyDescriptor> descriptors = new ArrayList<>();
        descriptors.add(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, cfOptions));
        for (final String name : columnFamilies)
        {
            descriptors.add(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8), cfOptions));
        }
        final List<ColumnFamilyHandle> handles = new ArrayList<>();
        try
        {
            final RocksDB db = RocksDB.open(dbOptions, dir.toAbsolutePath().toString(), descriptors, handles);
            return new RocksStore(dbOptions, cfOptions, writeOptions, db, handles, syncWrites);
        }
        catch (final RocksDBException | RuntimeException ex)
        {
            handles.forEach(ColumnFamilyHandle::close);
            writeOptions.close();
            cfOptions.close();
            dbOptions.close();
            throw ex;
        }
    }

    RocksDB db()
    {
        return db;
    }

    /**
     * @param index 0 for the default column family, i + 1 for the i-th name given to {@link #open}.
     * @return the handle.
     */
    ColumnFamilyHandle handle(final int index)
    {
        return handles.get(index);
    }

    /**
     * @return the options every acknowledged write must use: they carry the sync policy.
     */
    WriteOptions writeOptions()
    {
        return writeOptions;
    }

    /**
     * Runs a call unless the store is closed, keeping it open meanwhile.
     *
     * @param call the work.
     * @param <T>  its result type.
     * @return its result.
     * @throws Exception             from the call.
     * @throws IllegalStateException if the store is already closed.
     */
    <T> T read(final StoreCall<T> call) throws Exception
    {
        lifecycle.readLock().lock();
        try
        {
            if (closed)
            {
                throw new IllegalStateException("embedded store is closed");
            }
            return call.call(this);
        }
        finally
        {
            lifecycle.readLock().unlock();
        }
    }

    @Override
    public void close() throws RocksDBException
    {
        lifecycle.writeLock().lock();
        try
        {
            if (closed)
            {
                return;
            }
            closed = true;
            closeNative();
        }
        finally
        {
            lifecycle.writeLock().unlock();
        }
    }

    private void closeNative() throws RocksDBException
    {
        try
        {
            if (!syncWrites)
            {
                // Without per-write sync, a clean stop should still leave everything written on disk.
                db.syncWal();
            }
        }
        finally
        {
            for (final ColumnFamilyHandle handle : handles)
            {
                handle.close();
            }
            try
            {
                db.closeE();
            }
            finally
            {
                writeOptions.close();
                columnFamilyOptions.close();
                dbOptions.close();
            }
        }
    }
}
