package dev.millrace.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Positional I/O loops and the atomic-replace dance for small checkpoint files. Stateless, thread-safe.
 */
final class FileIo
{
    private FileIo()
    {
    }

    /** Reads until {@code buffer} is full or the file ends; returns the bytes read. */
    static int readFully(final FileChannel channel, final ByteBuffer buffer, final long position) throws IOException
    {
        int total = 0;
        while (buffer.hasRemaining())
        {
            final int read = channel.read(buffer, position + total);
            if (read < 0)
            {
                break;
            }
            total += read;
        }
        return total;
    }

    /** Writes all remaining bytes of {@code buffer} at {@code position}. */
    static void writeFully(final FileChannel channel, final ByteBuffer buffer, final long position) throws IOException
    {
        long at = position;
        while (buffer.hasRemaining())
        {
            at += channel.write(buffer, at);
        }
    }

    /**
     * Replaces {@code target} with {@code content} so that after a crash the file holds either the old or the new
     * bytes, never a mix: write a temporary file, fsync it, rename it over the target, fsync the directory.
     */
    static void atomicWrite(final Path target, final ByteBuffer content) throws IOException
    {
        final Path temp = target.resolveSibling(target.getFileName() + ".tmp");
        try (FileChannel channel = FileChannel.open(
            temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING))
        {
            writeFully(channel, content, 0);
            channel.force(true);
        }
        Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDirectory(target.getParent());
    }

    /** Makes creations, renames and deletions of entries in {@code directory} durable. */
    static void fsyncDirectory(final Path directory) throws IOException
    {
        try (FileChannel channel = FileChannel.open(directory, StandardOpenOption.READ))
        {
            channel.force(true);
        }
    }

    /** Reads a whole small file, or returns null when it does not exist. */
    static byte[] readSmallFile(final Path file) throws IOException
    {
        try
        {
            return Files.readAllBytes(file);
        }
        catch (final NoSuchFileException ex)
        {
            return null;
        }
    }

    static void deleteIfExists(final Path file) throws IOException
    {
        Files.deleteIfExists(file);
    }
}
