package dev.millrace.serialization.batch;

import static dev.millrace.serialization.batch.RecordBatchDescriptor.*;

import dev.millrace.serialization.batch.InvalidBatchException.Reason;
import dev.millrace.serialization.compress.BatchDecompressor;
import dev.millrace.serialization.compress.CompressionType;
import org.agrona.DirectBuffer;

/**
 * Iterates the records of one v2 batch through a reused {@link RecordFlyweight}, checking each record as it
 * is read; a compressed batch is decompressed once, on {@link #wrap}, into a buffer this reader owns. Also
 * the deep check a broker runs on a produced batch: {@link #validateDeep}.
 *
 * <pre>
 *   reader.wrap(buffer, offset, available, position);
 *   while (reader.next())
 *   {
 *       final RecordFlyweight record = reader.record();
 *       ...
 *   }
 * </pre>
 *
 * Bad bytes only ever raise {@link InvalidBatchException}; every loop is bounded by the bytes present.
 * {@link #wrap} checks framing only (length and codec), not the CRC: call {@link RecordBatchFlyweight#validate}
 * or {@link #validateDeep} for untrusted input.
 *
 * <p>Not thread-safe: one reader per thread. Allocates nothing per record; per batch only what the gzip and
 * zstd stream wrappers need.
 */
public final class RecordBatchReader
{
    /** Default bound on one batch's decompressed size. */
    public static final int DEFAULT_MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024;

    private final RecordBatchFlyweight batch = new RecordBatchFlyweight();
    private final RecordFlyweight record = new RecordFlyweight();
    private final VarintReader reader = new VarintReader();
    private final BatchDecompressor decompressor;

    private long position;
    private int count;
    private int read;
    private int lastOffsetDelta;

    public RecordBatchReader()
    {
        this(DEFAULT_MAX_DECOMPRESSED_BYTES);
    }

    /** @param maxDecompressedBytes the most bytes one compressed batch may expand to. */
    public RecordBatchReader(final int maxDecompressedBytes)
    {
        decompressor = new BatchDecompressor(maxDecompressedBytes);
    }

    /**
     * Positions the reader before the first record of the batch at {@code offset}, of which at most
     * {@code available} bytes may be read, decompressing it if needed.
     *
     * @param position where the batch sits in its log or request, for error messages.
     * @throws InvalidBatchException when the framing, codec or compressed data is bad.
     */
    public RecordBatchReader wrap(final DirectBuffer buffer, final int offset, final int available, final long position)
    {
        this.position = position;
        batch.wrap(buffer, offset);
        final int size = batch.validateFraming(available, Integer.MAX_VALUE, position);
        final int codec = batch.compressionCodecId();
        final CompressionType type = CompressionType.forId(codec);
        if (null == type)
        {
            throw new InvalidBatchException(Reason.UNKNOWN_COMPRESSION, position, "unknown compression codec id " + codec);
        }
        count = batch.recordCount();
        lastOffsetDelta = batch.lastOffsetDelta();
        if (count < 0 || lastOffsetDelta < 0)
        {
            throw new InvalidBatchException(
                Reason.BAD_RECORD, position, "record count " + count + " and last offset delta " + lastOffsetDelta + " must be >= 0");
        }
        read = 0;
        record.batch(batch.baseOffset(), batch.baseTimestamp(), batch.isLogAppendTime(), batch.maxTimestamp());
        final int recordsStart = offset + RECORDS_OFFSET;
        final int recordsLength = size - RECORDS_OFFSET;
        if (type == CompressionType.NONE)
        {
            reader.wrap(buffer, recordsStart, recordsStart + recordsLength, position);
        }
        else
        {
            final int length = decompressor.decompress(type, buffer, recordsStart, recordsLength, position);
            reader.wrap(decompressor.output(), 0, length, position);
        }
        return this;
    }

    /** The header of the batch being read. */
    public RecordBatchFlyweight batch()
    {
        return batch;
    }

    /** The current record, valid after {@link #next()} returned true. */
    public RecordFlyweight record()
    {
        return record;
    }

    /**
     * Moves to the next record; false after the last. Having read the count the header states, it checks that
     * no bytes are left over; running out of bytes before that count is an error too.
     *
     * @throws InvalidBatchException for a malformed record or a count that does not match the bytes.
     */
    public boolean next()
    {
        if (read >= count)
        {
            return false;
        }
        if (reader.remaining() <= 0)
        {
            throw new InvalidBatchException(
                Reason.BAD_RECORD, position, "header states " + count + " records but the batch holds only " + read);
        }
        record.parse(reader, lastOffsetDelta);
        read++;
        if (read == count && reader.remaining() != 0)
        {
            throw new InvalidBatchException(
                Reason.BAD_RECORD, position,
                "header states " + count + " records but " + reader.remaining() + " bytes follow the last of them");
        }
        return true;
    }

    /**
     * Checks a batch fully, as a broker should before appending a produced one: header, framing and CRC
     * ({@link RecordBatchFlyweight#validate}), then decompression and every record. Returns the batch's size.
     *
     * @throws InvalidBatchException naming the first problem found.
     */
    public int validateDeep(
        final DirectBuffer buffer, final int offset, final int available, final int maxBatchSize, final long position)
    {
        final int size = batch.wrap(buffer, offset).validate(available, maxBatchSize, position);
        wrap(buffer, offset, size, position);
        while (next())
        {
            // Parsing is the check.
        }
        return size;
    }
}
