package dev.millrace.serialization.batch;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import dev.millrace.serialization.compress.CompressionType;
import org.agrona.DirectBuffer;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecordsBuilder;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;

/** Random record sets and the glue to build and read them with both Millrace and kafka-clients. */
final class TestRecords
{
    /** Producer-side batch fields shared by both builders. */
    record BatchSpec(
        long baseOffset, int leaderEpoch, CompressionType compression, long logAppendTime,
        long producerId, short producerEpoch, int baseSequence, boolean transactional)
    {
    }

    record Hdr(String key, byte[] value)
    {
    }

    record Rec(long offset, long timestamp, byte[] key, byte[] value, List<Hdr> headers)
    {
    }

    private static final String[] HEADER_KEYS = { "trace-id", "", "ключ", "键", "emoji-\uD83D\uDE00", "content-type" };

    private TestRecords()
    {
    }

    static List<Rec> randomRecords(final Random random, final int count, final int maxFieldLength, final long baseOffset)
    {
        final List<Rec> records = new ArrayList<>(count);
        final long baseTimestamp = 1_700_000_000_000L + random.nextInt(1_000_000);
        long offset = baseOffset;
        for (int i = 0; i < count; i++)
        {
            // Timestamps may go backwards within a batch: negative deltas must round-trip too.
            final long timestamp = baseTimestamp + random.nextInt(20_000) - 5_000;
            final byte[] key = random.nextInt(5) == 0 ? null : randomBytes(random, random.nextInt(Math.min(maxFieldLength, 64) + 1));
            final byte[] value = random.nextInt(8) == 0 ? null : randomBytes(random, random.nextInt(maxFieldLength + 1));
            final int headerCount = random.nextInt(4);
            final List<Hdr> headers = new ArrayList<>(headerCount);
            for (int h = 0; h < headerCount; h++)
            {
                headers.add(new Hdr(
                    HEADER_KEYS[random.nextInt(HEADER_KEYS.length)],
                    random.nextInt(4) == 0 ? null : randomBytes(random, random.nextInt(40))));
            }
            records.add(new Rec(offset, timestamp, key, value, headers));
            offset++;
        }
        return records;
    }

