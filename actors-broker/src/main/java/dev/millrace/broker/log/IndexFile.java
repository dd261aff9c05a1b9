package dev.millrace.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * The file lifecycle shared by the per-segment indexes ({@link OffsetIndex}, {@link TimeIndex}): an 8-byte header
 * (magic, format version, both int32 big-endian) followed by fixed-length entries; while active, entries are appended
 * by positional writes and mirrored in the subclass's heap arrays; once sealed, the heap copy is dropped and lookups
 * read a read-only mapping of the exact-size file. A mapped file is never truncated or rewritten in place:
 * {@link #unseal} writes a new file and renames it over, so readers still holding the old mapping read valid pages.
 * Subclasses own the entry layout, the heap arrays and the searches.
 *
 * <p>Entries appended in a row are written to the file together ({@link #writePendingEntries}, which the log calls at
 * the end of each append): an append of several batches (a replica's group of produce requests) costs one positional
 * write per index instead of one per entry, each of which would go through the file system's write path (inode
 * lock, time stamps) for a few bytes. At most {@link #PENDING_ENTRIES} entries wait; every other operation on the
 * file (truncation, seal, flush, close) writes them first, so the file is never behind once the append returns.
 * Searches never read the file of an active index (they read the heap arrays), so a waiting entry is visible to them.
 *
 * <p>Threading: one writer (append, {@link #seal}, {@link #unseal}, truncation, {@link #flush}, {@link #close});
 * any thread may search. {@link #entryCount()} and {@link #mapped()} are volatile reads: a reader reads the count
 * first, then the subclass's heap array, then the mapping if the array is gone. The writer publishes a mapping before
 * the subclass drops its arrays ({@link #dropHeapEntries}), restores arrays only after the file is appendable again
 * ({@link #restoreHeapEntries}), and raises the count only after the entry is in the array (its file write may
 * wait until the end of the append, see above).
 */
abstract class IndexFile
{
    static final int HEADER_LENGTH = 8;
    /** Most entries waiting for their file write; reached only by an append of more batches than that. */
    static final int PENDING_ENTRIES = 64;

    private final Path file;
    private final int magic;
    private final int version;
    private final int entryLength;
    // Entries committed but not yet written, back to back from entry number pendingFirst; direct, so that the file
    // write copies nothing more. Allocated by the first append, dropped when the index is sealed or closed: only
    // active indexes hold one.
    private ByteBuffer pending;
    private int pendingFirst;
    private FileChannel channel;
    private volatile int count;
    private volatile ByteBuffer mapped;

    IndexFile(final Path file, final int magic, final int version, final int entryLength)
    {
        this.file = file;
        this.magic = magic;
        this.version = version;
        this.entryLength = entryLength;
    }

    /**
     * Maps an existing index file read-only when its size is a whole number of entries after the header and the
     * header carries {@code magic} and {@code version}; null when the file is missing or fails either check, so the
     * caller rebuilds the index. The entries are left for the caller to check.
     */
    static ByteBuffer mapIfValid(final Path file, final int magic, final int version, final int entryLength)
        throws IOException
    {
        if (!Files.exists(file))
        {
            return null;
        }
        final ByteBuffer map;
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final long fileSize = channel.size();
            if (fileSize < HEADER_LENGTH || (fileSize - HEADER_LENGTH) % entryLength != 0 || fileSize > Integer.MAX_VALUE)
            {
                return null;
            }
            map = channel.map(FileChannel.MapMode.READ_ONLY, 0, fileSize);
        }
        if (map.getInt(0) != magic || map.getInt(4) != version)
        {
            return null;
        }
        return map;
    }

    /** Whether the heap arrays are gone and searches read {@link #mapped()}. */
    abstract boolean isSealed();

    /** Drops the heap arrays; called by {@link #seal} after the mapping is published. */
    abstract void dropHeapEntries();

    /** Rebuilds and publishes the heap arrays from the first {@code n} entries of {@code map}; called by {@link #unseal}. */
    abstract void restoreHeapEntries(ByteBuffer map, int n);

    /** Creates (or replaces) the file with just its header; the subclass has its (empty) heap arrays already. */
    final void createFile() throws IOException
    {
        channel = writeNewFile(file, null, 0);
    }

    /** Serves a loaded, checked file of {@code n} entries from its mapping. */
    final void initSealed(final ByteBuffer map, final int n)
    {
        mapped = map;
        count = n;
    }

    /**
     * The buffer the subclass puts one entry into (relative puts, exactly {@code entryLength} bytes) before
     * {@link #commitEntry}: the pending entries' buffer, written out first if it is full.
     */
    final ByteBuffer entryBuffer() throws IOException
    {
        if (null == pending)
        {
            pending = ByteBuffer.allocateDirect(PENDING_ENTRIES * entryLength);
        }
        else if (pending.remaining() < entryLength)
        {
            writePendingEntries();
        }
        return pending;
    }

    /**
     * Commits the entry just put into {@link #entryBuffer()} as entry {@code n} and publishes the count {@code n + 1};
     * its file write waits for {@link #writePendingEntries}.
     */
    final void commitEntry(final int n)
    {
        if (pending.position() == entryLength)
        {
            pendingFirst = n;
        }
        else if (pendingFirst + pending.position() / entryLength - 1 != n)
        {
            throw new IllegalStateException("index " + file + ": entry " + n + " committed after entries " + pendingFirst +
                ".." + (pendingFirst + pending.position() / entryLength - 2) + " still waiting for their write");
        }
        count = n + 1;
    }

    /** Writes the committed entries still waiting, in one positional write; a no-op when none waits. */
    final void writePendingEntries() throws IOException
    {
        if (null == pending || pending.position() == 0)
        {
            return;
        }
        pending.flip();
        try
        {
            FileIo.writeFully(channel, pending, HEADER_LENGTH + (long)pendingFirst * entryLength);
        }
        finally
        {
            pending.clear();
        }
    }

    /** Keeps the first {@code n} entries (the index is active). */
    final void truncateEntries(final int n) throws IOException
    {
        writePendingEntries();
        count = n;
        channel.truncate(HEADER_LENGTH + (long)n * entryLength);
    }

    /** The segment stopped being active: serve lookups from a read-only mapping and free the heap copy. */
    final void seal() throws IOException
    {
        if (isSealed())
        {
            return;
        }
        writePendingEntries();
        // Forced here because the channel goes: a later flush of the log must find the index durable already.
        channel.force(false);
        mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, HEADER_LENGTH + (long)count * entryLength);
        dropHeapEntries();
        channel.close();
        channel = null;
        pending = null;
    }

    /**
     * Back to a heap copy and an appendable file (for a segment that becomes active again, after a follower's
     * truncation or on open after a clean shutdown). The mapped file is not touched: the entries go to a new file
     * renamed over it, so readers still holding the old mapping keep reading valid pages.
     */
    final void unseal() throws IOException
    {
        if (!isSealed())
        {
            return;
        }
        final ByteBuffer map = mapped;
        final int n = count;
        final Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        writeNewFile(temp, map, n).close();
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        restoreHeapEntries(map, n);
    }

    /** The number of entries; a volatile read, so read it before the arrays or the mapping. */
    final int entryCount()
    {
        return count;
    }

    /** The read-only mapping of a sealed (or loaded) index; null before the first seal of a created one. */
    final ByteBuffer mapped()
    {
        return mapped;
    }

    final Path file()
    {
        return file;
    }

    final void flush() throws IOException
    {
        if (null != channel)
        {
            writePendingEntries();
            channel.force(false);
        }
    }

    final void close() throws IOException
    {
        if (null != channel)
        {
            try
            {
                writePendingEntries();
            }
            finally
            {
                channel.close();
                channel = null;
                pending = null;
            }
        }
    }

    /**
     * Writes the header and the first {@code n} entries of {@code entries} (a mapping of this index, whose entries
     * are already in the file format) to a new file and returns its open channel.
     */
    private FileChannel writeNewFile(final Path target, final ByteBuffer entries, final int n) throws IOException
    {
        final FileChannel newChannel = FileChannel.open(
            target, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING);
        final ByteBuffer bytes = ByteBuffer.allocate(HEADER_LENGTH + n * entryLength);
        bytes.putInt(magic).putInt(version);
        if (n > 0)
        {
            bytes.put(entries.duplicate().limit(HEADER_LENGTH + n * entryLength).position(HEADER_LENGTH));
        }
        bytes.flip();
        FileIo.writeFully(newChannel, bytes, 0);
        return newChannel;
    }
}
