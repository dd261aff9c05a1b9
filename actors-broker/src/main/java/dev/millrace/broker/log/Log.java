package dev.millrace.broker.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.LongSupplier;

import dev.millrace.serialization.batch.InvalidBatchException;
import dev.millrace.serialization.batch.RecordBatchDescriptor;
import dev.millrace.serialization.batch.RecordBatchFlyweight;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The durable log of one partition replica: a directory of segments ({@link LogSegment}: {@code NNN.log},
 * {@code NNN.index}, {@code NNN.timeindex}, where {@code NNN} is the segment's base offset in 20 digits) plus small
 * checkpoint files ({@value OffsetCheckpoint#LOG_START_OFFSET_FILE}, {@value OffsetCheckpoint#RECOVERY_POINT_FILE},
 * {@value OffsetCheckpoint#CLEAN_SHUTDOWN_FILE}, {@value LeaderEpochCache#FILE_NAME}). Batches are stored exactly as
 * the producer sent them (Kafka v2 record batches) except for the base offset and partition leader epoch the leader
 * assigns, which the CRC does not cover, and, with {@code message.timestamp.type=LogAppendTime}, the log-append time
 * the leader stamps (timestamp-type bit and max timestamp, CRC recomputed). A leader validates each produced batch in
 * depth (header, CRC, then every record, decompressing compressed batches: see {@link RecordsValidator}); a follower
 * checks header and CRC only, since its leader already did the rest.
 *
 * <p><b>Threading contract.</b> One writer thread (the partition actor) calls everything that changes the log:
 * {@link #append}, {@link #appendAsFollower}, {@link #truncateTo}, {@link #deleteOldSegments},
 * {@link #deleteRecordsBefore}, {@link #flush}, {@link #flushIfDue}, {@link #close} and the {@link #leaderEpochs()}
 * cache. Any number of other threads may call {@link #read}, {@link #offsetForTimestamp}, {@link #logStartOffset()}
 * and {@link #logEndOffset()} concurrently with it: the writer writes bytes and index entries first and then
 * publishes the segment's size and the log end offset through volatile fields, and readers never look past what
 * was published, so they only ever see whole, written batches. The segment list is a copy-on-write array. The read
 * path is {@link LogReader}'s ({@link #read} and {@link #offsetForTimestamp} delegate to it), which reads this
 * state only through the volatile accessors.
 * When retention or truncation deletes a segment, the writer first publishes the new segment list and log start
 * offset, then closes and unlinks the files: a reader already holding a {@link FileRegion} of it gets a
 * {@link java.nio.channels.ClosedChannelException} from the region and should read again, a {@link #read} that
 * races the deletion retries on the new list or reports {@link LogException.Category#OFFSET_OUT_OF_RANGE}. Index
 * lookups on sealed segments read read-only mappings that are never unmapped explicitly nor changed in place, so
 * they stay valid after deletion (see {@link OffsetIndex}).
 * {@link #truncateTo} (followers only) may hand a concurrent reader bytes that are being rewritten; readers of a
 * follower are bounded by the high watermark, which never exceeds the truncation point. Reader threads must not be
 * interrupted inside {@link #read} or a {@link FileRegion} transfer: as with any NIO channel, an interrupt closes the
 * shared segment channel for everyone, and the writer then fails with {@link LogException.Category#IO} until the log
 * is reopened.
 *
 * <p><b>Allocation.</b> {@link #append} allocates nothing per record or per call once the caller reuses its buffer
 * (the result is a reused {@link AppendResult}; validating a gzip or zstd batch allocates the decompression stream
 * wrappers); only the active segment's index arrays grow, by doubling, one slot
 * per {@code index.interval.bytes} of log. {@link #read(long, int, long, FileRegion)} allocates nothing after the
 * first call on a thread (per-thread scratch is shared by all logs). Rolling a segment, retention, truncation and
 * recovery allocate (per segment, not per record). {@code LogAllocationTest} checks both.
 *
 * <p><b>Durability.</b> Data is written to the page cache on append and forced to disk by the flush policy:
 * every append ({@code fsync-on-ack}), every {@code flush.messages} records, when an append finds the last flush
 * {@code flush.ms} old, or when the owner calls {@link #flush()}. The recovery point (the offset below which all
 * data is on disk) is checkpointed on each {@link #flush()} and on close ({@code fsync-on-ack} forces the data on
 * every append but leaves the checkpoint to the next flush or close, which only lengthens recovery). On open,
 * segments wholly below the recovery point are trusted (their indexes are checked and rebuilt if needed); the others
 * are re-validated batch by batch (framing, magic, CRC, attributes, contiguous offsets, leader epochs within the epoch
 * file's range) and truncated at the first bad batch, and any later segments are deleted. A clean close leaves a
 * marker ({@value OffsetCheckpoint#CLEAN_SHUTDOWN_FILE}, holding the log end offset) that lets the next open trust
 * the last segment after a framing check of the batches past its last index entry, like Kafka's
 * {@code .kafka_cleanshutdown}; the marker is deleted (and the deletion made durable) before the log accepts writes.
 *
 * <p><b>Format versions.</b> Segment files hold Kafka's v2 batches (magic 2, checked per batch). The index, time
 * index and checkpoint files start with a magic and a format version (see {@link LogSegment}, {@link OffsetIndex},
 * {@link TimeIndex}, {@link OffsetCheckpoint}, {@link LeaderEpochCache}): derived files of an unknown version are
 * rebuilt from the log, checkpoints of an unknown version fall back safely (recovery point 0, log start at the first
 * segment) except the leader epoch file, which refuses to open.
 */
public final class Log implements AutoCloseable
{
    private final Path directory;
    private final LogConfig config;
    private final LongSupplier clockMs;
    private final RecordBatchFlyweight batch = new RecordBatchFlyweight();
    private final ByteBufferView bufferView = new ByteBufferView();
    private final AppendResult appendResult = new AppendResult();
    // Scratch state per thread, shared by all logs: a broker has thousands of partitions but few threads, and no
    // operation on one log runs inside an operation on another on the same thread.
    static final ThreadLocal<BatchHeaderReader> HEADER_READERS = ThreadLocal.withInitial(BatchHeaderReader::new);
    /**
     * Most bytes one produced batch may decompress to during validation: bounds the memory a hostile producer can make
     * a writer thread hold (a compressed batch is at most {@code max.message.bytes}, but it may expand a thousandfold).
     */
    static final int MAX_DECOMPRESSED_BATCH_BYTES = 64 * 1024 * 1024;
    // Per thread rather than per log, as the header readers: each holds decompression buffers, and a thread works on
    // many logs one after another.
    private static final ThreadLocal<RecordsValidator> RECORDS_VALIDATORS =
        ThreadLocal.withInitial(() -> new RecordsValidator(MAX_DECOMPRESSED_BATCH_BYTES));
    private static final ThreadLocal<LogSegment.RecoveryScanner> RECOVERY_SCANNERS =
        ThreadLocal.withInitial(LogSegment.RecoveryScanner::new);
    private final OffsetCheckpoint logStartOffsetCheckpoint;
    private final OffsetCheckpoint recoveryPointCheckpoint;
    private final OffsetCheckpoint cleanShutdownCheckpoint;
    private final OffsetCheckpoint highWatermarkCheckpoint;
    private long checkpointedHighWatermark = -1;
    private final LeaderEpochCache leaderEpochs;
    private final LogReader reader;

    private volatile LogSegment[] segments;
    private volatile long logStartOffset;
    private volatile long logEndOffset;
    private volatile long recoveryPoint;
    private volatile boolean closed;
    private long unflushedRecords;
    private long lastFlushMs;
    private boolean directoryDirty;

    private Log(final Path directory, final LogConfig config, final LongSupplier clockMs, final LeaderEpochCache leaderEpochs)
    {
        this.directory = directory;
        this.config = config;
        this.clockMs = clockMs;
        this.leaderEpochs = leaderEpochs;
        this.reader = new LogReader(this);
        this.logStartOffsetCheckpoint = new OffsetCheckpoint(directory.resolve(OffsetCheckpoint.LOG_START_OFFSET_FILE));
        this.recoveryPointCheckpoint = new OffsetCheckpoint(directory.resolve(OffsetCheckpoint.RECOVERY_POINT_FILE));
        this.cleanShutdownCheckpoint = new OffsetCheckpoint(directory.resolve(OffsetCheckpoint.CLEAN_SHUTDOWN_FILE));
        this.highWatermarkCheckpoint = new OffsetCheckpoint(directory.resolve(OffsetCheckpoint.HIGH_WATERMARK_FILE));
    }

    /**
     * Opens the log in {@code directory} (created if absent), recovering it if it was not closed cleanly.
     *
     * @param clockMs the time source for segment age, retention and the flush interval, in epoch milliseconds.
     * @throws LogException {@link LogException.Category#IO} if the files cannot be read or written,
     *                      {@link LogException.Category#CORRUPT} if the leader epoch file is damaged.
     */
    public static Log open(final Path directory, final LogConfig config, final LongSupplier clockMs)
    {
        try
        {
            Files.createDirectories(directory);
            final Log log = new Log(directory, config, clockMs, LeaderEpochCache.load(directory));
            try
            {
                log.load();
                log.checkpointedHighWatermark = log.highWatermarkCheckpoint.read(-1, -1);
            }
            catch (final IOException | RuntimeException ex)
            {
                log.closeQuietlyAfterFailedOpen();
                throw ex;
            }
            return log;
        }
        catch (final IOException ex)
        {
            throw ioError("open log in " + directory, ex);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Appends
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * {@link #append(DirectBuffer, int, int, int)} with the log's latest leader epoch (or
     * {@value RecordBatchDescriptor#NO_PARTITION_LEADER_EPOCH} when it has none): for single-replica use, tools and
     * benchmarks.
     */
    public AppendResult append(final DirectBuffer buffer, final int offset, final int length)
    {
        return append(buffer, offset, length, leaderEpochs.latestEpoch());
    }

    /**
     * Appends one or more batches as a producer sent them, assigning offsets from the log end offset by rewriting
     * each batch's base offset in place and stamping {@code leaderEpoch}: {@code buffer} must be mutable (e.g. an
     * {@code UnsafeBuffer}) and is changed only after every batch has been validated in depth (header, CRC, then every
     * record, decompressing compressed batches: producer input is untrusted). Either the whole request is
     * appended or nothing is.
     *
     * @return the reused result of this append; valid until the next append.
     * @throws LogException {@link LogException.Category#INVALID_BATCH} with the {@link InvalidBatchException} reason,
     *                      {@link LogException.Category#RECORD_TOO_LARGE}, {@link LogException.Category#FENCED_LEADER_EPOCH},
     *                      {@link LogException.Category#IO}, {@link LogException.Category#CLOSED}.
     */
    public AppendResult append(final DirectBuffer buffer, final int offset, final int length, final int leaderEpoch)
    {
        ensureOpen();
        if (leaderEpoch < leaderEpochs.latestEpoch())
        {
            throw new LogException(
                LogException.Category.FENCED_LEADER_EPOCH,
                "append with leader epoch " + leaderEpoch + " but the log already has epoch " + leaderEpochs.latestEpoch() +
                "; this replica is no longer the leader, clients should refresh metadata");
        }
        return appendInternal(buffer, offset, length, true, leaderEpoch);
    }

    /**
     * Appends batches replicated from the leader, keeping their offsets and epochs. The first batch must start at
     * the log end offset and each next one where the previous ended. Either the whole request is appended or
     * nothing is; the buffer is not changed.
     *
     * @throws LogException {@link LogException.Category#NON_CONTIGUOUS} when the offsets do not continue the log,
     *                      and the categories of {@link #append}.
     */
    public AppendResult appendAsFollower(final DirectBuffer buffer, final int offset, final int length)
    {
        ensureOpen();
        return appendInternal(buffer, offset, length, false, RecordBatchDescriptor.NO_PARTITION_LEADER_EPOCH);
    }

    private AppendResult appendInternal(
        final DirectBuffer buffer, final int offset, final int length, final boolean assignOffsets, final int leaderEpoch)
    {
        if (length <= 0)
        {
            throw invalidBatch(new InvalidBatchException(
                InvalidBatchException.Reason.TRUNCATED, 0, "an append needs at least one batch, got " + length + " bytes"));
        }

        if (assignOffsets && !(buffer instanceof MutableDirectBuffer))
        {
            throw new IllegalArgumentException(
                "a leader append rewrites base offsets in place: pass a MutableDirectBuffer (e.g. UnsafeBuffer), not " +
                buffer.getClass().getName());
        }

        final long nowMs = clockMs.getAsLong();
        // Log-append time replaces the producer's timestamps, so it is what rolling and the time index must see.
        final boolean stampAppendTime = assignOffsets && config.messageTimestampType() == LogConfig.TimestampType.LOG_APPEND_TIME;

        // Pass 1: validate everything before touching the buffer or the files, so a bad batch appends nothing.
        final long startOffset = logEndOffset;
        int epochSoFar = leaderEpochs.latestEpoch();
        long nextOffset = startOffset;
        long firstOffset = startOffset;
        long maxTimestamp = RecordBatchDescriptor.NO_TIMESTAMP;
        long offsetOfMaxTimestamp = -1;
        int batchCount = 0;
        int recordCount = 0;
        int position = 0;
        while (position < length)
        {
            batch.wrap(buffer, offset + position);
            final int size;
            try
            {
                size = batch.validateFraming(length - position, Integer.MAX_VALUE, position);
                if (size > config.maxMessageBytes())
                {
                    throw new LogException(
                        LogException.Category.RECORD_TOO_LARGE,
                        "batch at position " + position + " is " + size + " bytes, above " + LogConfig.MAX_MESSAGE_BYTES +
                        "=" + config.maxMessageBytes() + "; lower the producer's batch.size or raise the topic's " +
                        LogConfig.MAX_MESSAGE_BYTES);
                }
                if (assignOffsets)
                {
                    // Producer input is untrusted: the CRC only proves the bytes arrived as sent, not that the records
                    // parse, so a leader walks them (decompressing if needed) before any consumer can be handed them.
                    batch.validate(size, Integer.MAX_VALUE, position);
                    RECORDS_VALIDATORS.get().validateRecords(buffer, offset + position, size, position);
                }
                else
                {
                    // A follower copies what a leader already checked in depth: header and CRC catch damage in transit.
                    batch.validate(size, Integer.MAX_VALUE, position);
                }
            }
            catch (final InvalidBatchException ex)
            {
                throw invalidBatch(ex);
            }

            final int lastOffsetDelta = batch.lastOffsetDelta();
            final int records = batch.recordCount();
            if (assignOffsets)
            {
                // A producer's batch holds exactly lastOffsetDelta + 1 records: offsets are assigned from that.
                if (records != lastOffsetDelta + 1)
                {
                    throw invalidBatch(new InvalidBatchException(
                        InvalidBatchException.Reason.BAD_RECORD, position,
                        "record count " + records + " does not match last offset delta " + lastOffsetDelta + " + 1"));
                }
            }
            else
            {
                final long baseOffset = batch.baseOffset();
                if (baseOffset != nextOffset)
                {
                    throw new LogException(
                        LogException.Category.NON_CONTIGUOUS,
                        "follower batch at position " + position + " has base offset " + baseOffset + " but the log expects " +
                        nextOffset + "; truncate to the leader's end offset for the epoch, then fetch from " + logEndOffset);
                }
                // Recovery treats a decreasing epoch as corruption, so the log must never hold one.
                final int epoch = batch.partitionLeaderEpoch();
                if (epoch < epochSoFar)
                {
                    throw new LogException(
                        LogException.Category.NON_CONTIGUOUS,
                        "follower batch at offset " + baseOffset + " has leader epoch " + epoch + " below epoch " +
                        epochSoFar + " already in the log; the logs diverged: truncate to the leader's end offset for " +
                        "epoch " + epoch + " first");
                }
                epochSoFar = epoch;
                if (batchCount == 0)
                {
                    firstOffset = baseOffset;
                }
            }
            nextOffset += lastOffsetDelta + 1L;
            final long batchMaxTimestamp = stampAppendTime ? nowMs : batch.maxTimestamp();
            if (batchMaxTimestamp > maxTimestamp)
            {
                maxTimestamp = batchMaxTimestamp;
                offsetOfMaxTimestamp = nextOffset - 1;
            }
            batchCount++;
            recordCount += records;
            position += size;
        }

        try
        {
            LogSegment active = activeSegment();
            if (active.size() > 0 &&
                ((long)active.size() + length > config.segmentBytes() ||
                active.rollAgeMs(nowMs, maxTimestamp) > config.segmentMs() ||
                nextOffset - 1 - active.baseOffset() > Integer.MAX_VALUE))
            {
                active = roll(nowMs);
            }

            // Pass 2: offsets and epochs. The epoch is persisted before the data so recovery can bound batch epochs.
            if (assignOffsets)
            {
                leaderEpochs.assign(leaderEpoch, startOffset);
                long baseOffset = startOffset;
                position = 0;
                while (position < length)
                {
                    batch.wrap(buffer, offset + position);
                    batch.baseOffset(baseOffset);
                    batch.partitionLeaderEpoch(leaderEpoch);
                    if (stampAppendTime)
                    {
                        // After the epoch: the CRC does not cover it, but the stamp recomputes the CRC over the rest.
                        batch.logAppendTime(nowMs);
                    }
                    baseOffset += batch.lastOffsetDelta() + 1L;
                    position += batch.sizeInBytes();
                }
            }
            else
            {
                position = 0;
                while (position < length)
                {
                    batch.wrap(buffer, offset + position);
                    final int epoch = batch.partitionLeaderEpoch();
                    if (epoch > leaderEpochs.latestEpoch())
                    {
                        leaderEpochs.assign(epoch, batch.baseOffset());
                    }
                    position += batch.sizeInBytes();
                }
            }

            final int segmentPosition = active.size();
            try
            {
                active.write(bufferView.view(buffer, offset, length), segmentPosition);
            }
            catch (final IOException ex)
            {
                // Leave no partial batch behind for recovery to find; the log state is unchanged.
                active.channel().truncate(segmentPosition);
                throw ex;
            }

            position = 0;
            while (position < length)
            {
                batch.wrap(buffer, offset + position);
                final int size = batch.sizeInBytes();
                active.indexBatch(batch.lastOffset(), batch.maxTimestamp(), segmentPosition + position, size,
                    config.indexIntervalBytes());
                position += size;
            }
            // One write per index for the whole append, however many batches it indexed.
            active.writePendingIndexEntries();
            active.publish(segmentPosition + length, nextOffset);
            logEndOffset = nextOffset;

            appendResult.set(
                firstOffset, nextOffset - 1, maxTimestamp, offsetOfMaxTimestamp, batchCount, recordCount, length,
                logStartOffset);

            unflushedRecords += recordCount;
            if (config.fsyncOnAck())
            {
                flushSegments();
            }
            else if (unflushedRecords >= config.flushMessages() || nowMs - lastFlushMs >= config.flushMs())
            {
                flush();
            }
            return appendResult;
        }
        catch (final IOException ex)
        {
            throw ioError("append to " + directory, ex);
        }
    }

    private LogSegment roll(final long nowMs) throws IOException
    {
        final LogSegment[] current = segments;
        final LogSegment previous = current[current.length - 1];
        // Create before sealing: if either fails, the old segment is still the active, appendable one.
        final LogSegment next = LogSegment.create(directory, logEndOffset, nowMs);
        try
        {
            previous.seal();
        }
        catch (final IOException ex)
        {
            try
            {
                next.delete();
                previous.activate();
            }
            catch (final IOException suppressed)
            {
                ex.addSuppressed(suppressed);
            }
            throw ex;
        }
        final LogSegment[] updated = Arrays.copyOf(current, current.length + 1);
        updated[current.length] = next;
        segments = updated;
        directoryDirty = true;
        return next;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Reads
    // ---------------------------------------------------------------------------------------------------------------

    /** {@link #read(long, int, long, FileRegion)} into a new region, up to the log end offset. */
    public FileRegion read(final long startOffset, final int maxBytes)
    {
        final FileRegion region = new FileRegion();
        read(startOffset, maxBytes, Long.MAX_VALUE, region);
        return region;
    }

    /** {@link #read(long, int, long, FileRegion)} into a new region. */
    public FileRegion read(final long startOffset, final int maxBytes, final long maxOffset)
    {
        final FileRegion region = new FileRegion();
        read(startOffset, maxBytes, maxOffset, region);
        return region;
    }

    /**
     * Finds whole batches from the one containing {@code startOffset}, within its segment, that end below
     * {@code maxOffset} (exclusive; e.g. the high watermark) and the log end offset, up to {@code maxBytes} -
     * except that the first batch is always included, however large, so a consumer always makes progress. Nothing
     * is read or copied: {@code into} is set to a (channel, position, length) region. Safe from any thread.
     *
     * <p>Cost: two binary searches of the segment's offset index (one for the start, one for the last indexed batch
     * that fits the byte budget) and a few small header reads around each, however many batches the region holds.
     *
     * @return true when {@code into} holds at least one batch; false (and {@code into} empty) when there is nothing
     *         at or after {@code startOffset} below the limits, including any offset at or beyond the log end.
     * @throws LogException {@link LogException.Category#OFFSET_OUT_OF_RANGE} when {@code startOffset} is below the
     *                      log start offset; {@link LogException.Category#IO} on a failed read.
     */
    public boolean read(final long startOffset, final int maxBytes, final long maxOffset, final FileRegion into)
    {
        return reader.read(startOffset, maxBytes, maxOffset, into);
    }

    /**
     * The first offset whose record timestamp is at or above {@code timestampMs} (never below the log start
     * offset), or -1 when no record has one: the time index finds the segment and a nearby batch, headers find the
     * first batch whose max timestamp reaches it, and its records are walked (a compressed batch is decompressed
     * first) for the exact offset. Safe from any thread.
     */
    public long offsetForTimestamp(final long timestampMs)
    {
        return reader.offsetForTimestamp(timestampMs);
    }

    /**
     * As {@link #offsetForTimestamp}, with the timestamp of the record found (what Kafka's ListOffsets answers), or
     * {@code null} when no record reaches {@code timestampMs}. Safe from any thread.
     */
    public TimestampedOffset findByTimestamp(final long timestampMs)
    {
        return reader.findByTimestamp(timestampMs);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Retention and truncation
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Deletes the oldest segments that are wholly below the log start offset, whose newest timestamp is more than
     * {@code retention.ms} old, or whose removal still leaves at least {@code retention.bytes}; stops at the first
     * segment that qualifies for none and never deletes the active segment. Moves the log start offset to the first
     * remaining segment. Returns the number of segments deleted.
     */
    public int deleteOldSegments()
    {
        ensureOpen();
        final int deletable = RetentionPolicy.deletableSegments(segments, logStartOffset, config, clockMs.getAsLong());
        if (deletable > 0)
        {
            deletePrefix(deletable);
        }
        return deletable;
    }

    /**
     * Moves the log start offset up to {@code offset} (records below it are no longer readable) and deletes the
     * segments wholly below it. Returns false if the log already started at or after it.
     *
     * @throws LogException {@link LogException.Category#OFFSET_OUT_OF_RANGE} if {@code offset} is above the log end.
     */
    public boolean deleteRecordsBefore(final long offset)
    {
        ensureOpen();
        if (offset > logEndOffset)
        {
            throw new LogException(
                LogException.Category.OFFSET_OUT_OF_RANGE,
                "cannot delete records before " + offset + ": the log ends at " + logEndOffset + "; use an offset <= " +
                logEndOffset);
        }
        if (offset <= logStartOffset)
        {
            return false;
        }
        try
        {
            updateLogStartOffset(offset);
        }
        catch (final IOException ex)
        {
            throw ioError("checkpoint log start offset in " + directory, ex);
        }
        deleteOldSegments();
        return true;
    }

    private void deletePrefix(final int count)
    {
        final LogSegment[] snapshot = segments;
        final long newStart = snapshot[count].baseOffset();
        try
        {
            if (newStart > logStartOffset)
            {
                updateLogStartOffset(newStart);
            }
            segments = Arrays.copyOfRange(snapshot, count, snapshot.length);
            for (int i = 0; i < count; i++)
            {
                snapshot[i].delete();
            }
            FileIo.fsyncDirectory(directory);
        }
        catch (final IOException ex)
        {
            throw ioError("delete old segments in " + directory, ex);
        }
    }

    private void updateLogStartOffset(final long offset) throws IOException
    {
        // Checkpoint first: after a crash the start must not move back and expose deleted records again.
        logStartOffsetCheckpoint.write(offset);
        logStartOffset = offset;
        leaderEpochs.truncateFromStart(offset);
        if (recoveryPoint < offset)
        {
            recoveryPoint = offset;
        }
    }

    /**
     * Removes every batch at and after {@code offset} (a follower whose log diverged from the new leader's). The cut
     * is at a batch boundary: if {@code offset} falls inside a batch, that whole batch goes, and the log end offset
     * becomes its base offset. Below the log start offset the log is emptied and restarts at {@code offset}.
     * Returns true if anything was removed.
     */
    public boolean truncateTo(final long offset)
    {
        ensureOpen();
        if (offset < 0)
        {
            throw new IllegalArgumentException("truncation offset must be >= 0 but was " + offset);
        }
        if (offset >= logEndOffset)
        {
            return false;
        }
        try
        {
            if (offset < logStartOffset)
            {
                deleteAllAndStartAt(offset);
                return true;
            }

            final LogSegment[] snapshot = segments;
            final int keep = floorSegment(snapshot, offset);
            final LogSegment segment = snapshot[keep];
            final BatchHeaderReader writerHeaderReader = HEADER_READERS.get();
            final int position = segment.findBatch(offset, segment.size(), writerHeaderReader);
            final long newEnd = position >= 0 ? writerHeaderReader.header().baseOffset() : segment.nextOffset();
            // Readers first learn the lower end and the shorter segment list, then the bytes go.
            logEndOffset = newEnd;
            if (keep < snapshot.length - 1)
            {
                segments = Arrays.copyOf(snapshot, keep + 1);
            }
            segment.activate();
            if (position >= 0)
            {
                segment.truncateTo(position, newEnd, writerHeaderReader, config.indexIntervalBytes());
            }
            for (int i = keep + 1; i < snapshot.length; i++)
            {
                snapshot[i].delete();
            }
            afterTruncation();
            return true;
        }
        catch (final IOException ex)
        {
            throw ioError("truncate " + directory + " to " + offset, ex);
        }
    }

    /**
     * Deletes every segment and restarts the log, empty, at {@code offset} (log start = log end = {@code offset}): a
     * follower whose log ends below its leader's log start, so that nothing of its own can be kept. The leader epoch
     * cache keeps only what starts below {@code offset}, moved up to it.
     *
     * @throws LogException {@link LogException.Category#IO} if the files cannot be changed
     */
    public void truncateFullyAndStartAt(final long offset)
    {
        ensureOpen();
        if (offset < 0)
        {
            throw new IllegalArgumentException("start offset must be >= 0 but was " + offset);
        }
        try
        {
            deleteAllAndStartAt(offset);
        }
        catch (final IOException ex)
        {
            throw ioError("restart " + directory + " empty at " + offset, ex);
        }
    }

    private void deleteAllAndStartAt(final long offset) throws IOException
    {
        final LogSegment[] snapshot = segments;
        for (final LogSegment segment : snapshot)
        {
            segment.delete();
        }
        final LogSegment fresh = LogSegment.create(directory, offset, clockMs.getAsLong());
        segments = new LogSegment[]{ fresh };
        logEndOffset = offset;
        logStartOffsetCheckpoint.write(offset);
        logStartOffset = offset;
        afterTruncation();
        leaderEpochs.truncateFromStart(offset);
    }

    private void afterTruncation() throws IOException
    {
        final long end = logEndOffset;
        leaderEpochs.truncateFromEnd(end);
        if (logStartOffset > end)
        {
            logStartOffsetCheckpoint.write(end);
            logStartOffset = end;
        }
        // The recovery point must not stay above the end: new, unflushed data there would be trusted on restart.
        if (recoveryPoint > end)
        {
            recoveryPoint = end;
        }
        recoveryPointCheckpoint.write(recoveryPoint);
        FileIo.fsyncDirectory(directory);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Flush and lifecycle
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * The high watermark last written by {@link #checkpointHighWatermark} (as read when the log opened, then as
     * written), or -1 when there is none or the file is damaged. It may exceed the log end offset after a crash lost
     * unflushed data: the caller bounds it.
     */
    public long checkpointedHighWatermark()
    {
        return checkpointedHighWatermark;
    }

    /**
     * Durably records a replicated partition's high watermark (Kafka's replication-offset-checkpoint), so that a
     * replica restarting as leader does not start from its log start; a no-op when it is the one last written.
     *
     * @throws LogException {@link LogException.Category#IO} if the file cannot be written
     */
    public void checkpointHighWatermark(final long highWatermark)
    {
        ensureOpen();
        if (highWatermark == checkpointedHighWatermark)
        {
            return;
        }
        try
        {
            highWatermarkCheckpoint.write(highWatermark);
            checkpointedHighWatermark = highWatermark;
        }
        catch (final IOException ex)
        {
            throw ioError("checkpoint the high watermark of " + directory, ex);
        }
    }

    /** Forces all data up to the log end offset to disk and checkpoints the recovery point. */
    public void flush()
    {
        ensureOpen();
        try
        {
            flushSegments();
            recoveryPointCheckpoint.write(recoveryPoint);
        }
        catch (final IOException ex)
        {
            throw ioError("flush " + directory, ex);
        }
    }

    /** Flushes if {@code flush.ms} has passed since the last flush; for an owner that schedules flushes. Returns true if it flushed. */
    public boolean flushIfDue()
    {
        ensureOpen();
        if (clockMs.getAsLong() - lastFlushMs >= config.flushMs() && recoveryPoint < logEndOffset)
        {
            flush();
            return true;
        }
        return false;
    }

    private void flushSegments() throws IOException
    {
        final long end = logEndOffset;
        if (recoveryPoint < end)
        {
            final LogSegment[] snapshot = segments;
            for (int i = Math.max(0, floorSegment(snapshot, recoveryPoint)); i < snapshot.length; i++)
            {
                snapshot[i].flush();
            }
        }
        if (directoryDirty)
        {
            FileIo.fsyncDirectory(directory);
            directoryDirty = false;
        }
        recoveryPoint = end;
        unflushedRecords = 0;
        lastFlushMs = clockMs.getAsLong();
    }

    /** Flushes, checkpoints and closes all files. Idempotent. */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        try
        {
            final LogSegment[] snapshot = segments;
            snapshot[snapshot.length - 1].finishTimeIndex();
            flush();
            closed = true;
            IOException failure = null;
            for (final LogSegment segment : snapshot)
            {
                try
                {
                    segment.close();
                }
                catch (final IOException ex)
                {
                    failure = ex;
                }
            }
            if (null != failure)
            {
                throw failure;
            }
            // Everything is on disk and the indexes are complete: the next open may skip re-validating the tail.
            cleanShutdownCheckpoint.write(logEndOffset);
        }
        catch (final IOException ex)
        {
            throw ioError("close " + directory, ex);
        }
        finally
        {
            closed = true;
        }
    }

    private void closeQuietlyAfterFailedOpen()
    {
        closed = true;
        final LogSegment[] snapshot = segments;
        if (null != snapshot)
        {
            for (final LogSegment segment : snapshot)
            {
                try
                {
                    segment.close();
                }
                catch (final IOException ignore)
                {
                    // The open already failed with a better error.
                }
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Accessors
    // ---------------------------------------------------------------------------------------------------------------

    /** The first readable offset (earliest). Safe from any thread. */
    public long logStartOffset()
    {
        return logStartOffset;
    }

    /** One past the last appended offset (latest). Safe from any thread. */
    public long logEndOffset()
    {
        return logEndOffset;
    }

    /** Offsets below this are on disk (forced). */
    public long recoveryPoint()
    {
        return recoveryPoint;
    }

    /** The epoch cache; writer thread only. */
    public LeaderEpochCache leaderEpochs()
    {
        return leaderEpochs;
    }

    public LogConfig config()
    {
        return config;
    }

    public Path directory()
    {
        return directory;
    }

    public int segmentCount()
    {
        return segments.length;
    }

    /** Base offsets of the segments, oldest first (allocates; for tools and tests). */
    public long[] segmentBaseOffsets()
    {
        final LogSegment[] snapshot = segments;
        final long[] bases = new long[snapshot.length];
        for (int i = 0; i < snapshot.length; i++)
        {
            bases[i] = snapshot[i].baseOffset();
        }
        return bases;
    }

    /** Total bytes of batches in all segments. */
    public long sizeInBytes()
    {
        long total = 0;
        for (final LogSegment segment : segments)
        {
            total += segment.size();
        }
        return total;
    }

    /** The current segment list, oldest first; a copy-on-write array, never changed once published. */
    LogSegment[] segmentsSnapshot()
    {
        return segments;
    }

    /** Whether {@link #close} has begun: a reader that lost its segment fails instead of retrying. */
    boolean isClosed()
    {
        return closed;
    }

    @Override
    public String toString()
    {
        return "Log{" + directory + ", start=" + logStartOffset + ", end=" + logEndOffset + ", segments=" + segments.length + '}';
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Loading and recovery
    // ---------------------------------------------------------------------------------------------------------------

    private void load() throws IOException
    {
        final long nowMs = clockMs.getAsLong();
        final LogLoader.Loaded loaded = new LogLoader(
            directory, config, leaderEpochs, logStartOffsetCheckpoint, recoveryPointCheckpoint, cleanShutdownCheckpoint)
            .load(nowMs, RECOVERY_SCANNERS.get(), HEADER_READERS.get());
        final long checkpointedStart = loaded.checkpointedStart();
        final long checkpointedRecoveryPoint = loaded.checkpointedRecoveryPoint();

        segments = loaded.segments();
        final LogSegment last = segments[segments.length - 1];
        logEndOffset = last.nextOffset();
        final long firstBase = segments[0].baseOffset();
        logStartOffset = Math.min(Math.max(checkpointedStart, firstBase), logEndOffset);
        leaderEpochs.truncateFromEnd(logEndOffset);
        leaderEpochs.truncateFromStart(logStartOffset);

        // What recovery validated is forced now, so the next open can trust it.
        recoveryPoint = Math.min(checkpointedRecoveryPoint, logEndOffset);
        lastFlushMs = nowMs;
        directoryDirty = true;
        flushSegments();
        recoveryPointCheckpoint.write(recoveryPoint);
        if (checkpointedStart != logStartOffset)
        {
            logStartOffsetCheckpoint.write(logStartOffset);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------------------------

    private LogSegment activeSegment()
    {
        final LogSegment[] snapshot = segments;
        return snapshot[snapshot.length - 1];
    }

    /** Index of the last segment whose base offset is at or below {@code offset}, or -1. */
    static int floorSegment(final LogSegment[] snapshot, final long offset)
    {
        int low = 0;
        int high = snapshot.length - 1;
        int found = -1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            if (snapshot[mid].baseOffset() <= offset)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return found;
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new LogException(LogException.Category.CLOSED, "log " + directory + " is closed; open it again to use it");
        }
    }

    private static LogException invalidBatch(final InvalidBatchException ex)
    {
        return new LogException(
            LogException.Category.INVALID_BATCH,
            ex.getMessage() + "; nothing of the request was appended, the producer should resend valid batches", ex);
    }

    static LogException ioError(final String what, final IOException ex)
    {
        return new LogException(
            LogException.Category.IO, "could not " + what + ": " + ex + "; check the disk (space, permissions, health)", ex);
    }
}
