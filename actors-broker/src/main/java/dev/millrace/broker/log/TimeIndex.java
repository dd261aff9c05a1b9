package dev.millrace.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The time index of one segment ({@code NNN.timeindex}): sparse entries (T, O) meaning "the largest timestamp of
 * any batch up to and including offset O is T". Timestamps strictly increase from entry to entry (an entry is
 * only added when the segment's maximum timestamp grows), so a binary search finds the last entry with T below
 * a target, and the first record at or after the target cannot be at or before its O.
 *
 * <p>File layout, version {@value #VERSION}, big-endian:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  Magic 0x4D525449 "MRTI"                      |  0
 *  +---------------------------------------------------------------+
 *  |                  Format Version (int32) = 1                   |  4
 *  +---------------------------------------------------------------+
 *  |              Max Timestamp So Far (int64, epoch ms)           |  8 + 12n
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |         Relative Offset (int32): offset - segment base        | 16 + 12n
 *  +---------------------------------------------------------------+
 * </pre>
 * The last entry of a sealed segment always carries the segment's maximum timestamp (added on roll and close),
 * which retention by time reads without scanning. Derived data: rebuilt from the log when missing or invalid.
 * Storage and threading as {@link OffsetIndex} (the shared file lifecycle is {@link IndexFile}'s): heap arrays plus positional writes while active, a read-only mapping
 * once sealed, never unmapped explicitly nor changed in place while mapped. An entry is two array slots, so a
 * lookup racing a follower's truncation may see a torn entry; readers of a follower are bounded by the high
 * watermark, below the truncation point.
 */
final class TimeIndex extends IndexFile
{
    static final int MAGIC = 0x4D525449;
    static final int VERSION = 1;
    static final int HEADER_LENGTH = IndexFile.HEADER_LENGTH;
    static final int ENTRY_LENGTH = 12;

    private final long baseOffset;
    private volatile long[] timestamps;
    private volatile int[] relativeOffsets;

    private TimeIndex(final Path file, final long baseOffset)
    {
        super(file, MAGIC, VERSION, ENTRY_LENGTH);
        this.baseOffset = baseOffset;
    }

    static TimeIndex create(final Path file, final long baseOffset) throws IOException
    {
        final TimeIndex index = new TimeIndex(file, baseOffset);
        index.timestamps = new long[64];
        index.relativeOffsets = new int[64];
        index.createFile();
        return index;
    }

    /** Maps and checks an existing file of a sealed segment; null when it is missing or fails a check. */
    static TimeIndex load(final Path file, final long baseOffset, final long endOffsetExclusive) throws IOException
    {
        final ByteBuffer map = mapIfValid(file, MAGIC, VERSION, ENTRY_LENGTH);
        if (null == map)
        {
            return null;
        }
        final int n = (map.capacity() - HEADER_LENGTH) / ENTRY_LENGTH;
        long previousTimestamp = Long.MIN_VALUE;
        long previousRelative = -1;
        for (int i = 0; i < n; i++)
        {
            final long timestamp = map.getLong(HEADER_LENGTH + i * ENTRY_LENGTH);
            final int relative = map.getInt(HEADER_LENGTH + i * ENTRY_LENGTH + 8);
            if (timestamp <= previousTimestamp || relative < previousRelative || relative < 0 ||
                baseOffset + relative >= endOffsetExclusive)
            {
                return null;
            }
            previousTimestamp = timestamp;
            previousRelative = relative;
        }
        final TimeIndex index = new TimeIndex(file, baseOffset);
        index.initSealed(map, n);
        return index;
    }

    /** Adds (timestamp, offset) if the timestamp is above the last entry's; keeps timestamps strictly increasing. */
    void maybeAppend(final long timestamp, final long offset) throws IOException
    {
        unseal();
        final int n = entryCount();
        if (n > 0 && timestamps[n - 1] >= timestamp)
        {
            return;
        }
        long[] ts = timestamps;
        int[] rel = relativeOffsets;
        if (n == ts.length)
        {
            ts = Arrays.copyOf(ts, ts.length * 2);
            rel = Arrays.copyOf(rel, rel.length * 2);
        }
        final int relative = (int)(offset - baseOffset);
        ts[n] = timestamp;
        rel[n] = relative;
        timestamps = ts;
        relativeOffsets = rel;

        entryBuffer().putLong(timestamp).putInt(relative);
        commitEntry(n);
    }

    /**
     * The offset from which to search for the first record with a timestamp at or above {@code timestamp}: one past
     * the offset of the last entry whose timestamp is below it, or the segment base offset when there is none.
     */
    long searchStartOffset(final long timestamp)
    {
        final int n = entryCount();
        final long[] ts = timestamps;
        final int[] rel = relativeOffsets;
        final boolean heap = null != ts && null != rel;
        final ByteBuffer map = heap ? null : mapped();
        int low = 0;
        int high = n - 1;
        int found = -1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            final long entryTimestamp = heap ? ts[mid] : map.getLong(HEADER_LENGTH + mid * ENTRY_LENGTH);
            if (entryTimestamp < timestamp)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        if (found < 0)
        {
            return baseOffset;
        }
        return baseOffset + (heap ? rel[found] : map.getInt(HEADER_LENGTH + found * ENTRY_LENGTH + 8)) + 1;
    }

    /** Drops entries at or after {@code offset}; the index becomes active again. */
    void truncateToOffset(final long offset) throws IOException
    {
        unseal();
        final int[] rel = relativeOffsets;
        int n = entryCount();
        while (n > 0 && baseOffset + rel[n - 1] >= offset)
        {
            n--;
        }
        truncateEntries(n);
    }

    /** The last entry's timestamp, or {@code Long.MIN_VALUE} when empty. Writer thread. */
    long lastTimestamp()
    {
        final int n = entryCount();
        if (n == 0)
        {
            return Long.MIN_VALUE;
        }
        final long[] ts = timestamps;
        return null != ts ? ts[n - 1] : mapped().getLong(HEADER_LENGTH + (n - 1) * ENTRY_LENGTH);
    }

    /** The last entry's offset, or -1 when empty. Writer thread. */
    long lastOffset()
    {
        final int n = entryCount();
        if (n == 0)
        {
            return -1;
        }
        final int[] rel = relativeOffsets;
        return baseOffset + (null != rel ? rel[n - 1] : mapped().getInt(HEADER_LENGTH + (n - 1) * ENTRY_LENGTH + 8));
    }

    @Override
    boolean isSealed()
    {
        return null == timestamps;
    }

    @Override
    void dropHeapEntries()
    {
        timestamps = null;
        relativeOffsets = null;
    }

    @Override
    void restoreHeapEntries(final ByteBuffer map, final int n)
    {
        final long[] ts = new long[Math.max(64, n)];
        final int[] rel = new int[Math.max(64, n)];
        for (int i = 0; i < n; i++)
        {
            ts[i] = map.getLong(HEADER_LENGTH + i * ENTRY_LENGTH);
            rel[i] = map.getInt(HEADER_LENGTH + i * ENTRY_LENGTH + 8);
        }
        // Timestamps last: it is the field that marks the index unsealed.
        relativeOffsets = rel;
        timestamps = ts;
    }
}