    /** Somewhat compressible bytes: a small alphabet. */
    static byte[] randomBytes(final Random random, final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)('a' + random.nextInt(random.nextBoolean() ? 4 : 26));
        }
        return bytes;
    }

    static Compression kafkaCompression(final CompressionType type)
    {
        return Compression.of(org.apache.kafka.common.record.internal.CompressionType.forId(type.id())).build();
    }

    /** Builds the batch with kafka-clients' MemoryRecordsBuilder and returns exactly its bytes. */
    static byte[] buildWithKafka(final BatchSpec spec, final List<Rec> records)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(1024 + estimate(records));
        final boolean logAppend = spec.logAppendTime() != RecordBatchDescriptor.NO_TIMESTAMP;
        final MemoryRecordsBuilder builder = new MemoryRecordsBuilder(
            buffer, (byte)2, kafkaCompression(spec.compression()),
            logAppend ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME,
            spec.baseOffset(), spec.logAppendTime(), spec.producerId(), spec.producerEpoch(), spec.baseSequence(),
            spec.transactional(), false, spec.leaderEpoch(), buffer.capacity());
        for (final Rec rec : records)
        {
            builder.appendWithOffset(rec.offset(), rec.timestamp(), rec.key(), rec.value(), kafkaHeaders(rec.headers()));
        }
        final ByteBuffer built = builder.build().buffer();
        final byte[] bytes = new byte[built.remaining()];
        built.get(bytes);
        return bytes;
    }

    static Header[] kafkaHeaders(final List<Hdr> headers)
    {
        final Header[] result = new Header[headers.size()];
        for (int i = 0; i < result.length; i++)
        {
            result[i] = new RecordHeader(headers.get(i).key(), headers.get(i).value());
        }
        return result;
    }

    /** Builds the batch with our builder into {@code buffer} at {@code offset}; returns its size. */
    static int buildWithMillrace(
        final RecordBatchBuilder builder, final org.agrona.MutableDirectBuffer buffer, final int offset,
        final BatchSpec spec, final List<Rec> records)
    {
        builder.wrap(buffer, offset, Integer.MAX_VALUE)
            .baseOffset(spec.baseOffset())
            .partitionLeaderEpoch(spec.leaderEpoch())
            .compression(spec.compression())
            .producer(spec.producerId(), spec.producerEpoch(), spec.baseSequence())
            .transactional(spec.transactional());
        if (spec.logAppendTime() != RecordBatchDescriptor.NO_TIMESTAMP)
        {
            builder.logAppendTime(spec.logAppendTime());
        }
        for (final Rec rec : records)
        {
            for (final Hdr header : rec.headers())
            {
                builder.header(header.key(), header.value());
            }
            if (!builder.appendWithOffsetDelta((int)(rec.offset() - spec.baseOffset()), rec.timestamp(), rec.key(), rec.value()))
            {
                throw new IllegalStateException("record did not fit");
            }
        }
        return builder.build();
    }

    static int estimate(final List<Rec> records)
    {
        int size = 0;
        for (final Rec rec : records)
        {
            size += 64 + (rec.key() == null ? 0 : rec.key().length) + (rec.value() == null ? 0 : rec.value().length);
            for (final Hdr header : rec.headers())
            {
                size += 32 + (header.value() == null ? 0 : header.value().length);
            }
        }
        return size * 2;
    }

    /** Reads every record with our reader into plain values. */
    static List<Rec> readWithMillrace(final RecordBatchReader reader, final DirectBuffer buffer, final int offset, final int length)
    {
        reader.validateDeep(buffer, offset, length, Integer.MAX_VALUE, offset);
        reader.wrap(buffer, offset, length, offset);
        final List<Rec> result = new ArrayList<>();
        while (reader.next())
        {
            final RecordFlyweight record = reader.record();
            final DirectBuffer b = record.buffer();
            final List<Hdr> headers = new ArrayList<>();
            record.resetHeaders();
            while (record.nextHeader())
            {
                final byte[] key = copy(b, record.headerKeyOffset(), record.headerKeyLength());
                headers.add(new Hdr(new String(key, StandardCharsets.UTF_8), copy(b, record.headerValueOffset(), record.headerValueLength())));
            }
            result.add(new Rec(
                record.offset(), record.timestamp(),
                copy(b, record.keyOffset(), record.keyLength()), copy(b, record.valueOffset(), record.valueLength()), headers));
        }
        return result;
    }

    static List<Rec> readWithKafka(final MutableRecordBatch batch)
    {
        final List<Rec> result = new ArrayList<>();
        for (final Record record : batch)
        {
            final List<Hdr> headers = new ArrayList<>();
            for (final Header header : record.headers())
            {
                headers.add(new Hdr(header.key(), header.value()));
            }
            result.add(new Rec(record.offset(), record.timestamp(), bytes(record.key()), bytes(record.value()), headers));
        }
        return result;
    }

    static byte[] copy(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < 0)
        {
            return null;
        }
        final byte[] bytes = new byte[length];
        buffer.getBytes(offset, bytes);
        return bytes;
    }

    static byte[] bytes(final ByteBuffer buffer)
    {
        if (null == buffer)
        {
            return null;
        }
        final byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    /** Record lists compared field by field, arrays by content. */
    static String describe(final List<Rec> records)
    {
        final StringBuilder sb = new StringBuilder();
        for (final Rec rec : records)
        {
            sb.append(rec.offset()).append('@').append(rec.timestamp()).append(" k=").append(Arrays.toString(rec.key()))
                .append(" v=").append(Arrays.toString(rec.value())).append(" h=[");
            for (final Hdr header : rec.headers())
            {
                sb.append(header.key()).append('=').append(Arrays.toString(header.value())).append(';');
            }
            sb.append("]\n");
        }
        return sb.toString();
    }
}
