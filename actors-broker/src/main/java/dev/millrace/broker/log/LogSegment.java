package dev.millrace.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import dev.millrace.serialization.batch.InvalidBatchException;
import dev.millrace.serialization.batch.RecordBatchDescriptor;
import dev.millrace.serialization.batch.RecordBatchFlyweight;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One segment of a partition log: the {@code NNN.log} file of batches exactly as stored (Kafka v2 record batches,
 * layout in {@link RecordBatchDescriptor}, written back to back with no framing of our own), its
 * {@link OffsetIndex} and its {@link TimeIndex}. {@code NNN} is the base offset, the offset of the segment's first
 * batch, zero-padded to 20 digits so that names sort as offsets do.
 *
 * <p>{@code .log} file layout: batches back to back from position 0, no file header (so a segment stays
 * byte-for-byte a Kafka segment); the format version is each batch's magic byte, checked on every append and on
 * recovery, so a future batch format is detected batch by batch:
 * <pre>
 *  position 0                     position s0                    position s0 + s1
 *  +------------------------------+------------------------------+-----
 *  | batch (v2, magic 2), s0 bytes | batch (v2, magic 2), s1 bytes | ...
 *  +------------------------------+------------------------------+-----
 *  each batch: base offset int64 | length int32 (= size - 12) | leader epoch int32 | magic int8 = 2 |
 *              crc32c uint32 | attributes int16 | ... records   (see RecordBatchDescriptor)
 * </pre>
 * Invariants recovery checks: the first batch's base offset is the segment's base offset, each next batch starts
 * at the previous one's last offset + 1, leader epochs never decrease.
 *
 * <p>Threading: one writer (the owning {@link Log}'s writer thread) appends, indexes, truncates and closes.
 * Readers on any thread read {@link #size()} (volatile, published after the bytes and index entries are written)
 * and never look past it.
 */
final class LogSegment
{
    static final String LOG_SUFFIX = ".log";
    static final String INDEX_SUFFIX = ".index";
    static final String TIME_INDEX_SUFFIX = ".timeindex";

    private final long baseOffset;
    private final Path logFile;
    private final Path indexFile;
    private final Path timeIndexFile;
    private final FileChannel channel;
    private final long createdMs;
    private OffsetIndex offsetIndex;
    private TimeIndex timeIndex;

    private volatile int size;
    private volatile long nextOffset;
    private volatile long maxTimestamp = RecordBatchDescriptor.NO_TIMESTAMP;
    private long offsetOfMaxTimestamp = -1;
    private long firstBatchMaxTimestamp = RecordBatchDescriptor.NO_TIMESTAMP;
    private int bytesSinceLastIndexEntry;

    private LogSegment(final Path directory, final long baseOffset, final FileChannel channel, final long createdMs)
    {
        this.baseOffset = baseOffset;
        final String name = fileStem(baseOffset);
        this.logFile = directory.resolve(name + LOG_SUFFIX);
        this.indexFile = directory.resolve(name + INDEX_SUFFIX);
        this.timeIndexFile = directory.resolve(name + TIME_INDEX_SUFFIX);
        this.channel = channel;
        this.createdMs = createdMs;
        this.nextOffset = baseOffset;
    }

    static String fileStem(final long baseOffset)
    {
        return String.format("%020d", baseOffset);
    }

    /** Creates an empty segment, replacing any files of the same name. */
    static LogSegment create(final Path directory, final long baseOffset, final long nowMs) throws IOException
    {
        final FileChannel channel = FileChannel.open(
            directory.resolve(fileStem(baseOffset) + LOG_SUFFIX),
            StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        channel.truncate(0);
        final LogSegment segment = new LogSegment(directory, baseOffset, channel, nowMs);
        segment.offsetIndex = OffsetIndex.create(segment.indexFile, baseOffset);
        segment.timeIndex = TimeIndex.create(segment.timeIndexFile, baseOffset);
        return segment;
    }

    /**
     * Opens an existing segment whose offsets are known to end before {@code endOffsetExclusive} (the next
     * segment's base) and whose bytes are trusted (below the recovery point), with its indexes. Returns null,
     * having changed nothing, when an index is missing or fails its checks: the caller then recovers the segment,
     * which rebuilds the indexes.
     */
    static LogSegment openTrusted(
        final Path directory, final long baseOffset, final long endOffsetExclusive, final long nowMs) throws IOException
    {
        final LogSegment segment = openFiles(directory, baseOffset, nowMs);
        final long fileSize = segment.channel.size();
        if (fileSize > Integer.MAX_VALUE || fileSize == 0)
        {
            segment.close();
            return null;
        }
        segment.offsetIndex = OffsetIndex.load(segment.indexFile, baseOffset, endOffsetExclusive, (int)fileSize);
        segment.timeIndex = TimeIndex.load(segment.timeIndexFile, baseOffset, endOffsetExclusive);
        // A sealed segment always has its final maximum timestamp in the time index.
        if (null == segment.offsetIndex || null == segment.timeIndex || segment.timeIndex.entryCount() == 0)
        {
            segment.close();
            return null;
        }
        segment.size = (int)fileSize;
        segment.nextOffset = endOffsetExclusive;
        segment.maxTimestamp = segment.timeIndex.lastTimestamp();
        segment.offsetOfMaxTimestamp = segment.timeIndex.lastOffset();
        return segment;
    }

    /**
     * Opens the last segment of a log that was closed cleanly, whose end offset {@code endOffset} was recorded at
     * close, without re-validating its batches: loads the indexes and frames the batches after the last index entry
     * to check that they end exactly at the file's end and at {@code endOffset}. Returns null, having changed
     * nothing, if anything disagrees; the caller then recovers the segment.
     */
    static LogSegment openTrustedActive(
        final Path directory, final long baseOffset, final long endOffset, final long nowMs, final BatchHeaderReader reader)
        throws IOException
    {
        final LogSegment segment = openTrusted(directory, baseOffset, endOffset, nowMs);
        if (null == segment)
        {
            return null;
        }
        final int fileSize = segment.size;
        reader.reset();
        int position = segment.offsetIndex.lastPosition();
        long next = -1;
        while (reader.read(segment.channel, position, fileSize))
        {
            final RecordBatchFlyweight header = reader.header();
            if (header.maxTimestamp() > segment.maxTimestamp)
            {
                segment.maxTimestamp = header.maxTimestamp();
                segment.offsetOfMaxTimestamp = header.lastOffset();
            }
            next = header.nextOffset();
            position += reader.size();
        }
        if (position != fileSize || next != endOffset || !reader.read(segment.channel, 0, fileSize))
        {
            segment.close();
            return null;
        }
        segment.firstBatchMaxTimestamp = reader.header().maxTimestamp();
        segment.bytesSinceLastIndexEntry = fileSize - segment.offsetIndex.lastPosition();
        segment.activate();
        return segment;
    }

    /** Opens a segment's log file for {@link #rebuild recovery}; the indexes are recreated by the scan. */
    static LogSegment openForRecovery(final Path directory, final long baseOffset, final long nowMs) throws IOException
    {
        return openFiles(directory, baseOffset, nowMs);
    }

    private static LogSegment openFiles(final Path directory, final long baseOffset, final long nowMs) throws IOException
    {
        final FileChannel channel = FileChannel.open(
            directory.resolve(fileStem(baseOffset) + LOG_SUFFIX), StandardOpenOption.READ, StandardOpenOption.WRITE);
        return new LogSegment(directory, baseOffset, channel, nowMs);
    }

    /**
     * Scans the log file from the start, validating each batch (framing, magic, CRC, attributes), checking that
     * offsets are contiguous from the base offset and that leader epochs never decrease and stay within
     * [{@code minEpoch}, {@code maxEpoch}], and rebuilds both indexes. The
     * file is truncated at the first batch that fails. Returns the valid size, which equals the old file size
     * when nothing was wrong.
     */
    int rebuild(final RecoveryScanner scanner, final int indexIntervalBytes, final int minEpoch, final int maxEpoch)
        throws IOException
    {
        offsetIndex = OffsetIndex.create(indexFile, baseOffset);
        timeIndex = TimeIndex.create(timeIndexFile, baseOffset);
        maxTimestamp = RecordBatchDescriptor.NO_TIMESTAMP;
        offsetOfMaxTimestamp = -1;
        firstBatchMaxTimestamp = RecordBatchDescriptor.NO_TIMESTAMP;
        bytesSinceLastIndexEntry = 0;

        final long fileSize = Math.min(channel.size(), Integer.MAX_VALUE);
        final RecordBatchFlyweight batch = scanner.batch;
        long expectedOffset = baseOffset;
        int lastEpoch = minEpoch;
        int position = 0;
        scanner.reset();
        while (position < fileSize)
        {
            final int available = (int)(fileSize - position);
            if (available < RecordBatchDescriptor.LOG_OVERHEAD || !scanner.ensure(channel, position, RecordBatchDescriptor.LOG_OVERHEAD))
            {
                break;
            }
            batch.wrap(scanner.buffer, scanner.indexOf(position));
            final int length = batch.batchLength();
            if (length < RecordBatchDescriptor.MIN_BATCH_LENGTH || length > available - RecordBatchDescriptor.LOG_OVERHEAD)
            {
                break;
            }
            final int batchSize = length + RecordBatchDescriptor.LOG_OVERHEAD;
            if (!scanner.ensure(channel, position, batchSize))
            {
                break;
            }
            batch.wrap(scanner.buffer, scanner.indexOf(position));
            try
            {
                batch.validate(batchSize, Integer.MAX_VALUE, position);
            }
            catch (final InvalidBatchException ex)
            {
                break;
            }
            // The CRC does not cover the base offset, the length or the epoch: check them against the log's own rules.
            final int epoch = batch.partitionLeaderEpoch();
            final int lastOffsetDelta = batch.lastOffsetDelta();
            if (batch.baseOffset() != expectedOffset || lastOffsetDelta < 0 ||
                expectedOffset + lastOffsetDelta - baseOffset > Integer.MAX_VALUE ||
                epoch < lastEpoch || epoch > maxEpoch)
            {
                break;
            }
            lastEpoch = epoch;
            final long lastOffset = expectedOffset + lastOffsetDelta;
            indexBatch(lastOffset, batch.maxTimestamp(), position, batchSize, indexIntervalBytes);
            expectedOffset = lastOffset + 1;
            position += batchSize;
        }

        offsetIndex.writePendingEntries();
        timeIndex.writePendingEntries();
        if (position < channel.size())
        {
            channel.truncate(position);
        }
        scanner.lastEpoch = lastEpoch;
        size = position;
        nextOffset = expectedOffset;
        return position;
    }

    /** Writes {@code bytes} at the end of the segment; not visible to readers until {@link #publish}. */
    void write(final ByteBuffer bytes, final int position) throws IOException
    {
        FileIo.writeFully(channel, bytes, position);
    }

    /** Accounts for a batch just written at {@code position}: index entries and the maximum timestamp. */
    void indexBatch(
        final long lastOffset, final long batchMaxTimestamp, final int position, final int batchSize, final int indexIntervalBytes)
        throws IOException
    {
        if (firstBatchMaxTimestamp == RecordBatchDescriptor.NO_TIMESTAMP)
        {
            firstBatchMaxTimestamp = batchMaxTimestamp;
        }
        if (batchMaxTimestamp > maxTimestamp || offsetOfMaxTimestamp < 0)
        {
            maxTimestamp = Math.max(maxTimestamp, batchMaxTimestamp);
            offsetOfMaxTimestamp = lastOffset;
        }
        if (bytesSinceLastIndexEntry > indexIntervalBytes)
        {
            offsetIndex.append(lastOffset, position);
            timeIndex.maybeAppend(maxTimestamp, offsetOfMaxTimestamp);
            bytesSinceLastIndexEntry = 0;
        }
        bytesSinceLastIndexEntry += batchSize;
    }

    /**
     * Writes the index entries of the batches indexed since the last call ({@link #indexBatch}) to the index files,
     * one write per index: the log calls it once at the end of each append.
     */
    void writePendingIndexEntries() throws IOException
    {
        offsetIndex.writePendingEntries();
        timeIndex.writePendingEntries();
    }

    /** Makes appended bytes visible to readers. */
    void publish(final int newSize, final long newNextOffset)
    {
        nextOffset = newNextOffset;
        size = newSize;
    }

    /**
     * Called when the segment stops being the active one: records its final maximum timestamp in the time index and
     * moves both indexes from heap copies to read-only mappings.
     */
    void seal() throws IOException
    {
        finishTimeIndex();
        offsetIndex.seal();
        timeIndex.seal();
    }

    /** Records the final maximum timestamp in the time index, so a trusted open can take it from there. */
    void finishTimeIndex() throws IOException
    {
        if (offsetOfMaxTimestamp >= 0)
        {
            timeIndex.maybeAppend(maxTimestamp, offsetOfMaxTimestamp);
        }
    }

    /** Makes a sealed segment appendable again (it became the last one). No-op when already active. */
    void activate() throws IOException
    {
        offsetIndex.unseal();
        timeIndex.unseal();
    }

    /**
     * Cuts the segment at {@code position} (a batch boundary), dropping index entries beyond it, and recomputes the
     * maximum timestamp from what is left.
     */
    void truncateTo(final int position, final long newNextOffset, final BatchHeaderReader reader, final int indexIntervalBytes)
        throws IOException
    {
        size = Math.min(size, position);
        nextOffset = newNextOffset;
        channel.truncate(position);
        offsetIndex.truncateToPosition(position);
        timeIndex.truncateToOffset(newNextOffset);

        // Rescan headers from the last index entry to restore the maximum timestamp and the index interval count.
        maxTimestamp = timeIndex.entryCount() == 0 ? RecordBatchDescriptor.NO_TIMESTAMP : timeIndex.lastTimestamp();
        offsetOfMaxTimestamp = timeIndex.lastOffset();
        reader.reset();
        firstBatchMaxTimestamp = position > 0 && reader.read(channel, 0, position) ?
            reader.header().maxTimestamp() : RecordBatchDescriptor.NO_TIMESTAMP;
        bytesSinceLastIndexEntry = 0;
        int at = offsetIndex.lastPosition();
        while (reader.read(channel, at, position))
        {
            final long batchMax = reader.header().maxTimestamp();
            if (batchMax > maxTimestamp)
            {
                maxTimestamp = batchMax;
                offsetOfMaxTimestamp = reader.header().lastOffset();
            }
            bytesSinceLastIndexEntry += reader.size();
            at += reader.size();
        }
        size = position;
        if (bytesSinceLastIndexEntry > indexIntervalBytes)
        {
            bytesSinceLastIndexEntry = indexIntervalBytes;
        }
    }

    /**
     * The position of the first batch below {@code limit} whose last offset is at or above {@code targetOffset}, or
     * -1 when there is none; the header is left in {@code reader}.
     */
    int findBatch(final long targetOffset, final int limit, final BatchHeaderReader reader) throws IOException
    {
        reader.reset();
        int position = offsetIndex.lookup(targetOffset);
        // Small windows: the scan hops over at most an index interval of batches whose bodies it does not need.
        while (reader.read(channel, position, limit, BatchHeaderReader.SCAN_WINDOW_LENGTH))
        {
            if (reader.header().lastOffset() >= targetOffset)
            {
                return position;
            }
            position += reader.size();
        }
        return -1;
    }

    /**
     * Where a read region that already holds whole batches up to {@code position} (the last ending at
     * {@code lastOffset}) should end: after the last following batch that ends at or below {@code budgetEnd} and
     * below {@code limitOffset}. The offset index jumps close to the budget's end in one lookup; headers are then read
     * forward from there through small windows, so the cost does not grow with the number of batches in the region.
     * The region's last offset is left in {@code reader} ({@link BatchHeaderReader#regionLastOffset()}).
     */
    int endOfRegion(
        final int position, final long lastOffset, final long budgetEnd, final int limit,
        final long limitOffset, final BatchHeaderReader reader) throws IOException
    {
        int at = position;
        long last = lastOffset;
        if (at < budgetEnd && at < limit)
        {
            // An indexed batch below the budget and the limits: everything before it fits, whole and readable. The
            // limit is a batch boundary, so a batch starting below it is wholly published.
            final int jump = offsetIndex.floorPosition((int)Math.min(budgetEnd, limit - 1L), limitOffset - 1);
            if (jump > at && reader.read(channel, jump, limit, scanWindow(jump, budgetEnd)))
            {
                // Offsets in a segment are contiguous: the batch before this one ends just below its base offset.
                at = jump;
                last = reader.header().baseOffset() - 1;
            }
        }
        while (at < budgetEnd && reader.read(channel, at, limit, scanWindow(at, budgetEnd)))
        {
            final long batchLast = reader.header().lastOffset();
            if (batchLast >= limitOffset || at + reader.size() > budgetEnd)
            {
                break;
            }
            last = batchLast;
            at += reader.size();
        }
        reader.regionLastOffset(last);
        return at;
    }

    private static int scanWindow(final int position, final long budgetEnd)
    {
        // No header beyond the budget is needed, and bodies never are.
        return (int)Math.min(BatchHeaderReader.SCAN_WINDOW_LENGTH, budgetEnd - position + RecordBatchDescriptor.HEADER_LENGTH);
    }

    /**
     * How old the segment is for rolling by {@code segment.ms}, as Kafka measures it: the incoming batches' max
     * timestamp minus the first batch's, so that replaying old data does not roll on every append; the clock since
     * creation when the segment holds no timestamped batch.
     */
    long rollAgeMs(final long nowMs, final long incomingMaxTimestamp)
    {
        if (firstBatchMaxTimestamp >= 0 && incomingMaxTimestamp >= 0)
        {
            return incomingMaxTimestamp - firstBatchMaxTimestamp;
        }
        return nowMs - createdMs;
    }

    void flush() throws IOException
    {
        // fdatasync: persists the data and the file size, the only metadata a reader of the log needs.
        channel.force(false);
        offsetIndex.flush();
        timeIndex.flush();
    }

    void close() throws IOException
    {
        try
        {
            channel.close();
        }
        finally
        {
            if (null != offsetIndex)
            {
                offsetIndex.close();
            }
            if (null != timeIndex)
            {
                timeIndex.close();
            }
        }
    }

    /** Closes the channels and removes the files; readers holding a region of it get a closed-channel error. */
    void delete() throws IOException
    {
        close();
        Files.deleteIfExists(logFile);
        Files.deleteIfExists(indexFile);
        Files.deleteIfExists(timeIndexFile);
    }

    long baseOffset()
    {
        return baseOffset;
    }

    /** Readable bytes; volatile, published after the bytes. */
    int size()
    {
        return size;
    }

    /** One past the last offset in the segment. */
    long nextOffset()
    {
        return nextOffset;
    }

    /** Largest batch max timestamp in the segment, or {@link RecordBatchDescriptor#NO_TIMESTAMP} when empty. */
    long maxTimestamp()
    {
        return maxTimestamp;
    }

    FileChannel channel()
    {
        return channel;
    }

    TimeIndex timeIndex()
    {
        return timeIndex;
    }

    OffsetIndex offsetIndex()
    {
        return offsetIndex;
    }

    Path logFile()
    {
        return logFile;
    }

    /**
     * Scratch state for scanning whole segment files: a direct chunk buffer (grown when a batch is larger) and a
     * flyweight over it. One per thread (see {@link Log}); used during open and never on the append path.
     */
    static final class RecoveryScanner
    {
        private static final int DEFAULT_CHUNK = 256 * 1024;

        final RecordBatchFlyweight batch = new RecordBatchFlyweight();
        final UnsafeBuffer buffer = new UnsafeBuffer(0, 0);
        private ByteBuffer chunk = ByteBuffer.allocateDirect(DEFAULT_CHUNK);
        private long chunkStart;
        private int chunkLength;
        int lastEpoch;

        RecoveryScanner()
        {
            buffer.wrap(chunk);
        }

        void reset()
        {
            chunkStart = 0;
            chunkLength = 0;
        }

        /** Makes sure bytes [position, position + length) of the file are in the chunk. False if the file is shorter. */
        boolean ensure(final FileChannel channel, final long position, final int length) throws IOException
        {
            if (position >= chunkStart && position + length <= chunkStart + chunkLength)
            {
                return true;
            }
            if (length > chunk.capacity())
            {
                // Grows to the largest batch seen; kept per thread for the next segment.
                chunk = ByteBuffer.allocateDirect(length);
                buffer.wrap(chunk);
            }
            chunk.clear();
            chunkStart = position;
            chunkLength = FileIo.readFully(channel, chunk, position);
            return chunkLength >= length;
        }

        int indexOf(final long position)
        {
            return (int)(position - chunkStart);
        }
    }
}
