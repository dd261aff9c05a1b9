package dev.millrace.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import dev.millrace.serialization.batch.RecordBatchBuilder;
import dev.millrace.serialization.batch.RecordBatchDescriptor;
import dev.millrace.serialization.batch.RecordBatchFlyweight;
import dev.millrace.serialization.compress.CompressionType;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.record.internal.SimpleRecord;

/** Builds valid batches with kafka-clients' own classes and reads a log back into checked batch summaries. */
final class TestBatches
{
    private TestBatches()
    {
    }

    /** One batch of {@code records} records with timestamps from {@code timestamp}, random values of up to 60 bytes. */
    static byte[] batch(final Random random, final long timestamp, final int records)
    {
        final SimpleRecord[] simpleRecords = new SimpleRecord[records];
        for (int i = 0; i < records; i++)
        {
            final byte[] key = ("k" + random.nextInt(100)).getBytes();
            final byte[] value = new byte[1 + random.nextInt(60)];
            random.nextBytes(value);
            simpleRecords[i] = new SimpleRecord(timestamp + i, key, value);
        }
        final ByteBuffer buffer = MemoryRecords.withRecords(Compression.NONE, simpleRecords).buffer();
        final byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    /** One batch compressed with {@code type} (our builder), one record per timestamp, in the order given. */
    static byte[] compressedBatch(final CompressionType type, final long... timestamps)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(4096);
        final RecordBatchBuilder builder = new RecordBatchBuilder().wrap(buffer, 0, 1 << 20).compression(type);
        for (int i = 0; i < timestamps.length; i++)
        {
            builder.append(timestamps[i], ("k" + i).getBytes(), ("value-" + i).getBytes());
        }
        final int size = builder.build();
        final byte[] bytes = new byte[size];
        buffer.getBytes(0, bytes);
        return bytes;
    }

    /** The batches back to back in a mutable buffer, as a produce request carries them. */
    static UnsafeBuffer request(final byte[]... batches)
    {
        int length = 0;
        for (final byte[] batch : batches)
        {
            length += batch.length;
        }
        final byte[] all = new byte[length];
        int at = 0;
        for (final byte[] batch : batches)
        {
            System.arraycopy(batch, 0, all, at, batch.length);
            at += batch.length;
        }
        return new UnsafeBuffer(all);
    }

    /** Appends one batch; returns its last offset. */
    static long appendOne(final Log log, final byte[] batch, final int epoch)
    {
        final UnsafeBuffer buffer = request(batch.clone());
        return log.append(buffer, 0, buffer.capacity(), epoch).lastOffset();
    }

    /** Copies a region's bytes. */
    static byte[] bytesOf(final FileRegion region) throws IOException
    {
        final ByteBuffer target = ByteBuffer.allocate(region.length());
        final int read = region.readInto(target);
        if (read != region.length())
        {
            throw new IOException("short read " + read + " of " + region.length());
        }
        return target.array();
    }

    /** A batch read back: its offsets and its bytes as stored. */
    record StoredBatch(long baseOffset, long lastOffset, int epoch, byte[] bytes)
    {
    }

    /**
     * Checks every batch in {@code bytes} with the flyweight and with kafka-clients' own validation, and that the
     * batches follow each other in offset order.
     */
    static List<StoredBatch> parse(final byte[] bytes)
    {
        final List<StoredBatch> batches = new ArrayList<>();
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        final RecordBatchFlyweight flyweight = new RecordBatchFlyweight();
        int position = 0;
        while (position < bytes.length)
        {
            flyweight.wrap(buffer, position);
            final int size = flyweight.validate(bytes.length - position, Integer.MAX_VALUE, position);
            final byte[] copy = new byte[size];
            buffer.getBytes(position, copy);
            batches.add(new StoredBatch(flyweight.baseOffset(), flyweight.lastOffset(), flyweight.partitionLeaderEpoch(), copy));
            position += size;
        }
        for (final RecordBatch batch : MemoryRecords.readableRecords(ByteBuffer.wrap(bytes)).batches())
        {
            batch.ensureValid();
            if (batch.magic() != RecordBatchDescriptor.MAGIC)
            {
                throw new IllegalStateException("magic " + batch.magic());
            }
        }
        for (int i = 1; i < batches.size(); i++)
        {
            if (batches.get(i).baseOffset() != batches.get(i - 1).lastOffset() + 1)
            {
                throw new IllegalStateException("batches not contiguous at " + batches.get(i).baseOffset());
            }
        }
        return batches;
    }

    /** Reads the whole log from its start offset, region by region, checking every batch. */
    static List<StoredBatch> readAll(final Log log) throws IOException
    {
        final List<StoredBatch> all = new ArrayList<>();
        long next = log.logStartOffset();
        final FileRegion region = new FileRegion();
        while (log.read(next, 4096, Long.MAX_VALUE, region))
        {
            final List<StoredBatch> batches = parse(bytesOf(region));
            all.addAll(batches);
            next = region.nextOffset();
        }
        return all;
    }

    /** Manual clock for tests. */
    static final class ManualClock implements java.util.function.LongSupplier
    {
        long nowMs;

        ManualClock(final long nowMs)
        {
            this.nowMs = nowMs;
        }

        @Override
        public long getAsLong()
        {
            return nowMs;
        }

        void advance(final long ms)
        {
            nowMs += ms;
        }
    }
}
