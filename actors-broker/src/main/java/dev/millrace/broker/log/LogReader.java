package dev.millrace.broker.log;

import java.io.IOException;
import java.nio.channels.ClosedChannelException;

import dev.millrace.serialization.batch.InvalidBatchException;
import dev.millrace.serialization.batch.RecordBatchDescriptor;
import dev.millrace.serialization.batch.RecordBatchFlyweight;
import dev.millrace.serialization.batch.RecordBatchReader;
import org.agrona.DirectBuffer;

/**
 * The read path of one {@link Log}: finds the region of whole batches for a fetch ({@link #read}) and the first
 * offset at or after a timestamp ({@link #offsetForTimestamp}). It holds no state of its own beyond its log; the
 * per-thread scratch (header readers, record walkers) is shared by all logs.
 *
 * <p><b>Threading contract.</b> Any number of threads may call it at once, concurrently with the log's single
 * writer. It only reads what the writer has published through the log's volatile fields (log end offset, log start
 * offset, the copy-on-write segment list, segment sizes), so it only ever sees whole, written batches. When a segment
 * it holds is deleted under it (retention or truncation close the channel), it retries on the new segment list up to
 * {@value #READ_RETRIES} times, then fails with {@link LogException.Category#IO}; a closed channel of a closed log
 * fails with {@link LogException.Category#CLOSED} instead. Callers must not interrupt a reading thread: an interrupt
 * closes the shared segment channel for everyone (see {@link Log}).
 */
final class LogReader
{
    private static final int READ_RETRIES = 8;
    private static final ThreadLocal<RecordTimestamps> RECORD_TIMESTAMPS = ThreadLocal.withInitial(RecordTimestamps::new);
    // Per thread rather than per log, as the header readers: each holds decompression buffers, and a thread works on
    // many logs one after another.
    private static final ThreadLocal<RecordBatchReader> RECORD_READERS =
        ThreadLocal.withInitial(() -> new RecordBatchReader(Log.MAX_DECOMPRESSED_BATCH_BYTES));

    private final Log log;

    LogReader(final Log log)
    {
        this.log = log;
    }

    /** See {@link Log#read(long, int, long, FileRegion)}. */
    boolean read(final long startOffset, final int maxBytes, final long maxOffset, final FileRegion into)
    {
        final BatchHeaderReader reader = Log.HEADER_READERS.get();
        for (int attempt = 0; attempt < READ_RETRIES; attempt++)
        {
            final long endOffset = log.logEndOffset();
            checkNotBelowStart(startOffset);
            final long limitOffset = Math.min(endOffset, maxOffset);
            if (startOffset >= limitOffset)
            {
                into.empty(endOffset);
                return false;
            }

            final LogSegment[] snapshot = log.segmentsSnapshot();
            try
            {
                for (int i = Math.max(0, Log.floorSegment(snapshot, startOffset)); i < snapshot.length; i++)
                {
                    final LogSegment segment = snapshot[i];
                    final int limit = segment.size();
                    final int firstPosition = segment.findBatch(startOffset, limit, reader);
                    if (firstPosition < 0)
                    {
                        continue;
                    }
                    final RecordBatchFlyweight header = reader.header();
                    if (header.lastOffset() >= limitOffset)
                    {
                        break;
                    }
                    final long firstOffset = header.baseOffset();
                    final long lastOffset = header.lastOffset();
                    final int end = segment.endOfRegion(firstPosition + reader.size(), lastOffset,
                        firstPosition + (long)maxBytes, limit, limitOffset, reader);
                    into.set(segment.channel(), firstPosition, end - firstPosition, firstOffset, reader.regionLastOffset(),
                        endOffset);
                    return true;
                }
                into.empty(endOffset);
                return false;
            }
            catch (final ClosedChannelException ex)
            {
                // Retention or truncation removed the segment under us: look again at the new segment list.
                if (log.isClosed())
                {
                    throw new LogException(LogException.Category.CLOSED, "log " + log.directory() + " is closed");
                }
            }
            catch (final IOException ex)
            {
                throw Log.ioError("read offset " + startOffset + " from " + log.directory(), ex);
            }
        }
        throw new LogException(
            LogException.Category.IO, "read of offset " + startOffset + " from " + log.directory() + " kept racing " +
            "segment deletion; retry the fetch");
    }

    /** See {@link Log#offsetForTimestamp(long)}. */
    long offsetForTimestamp(final long timestampMs)
    {
        final TimestampedOffset found = findByTimestamp(timestampMs);
        return null == found ? -1 : found.offset();
    }

