package dev.millrace.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The leader epochs of a partition log and the offset at which each began: (epoch, start offset) pairs with both
 * strictly increasing. A follower that becomes one after a failover asks the new leader for
 * {@link #endOffsetFor(int, long)} of its latest epoch and truncates to the answer, so logs never diverge.
 * Persisted in {@value #FILE_NAME}, rewritten atomically (temporary file, fsync, rename, directory fsync) on every
 * change; changes are rare (one per leader election).
 *
 * <p>File layout, version {@value #VERSION}, big-endian:
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +---------------------------------------------------------------+
 *  |                  Magic 0x4D524C45 "MRLE"                      |  0
 *  +---------------------------------------------------------------+
 *  |                  Format Version (int32) = 1                   |  4
 *  +---------------------------------------------------------------+
 *  |                  Entry Count n (int32)                        |  8
 *  +---------------------------------------------------------------+
 *  |                  Epoch (int32)                                | 12 + 12i
 *  +---------------------------------------------------------------+
 *  |                  Start Offset (int64)                         | 16 + 12i
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |          CRC32C (uint32) of all preceding bytes               | 12 + 12n
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * <p>Threading: not thread-safe; owned by the log's writer thread (the partition actor).
 */
public final class LeaderEpochCache
{
    static final String FILE_NAME = "leader-epoch.checkpoint";
    static final int MAGIC = 0x4D524C45;
    static final int VERSION = 1;
    /** Returned by {@link #endOffsetFor} and {@link #floorEpoch} when the log knows nothing about the epoch. */
    public static final long UNDEFINED_OFFSET = -1;
    public static final int UNDEFINED_EPOCH = -1;

    private final Path file;
    private final CRC32C crc = new CRC32C();
    private int[] epochs = new int[8];
    private long[] startOffsets = new long[8];
    private int count;

    private LeaderEpochCache(final Path file)
    {
        this.file = file;
    }

    /**
     * Loads the cache from {@code directory}, empty when there is no file.
     *
     * @throws LogException {@link LogException.Category#CORRUPT} when the file is damaged or of an unknown version.
     */
    static LeaderEpochCache load(final Path directory) throws IOException
    {
        final LeaderEpochCache cache = new LeaderEpochCache(directory.resolve(FILE_NAME));
        final byte[] bytes = FileIo.readSmallFile(cache.file);
        if (null == bytes)
        {
            return cache;
        }
        final ByteBuffer in = ByteBuffer.wrap(bytes);
        if (bytes.length < 16 || in.getInt(0) != MAGIC || in.getInt(4) != VERSION)
        {
            throw corrupt(cache.file, "bad header or unknown version");
        }
        final int n = in.getInt(8);
        if (n < 0 || bytes.length != 16 + 12L * n)
        {
            throw corrupt(cache.file, "entry count " + n + " does not match file length " + bytes.length);
        }
        cache.crc.update(bytes, 0, bytes.length - 4);
        if (in.getInt(bytes.length - 4) != (int)cache.crc.getValue())
        {
            throw corrupt(cache.file, "CRC mismatch");
        }
        in.position(12);
        for (int i = 0; i < n; i++)
        {
            final int epoch = in.getInt();
            final long startOffset = in.getLong();
            if (cache.count > 0 &&
                (epoch <= cache.epochs[cache.count - 1] || startOffset < cache.startOffsets[cache.count - 1]))
            {
                throw corrupt(cache.file, "entries are not increasing at entry " + i);
            }
            cache.add(epoch, startOffset);
        }
        return cache;
    }

    private static LogException corrupt(final Path file, final String detail)
    {
        return new LogException(
            LogException.Category.CORRUPT,
            "leader epoch checkpoint " + file + " is unreadable (" + detail + "); restore it from a replica, or delete it " +
            "to let the replica re-learn epochs from its leader (it then truncates conservatively on the next fetch)");
    }

    /**
     * Records that {@code epoch} starts at {@code startOffset}. A no-op for the latest epoch or a negative one;
     * entries that conflict (same or later epoch, same or later start offset) are replaced.
     */
    public void assign(final int epoch, final long startOffset)
    {
        if (epoch < 0 || (count > 0 && epochs[count - 1] == epoch))
        {
            return;
        }
        while (count > 0 && (epochs[count - 1] >= epoch || startOffsets[count - 1] >= startOffset))
        {
            count--;
        }
        add(epoch, startOffset);
        persist();
    }

    /** Removes entries that start at or after {@code endOffset}: the log was truncated there. */
    public void truncateFromEnd(final long endOffset)
    {
        final int before = count;
        while (count > 0 && startOffsets[count - 1] >= endOffset)
        {
            count--;
        }
        if (count != before)
        {
            persist();
        }
    }

    /** Drops epochs wholly below {@code startOffset} and moves the first kept one's start up to it: the log start moved. */
    public void truncateFromStart(final long startOffset)
    {
        int drop = 0;
        while (drop + 1 < count && startOffsets[drop + 1] <= startOffset)
        {
            drop++;
        }
        boolean changed = drop > 0;
        if (drop > 0)
        {
            System.arraycopy(epochs, drop, epochs, 0, count - drop);
            System.arraycopy(startOffsets, drop, startOffsets, 0, count - drop);
            count -= drop;
        }
        if (count > 0 && startOffsets[0] < startOffset)
        {
            startOffsets[0] = startOffset;
            changed = true;
        }
        if (changed)
        {
            persist();
        }
    }

    /**
     * The end offset (exclusive) of {@code epoch} in this log: the start offset of the first later epoch, or
     * {@code logEndOffset} when no later epoch exists. For an epoch this log never had, the answer is for the
     * largest epoch below it ({@link #floorEpoch}); {@link #UNDEFINED_OFFSET} when the epoch is below the first.
     */
    public long endOffsetFor(final int epoch, final long logEndOffset)
    {
        if (count == 0 || epoch < epochs[0])
        {
            return UNDEFINED_OFFSET;
        }
        for (int i = 0; i < count; i++)
        {
            if (epochs[i] > epoch)
            {
                return startOffsets[i];
            }
        }
        return logEndOffset;
    }

    /** The largest epoch at or below {@code epoch} that this log has, or {@link #UNDEFINED_EPOCH}. */
    public int floorEpoch(final int epoch)
    {
        int found = UNDEFINED_EPOCH;
        for (int i = 0; i < count && epochs[i] <= epoch; i++)
        {
            found = epochs[i];
        }
        return found;
    }

    /** The latest epoch, or {@link #UNDEFINED_EPOCH} when none was assigned. */
    public int latestEpoch()
    {
        return count == 0 ? UNDEFINED_EPOCH : epochs[count - 1];
    }

    /** The start offset of {@code epoch}, or {@link #UNDEFINED_OFFSET} when this log has no such epoch. */
    public long startOffsetOf(final int epoch)
    {
        for (int i = 0; i < count; i++)
        {
            if (epochs[i] == epoch)
            {
                return startOffsets[i];
            }
        }
        return UNDEFINED_OFFSET;
    }

    public int size()
    {
        return count;
    }

    public int epochAt(final int index)
    {
        return epochs[index];
    }

    public long startOffsetAt(final int index)
    {
        return startOffsets[index];
    }

    Path file()
    {
        return file;
    }

    private void add(final int epoch, final long startOffset)
    {
        if (count == epochs.length)
        {
            epochs = Arrays.copyOf(epochs, count * 2);
            startOffsets = Arrays.copyOf(startOffsets, count * 2);
        }
        epochs[count] = epoch;
        startOffsets[count] = startOffset;
        count++;
    }

    private void persist()
    {
        final ByteBuffer out = ByteBuffer.allocate(16 + 12 * count);
        out.putInt(MAGIC).putInt(VERSION).putInt(count);
        for (int i = 0; i < count; i++)
        {
            out.putInt(epochs[i]).putLong(startOffsets[i]);
        }
        crc.reset();
        crc.update(out.array(), 0, out.position());
        out.putInt((int)crc.getValue()).flip();
        try
        {
            FileIo.atomicWrite(file, out);
        }
        catch (final IOException ex)
        {
            throw new LogException(
                LogException.Category.IO, "could not write leader epoch checkpoint " + file + ": " + ex +
                "; check the disk (space, permissions) and restart the replica", ex);
        }
    }
}
