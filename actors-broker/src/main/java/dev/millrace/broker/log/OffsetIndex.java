package dev.millrace.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The sparse offset index of one segment ({@code NNN.index}): maps a batch's last offset to the position of the
 * batch in the segment's {@code .log} file, one entry per {@code index.interval.bytes} of log. A lookup returns
 * the position of a batch at or before the target, from which a reader scans batch headers forward.
 *
 * <p>File layout, version {@value #VERSION}, big-endian:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  Magic 0x4D524F49 "MROI"                      |  0
 *  +---------------------------------------------------------------+
 *  |                  Format Version (int32) = 1                   |  4
 *  +---------------------------------------------------------------+
 *  |   Relative Offset (int32): batch last offset - segment base   |  8 + 8n
 *  +---------------------------------------------------------------+
 *  |   Position (int32): batch start in the .log file              | 12 + 8n
 *  +---------------------------------------------------------------+
 * </pre>
 * Unlike Kafka's headerless index, the header lets a later format be detected. An index is derived data: a file
 * that is missing, has another magic or version, or fails the sanity checks is rebuilt from the log.
 *
 * <p>Storage, and why not Kafka's preallocated read-write mmap: while the segment is active the entries live in a
 * heap array (binary search without syscalls from any thread) and each new entry is one small positional write to
 * the file (amortised over {@code index.interval.bytes} of log), so nothing is preallocated and nothing needs
 * trimming on roll or close. When the segment is sealed the heap copy is dropped and lookups read a read-only
 * mapping of the exact-size file, so sealed segments cost page cache, not heap. Mappings are never unmapped
 * explicitly (the garbage collector does it once no reader holds one) and a mapped file is never truncated or
 * rewritten in place ({@link #truncateToPosition} on a sealed index writes a new file and renames it over): a reader
 * racing deletion or truncation reads a valid old mapping instead of crashing the JVM with a fault on an unmapped or
 * truncated page.
 *
 * The header check, sealing, unsealing, flushing and closing are {@link IndexFile}'s; this class keeps the entry
 * layout, the heap array and the searches.
 *
 * <p>Threading: one writer ({@link #append}, {@link #seal}, {@link #truncateToPosition}, {@link #flush},
 * {@link #close}); any thread may {@link #lookup}. Readers read the count first, then the heap array, then the
 * mapping if the array is gone; the writer publishes a mapping before dropping the array and an array before
 * raising the count, so a reader never indexes past what it sees. Each heap entry is one {@code long}: never torn.
 */
final class OffsetIndex extends IndexFile
{
    static final int MAGIC = 0x4D524F49;
    static final int VERSION = 1;
    static final int HEADER_LENGTH = IndexFile.HEADER_LENGTH;
    static final int ENTRY_LENGTH = 8;

    private final long baseOffset;
    private volatile long[] entries;

    private OffsetIndex(final Path file, final long baseOffset)
    {
        super(file, MAGIC, VERSION, ENTRY_LENGTH);
        this.baseOffset = baseOffset;
    }

    /** Creates (or replaces) the index file with just its header; the index is active (appendable). */
    static OffsetIndex create(final Path file, final long baseOffset) throws IOException
    {
        final OffsetIndex index = new OffsetIndex(file, baseOffset);
        index.entries = new long[64];
        index.createFile();
        return index;
    }

    /**
     * Maps an existing index of a sealed segment and checks it against a log of {@code logSize} bytes whose offsets
     * lie in [baseOffset, endOffsetExclusive). Returns null when the file is missing or fails a check, so the caller
     * rebuilds it.
     */
    static OffsetIndex load(final Path file, final long baseOffset, final long endOffsetExclusive, final int logSize)
        throws IOException
    {
        final ByteBuffer map = mapIfValid(file, MAGIC, VERSION, ENTRY_LENGTH);
        if (null == map)
        {
            return null;
        }
        final int n = (map.capacity() - HEADER_LENGTH) / ENTRY_LENGTH;
        long previousRelative = -1;
        long previousPosition = -1;
        for (int i = 0; i < n; i++)
        {
            final int relative = map.getInt(HEADER_LENGTH + i * ENTRY_LENGTH);
            final int position = map.getInt(HEADER_LENGTH + i * ENTRY_LENGTH + 4);
            if (relative <= previousRelative || position <= previousPosition || position >= logSize ||
                baseOffset + relative >= endOffsetExclusive)
            {
                return null;
            }
            previousRelative = relative;
            previousPosition = position;
        }
        final OffsetIndex index = new OffsetIndex(file, baseOffset);
        index.initSealed(map, n);
        return index;
    }

    /** Adds an entry for a batch whose last offset is {@code lastOffset} starting at {@code position}. */
    void append(final long lastOffset, final int position) throws IOException
    {
        final int relative = (int)(lastOffset - baseOffset);
        final int n = entryCount();
        long[] array = entries;
        if (n == array.length)
        {
            array = Arrays.copyOf(array, array.length * 2);
            entries = array;
        }
        array[n] = pack(relative, position);

        entryBuffer().putInt(relative).putInt(position);
        commitEntry(n);
    }

    /**
     * The position of the last indexed batch whose last offset is at or below {@code targetOffset}, or 0 when no
     * entry is. The batch containing the target starts at or after the returned position.
     */
    int lookup(final long targetOffset)
    {
        final int n = entryCount();
        final long[] array = entries;
        final ByteBuffer map = null == array ? mapped() : null;
        final long relativeTarget = targetOffset - baseOffset;
        int low = 0;
        int high = n - 1;
        int found = -1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            final int relative = null != array ? relative(array[mid]) : map.getInt(HEADER_LENGTH + mid * ENTRY_LENGTH);
            if (relative <= relativeTarget)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return found < 0 ? 0 : positionAt(array, map, found);
    }

    /**
     * The position of the last indexed batch that starts at or below {@code maxPosition} and whose last offset is at
     * or below {@code maxLastOffset}, or -1 when no entry is. Positions and offsets both grow with the entry number,
     * so one binary search finds it: a read uses it to jump to the end of its byte budget instead of walking every
     * batch header on the way.
     */
    int floorPosition(final int maxPosition, final long maxLastOffset)
    {
        final int n = entryCount();
        final long[] array = entries;
        final ByteBuffer map = null == array ? mapped() : null;
        final long relativeLimit = maxLastOffset - baseOffset;
        int low = 0;
        int high = n - 1;
        int found = -1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            final int relative = null != array ? relative(array[mid]) : map.getInt(HEADER_LENGTH + mid * ENTRY_LENGTH);
            final int position = positionAt(array, map, mid);
            if (relative <= relativeLimit && position <= maxPosition)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return found < 0 ? -1 : positionAt(array, map, found);
    }

    /** Drops the entries of batches that start at or after {@code position}; the index becomes active again. */
    void truncateToPosition(final int position) throws IOException
    {
        unseal();
        final long[] array = entries;
        int n = entryCount();
        while (n > 0 && position(array[n - 1]) >= position)
        {
            n--;
        }
        truncateEntries(n);
    }

    /** The position of the last entry, or 0 when there is none: a safe place to start scanning for the end. */
    int lastPosition()
    {
        final int n = entryCount();
        final long[] array = entries;
        return n == 0 ? 0 : positionAt(array, null == array ? mapped() : null, n - 1);
    }

    @Override
    boolean isSealed()
    {
        return null == entries;
    }

    @Override
    void dropHeapEntries()
    {
        entries = null;
    }

    @Override
    void restoreHeapEntries(final ByteBuffer map, final int n)
    {
        final long[] array = new long[Math.max(64, n)];
        for (int i = 0; i < n; i++)
        {
            array[i] = pack(map.getInt(HEADER_LENGTH + i * ENTRY_LENGTH), map.getInt(HEADER_LENGTH + i * ENTRY_LENGTH + 4));
        }
        entries = array;
    }

    private static int positionAt(final long[] array, final ByteBuffer map, final int i)
    {
        return null != array ? position(array[i]) : map.getInt(HEADER_LENGTH + i * ENTRY_LENGTH + 4);
    }

    private static long pack(final int relative, final int position)
    {
        return ((long)relative << 32) | (position & 0xFFFF_FFFFL);
    }

    private static int relative(final long entry)
    {
        return (int)(entry >>> 32);
    }

    private static int position(final long entry)
    {
        return (int)entry;
    }
}