    /** See {@link Log#findByTimestamp(long)}. */
    TimestampedOffset findByTimestamp(final long timestampMs)
    {
        final BatchHeaderReader reader = Log.HEADER_READERS.get();
        for (int attempt = 0; attempt < READ_RETRIES; attempt++)
        {
            final LogSegment[] snapshot = log.segmentsSnapshot();
            try
            {
                for (final LogSegment segment : snapshot)
                {
                    if (segment.maxTimestamp() < timestampMs)
                    {
                        continue;
                    }
                    final int limit = segment.size();
                    reader.reset();
                    final long searchFrom = segment.timeIndex().searchStartOffset(timestampMs);
                    int position = segment.offsetIndex().lookup(searchFrom);
                    while (reader.read(segment.channel(), position, limit))
                    {
                        final RecordBatchFlyweight header = reader.header();
                        if (header.lastOffset() >= searchFrom && header.maxTimestamp() >= timestampMs)
                        {
                            final TimestampedOffset found = firstInBatch(segment, position, reader, timestampMs);
                            final long start = log.logStartOffset();
                            return found.offset() >= start ? found : new TimestampedOffset(found.timestamp(), start);
                        }
                        position += reader.size();
                    }
                }
                return null;
            }
            catch (final ClosedChannelException ex)
            {
                if (log.isClosed())
                {
                    throw new LogException(LogException.Category.CLOSED, "log " + log.directory() + " is closed");
                }
            }
            catch (final IOException ex)
            {
                throw Log.ioError("search timestamp " + timestampMs + " in " + log.directory(), ex);
            }
        }
        throw new LogException(
            LogException.Category.IO, "timestamp search in " + log.directory() + " kept racing segment deletion; retry");
    }

    /**
     * Within a batch whose max timestamp reaches the target: its first record when that one already does (the base
     * timestamp is the first record's) or when all records carry the log-append time; otherwise the first record that
     * reaches it, found by walking the records (decompressing a compressed batch first).
     */
    private static TimestampedOffset firstInBatch(
        final LogSegment segment, final int position, final BatchHeaderReader reader, final long timestampMs)
        throws IOException
    {
        final RecordBatchFlyweight header = reader.header();
        final long baseOffset = header.baseOffset();
        if (header.isLogAppendTime())
        {
            return new TimestampedOffset(header.maxTimestamp(), baseOffset);
        }
        if (header.baseTimestamp() >= timestampMs)
        {
            return new TimestampedOffset(header.baseTimestamp(), baseOffset);
        }
        final long baseTimestamp = header.baseTimestamp();
        final int size = reader.size();
        final boolean compressed = header.compressionCodecId() != 0;
        final DirectBuffer bytes = reader.readBatch(segment.channel(), position);
        if (null == bytes)
        {
            return new TimestampedOffset(baseTimestamp, baseOffset);
        }
        if (compressed)
        {
            return firstCompressedAtOrAfter(bytes, size, position, timestampMs);
        }
        final RecordTimestamps timestamps = RECORD_TIMESTAMPS.get();
        final long offset = timestamps.firstOffsetAtOrAfter(bytes, size, timestampMs);
        return new TimestampedOffset(timestamps.foundTimestamp(), offset);
    }

    private static TimestampedOffset firstCompressedAtOrAfter(
        final DirectBuffer bytes, final int size, final int position, final long timestampMs)
    {
        final RecordBatchReader records = RECORD_READERS.get();
        try
        {
            records.wrap(bytes, 0, size, position);
            while (records.next())
            {
                if (records.record().timestamp() >= timestampMs)
                {
                    return new TimestampedOffset(records.record().timestamp(), records.record().offset());
                }
            }
        }
        catch (final InvalidBatchException ex)
        {
            // Leaders check records on append, but a follower's copy is checked only to the CRC and a concurrent
            // truncation may rewrite the bytes: the batch start is always a safe answer.
        }
        return new TimestampedOffset(bytes.getLong(RecordBatchDescriptor.BASE_TIMESTAMP_OFFSET, RecordBatchDescriptor.BYTE_ORDER),
            bytes.getLong(RecordBatchDescriptor.BASE_OFFSET_OFFSET, RecordBatchDescriptor.BYTE_ORDER));
    }

    private void checkNotBelowStart(final long offset)
    {
        final long start = log.logStartOffset();
        if (offset < start)
        {
            throw new LogException(
                LogException.Category.OFFSET_OUT_OF_RANGE,
                "offset " + offset + " is below the log start offset " + start + " of " + log.directory() +
                " (deleted by retention or deleteRecords); reset the position to the earliest offset " + start +
                " or the latest " + log.logEndOffset());
        }
    }
}
