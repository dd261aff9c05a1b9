package dev.millrace.runtime.state;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.nio.file.Path;

/**
 * Settings of the RocksDB state backend, from {@code millrace.runtime.state.rocksdb} (see reference.conf) or
 * given to {@link StateBackends#rocksDb(RocksDbStateOptions)}. Memory per operator instance is about
 * {@code blockCacheBytes + writeBufferBytes × maxWriteBufferNumber × number of states}.
 *
 * @param directory            parent of the instances' directories (each instance makes and, on close,
 *                             deletes its own)
 * @param blockCacheBytes      the instance's LRU block cache, shared by its column families
 * @param writeBufferBytes     memtable size per column family (one per state)
 * @param maxWriteBufferNumber memtables per column family before writes stall on a flush
 */
public record RocksDbStateOptions(Path directory, long blockCacheBytes, long writeBufferBytes,
                                  int maxWriteBufferNumber)
{
    /** Configuration path of the settings. */
    public static final String PATH = "millrace.runtime.state.rocksdb";

    public RocksDbStateOptions
    {
        if (directory == null)
        {
            throw new IllegalArgumentException("the RocksDB state directory must be set");
        }
        if (blockCacheBytes < 0 || writeBufferBytes < 64 * 1024 || maxWriteBufferNumber < 1)
        {
            throw new IllegalArgumentException("RocksDB state: block cache must be >= 0, write buffer >= 64 KiB and "
                + "max write buffers >= 1, got " + blockCacheBytes + ", " + writeBufferBytes + ", "
                + maxWriteBufferNumber);
        }
    }

    /**
     * @param config the actor system's configuration
     * @return the validated settings; an empty {@code directory} means {@code java.io.tmpdir}
     * @throws ConfigException.BadValue naming the key of a bad value
     */
    public static RocksDbStateOptions fromConfig(final Config config)
    {
        final Config rocks = config.getConfig(PATH);
        final String dir = rocks.getString("directory");
        final long cache = rocks.getBytes("block-cache-size");
        final long writeBuffer = rocks.getBytes("write-buffer-size");
        final int writeBuffers = rocks.getInt("max-write-buffer-number");
        if (cache < 0)
        {
            throw new ConfigException.BadValue(PATH + ".block-cache-size", "must not be negative");
        }
        if (writeBuffer < 64 * 1024)
        {
            throw new ConfigException.BadValue(PATH + ".write-buffer-size", "must be at least 64 KiB");
        }
        if (writeBuffers < 1)
        {
            throw new ConfigException.BadValue(PATH + ".max-write-buffer-number", "must be at least 1");
        }
        return new RocksDbStateOptions(Path.of(dir.isEmpty() ? System.getProperty("java.io.tmpdir") : dir), cache,
            writeBuffer, writeBuffers);
    }
}
