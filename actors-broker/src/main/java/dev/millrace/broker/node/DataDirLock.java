package dev.millrace.broker.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a node's data directory: the file {@value #LOCK_FILE} in it, locked with an OS file lock
 * (released by the OS if the JVM dies, so a {@code kill -9} leaves nothing to clean up). Two nodes on one directory
 * would corrupt the partition logs, which have no lock of their own.
 *
 * <p>Thread-safe: {@link #close} may be called from any thread, more than once.
 */
final class DataDirLock implements AutoCloseable
{
    static final String LOCK_FILE = ".lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirLock(final FileChannel channel, final FileLock lock)
    {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * @throws IllegalStateException naming {@code millrace.broker.node.data-dir} when another node holds the directory
     */
    static DataDirLock acquire(final Path dataDir)
    {
        final Path file = dataDir.resolve(LOCK_FILE);
        final FileChannel channel;
        try
        {
            Files.createDirectories(dataDir);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open " + file + " (" + BrokerNodeSettings.PREFIX + "." +
                BrokerNodeSettings.DATA_DIR + ")", ex);
        }
        FileLock lock = null;
        try
        {
            lock = channel.tryLock();
        }
        catch (final OverlappingFileLockException ex)
        {
            // Held by another node in this JVM.
        }
        catch (final IOException ex)
        {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot lock " + file, ex);
        }
        if (lock == null)
        {
            closeQuietly(channel);
            throw new IllegalStateException(
                "data directory " + dataDir + " is in use by another running node: give each node its own " +
                BrokerNodeSettings.PREFIX + "." + BrokerNodeSettings.DATA_DIR);
        }
        return new DataDirLock(channel, lock);
    }

    @Override
    public synchronized void close()
    {
        if (channel.isOpen())
        {
            try
            {
                lock.release();
            }
            catch (final IOException ignored)
            {
                // Closing the channel releases it too.
            }
            closeQuietly(channel);
        }
    }

    private static void closeQuietly(final FileChannel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ignored)
        {
            // Nothing left to release.
        }
    }
}
