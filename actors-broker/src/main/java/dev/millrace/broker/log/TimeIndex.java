package dev.millrace.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
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
 * Kept on the heap with a plain {@link FileChannel} for the same reasons as {@link OffsetIndex}.
 *
 * <p>Threading: as {@link OffsetIndex}. Entries are two arrays, so a lookup racing a truncation may see a torn
 * entry; truncation only happens on followers, whose readers are bounded by the high watermark.
 */
final class TimeIndex
{
    static final int MAGIC = 0x4D525449;
    static final int VERSION = 1;
    static final int HEADER_LENGTH = 8;
    static final int ENTRY_LENGTH = 12;

    private final Path file;
    private final long baseOffset;
    private final ByteBuffer writeBuffer = ByteBuffer.allocateDirect(ENTRY_LENGTH);
    private final FileChannel channel;
    private volatile long[] timestamps;
    private volatile int[] relativeOffsets;
    private volatile int count;

    private TimeIndex(
        final Path file,
        final long baseOffset,
        final FileChannel channel,
        final long[] timestamps,
        final int[] relativeOffsets,
        final int count)
    {
        this.file = file;
        this.baseOffset = baseOffset;
        this.channel = channel;
        this.timestamps = timestamps;
        this.relativeOffsets = relativeOffsets;
        this.count = count;
    }

    static TimeIndex create(final Path file, final long baseOffset) throws IOException
    {
        final FileChannel channel = FileChannel.open(
            file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        channel.truncate(0);
        final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH);
        header.putInt(MAGIC).putInt(VERSION).flip();
        FileIo.writeFully(channel, header, 0);
        return new TimeIndex(file, baseOffset, channel, new long[64], new int[64], 0);
    }

    /** Loads and checks an existing file; null when it is missing or fails a check, so the caller rebuilds it. */
    static TimeIndex load(final Path file, final long baseOffset, final long endOffsetExclusive) throws IOException
    {
        if (!Files.exists(file))
        {
            return null;
        }
        final FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        final long fileSize = channel.size();
        if (fileSize < HEADER_LENGTH || (fileSize - HEADER_LENGTH) % ENTRY_LENGTH != 0 || fileSize > Integer.MAX_VALUE)
        {
            channel.close();
            return null;
        }
        final ByteBuffer bytes = ByteBuffer.allocate((int)fileSize);
        FileIo.readFully(channel, bytes, 0);
        bytes.flip();
        if (bytes.getInt() != MAGIC || bytes.getInt() != VERSION)
        {
            channel.close();
            return null;
        }
        final int n = (int)((fileSize - HEADER_LENGTH) / ENTRY_LENGTH);
        final int capacity = Math.max(64, n);
        final long[] timestamps = new long[capacity];
        final int[] relativeOffsets = new int[capacity];
        long previousTimestamp = Long.MIN_VALUE;
        long previousRelative = -1;
        for (int i = 0; i < n; i++)
        {
            final long timestamp = bytes.getLong();
            final int relative = bytes.getInt();
            if (timestamp <= previousTimestamp || relative < previousRelative || relative < 0 ||
                baseOffset + relative >= endOffsetExclusive)
            {
                channel.close();
                return null;
            }
            previousTimestamp = timestamp;
            previousRelative = relative;
            timestamps[i] = timestamp;
            relativeOffsets[i] = relative;
        }
        return new TimeIndex(file, baseOffset, channel, timestamps, relativeOffsets, n);
    }

    /** Adds (timestamp, offset) if the timestamp is above the last entry's; keeps timestamps strictly increasing. */
    void maybeAppend(final long timestamp, final long offset) throws IOException
    {
        final int n = count;
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

        writeBuffer.clear();
        writeBuffer.putLong(timestamp).putInt(relative).flip();
        FileIo.writeFully(channel, writeBuffer, HEADER_LENGTH + (long)n * ENTRY_LENGTH);
        count = n + 1;
    }

    /**
     * The offset from which to search for the first record with a timestamp at or above {@code timestamp}: one past
     * the offset of the last entry whose timestamp is below it, or the segment base offset when there is none.
     */
    long searchStartOffset(final long timestamp)
    {
        final int n = count;
        final long[] ts = timestamps;
        final int[] rel = relativeOffsets;
        int low = 0;
        int high = n - 1;
        int found = -1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            if (ts[mid] < timestamp)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return found < 0 ? baseOffset : baseOffset + rel[found] + 1;
    }

    /** Drops entries at or after {@code offset}. */
    void truncateToOffset(final long offset) throws IOException
    {
        final int[] rel = relativeOffsets;
        int n = count;
        while (n > 0 && baseOffset + rel[n - 1] >= offset)
        {
            n--;
        }
        count = n;
        channel.truncate(HEADER_LENGTH + (long)n * ENTRY_LENGTH);
    }

    int entryCount()
    {
        return count;
    }

    /** The last entry's timestamp, or {@code Long.MIN_VALUE} when empty. */
    long lastTimestamp()
    {
        final int n = count;
        return n == 0 ? Long.MIN_VALUE : timestamps[n - 1];
    }

    /** The last entry's offset, or -1 when empty. */
    long lastOffset()
    {
        final int n = count;
        return n == 0 ? -1 : baseOffset + relativeOffsets[n - 1];
    }

    Path file()
    {
        return file;
    }

    void flush() throws IOException
    {
        channel.force(false);
    }

    void close() throws IOException
    {
        channel.close();
    }
}
