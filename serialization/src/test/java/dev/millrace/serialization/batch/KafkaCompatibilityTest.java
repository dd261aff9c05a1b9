package dev.millrace.serialization.batch;

import static dev.millrace.serialization.batch.TestRecords.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Random;

import dev.millrace.serialization.compress.CompressionType;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Checks the format against kafka-clients 4.4's own record classes, both ways, for every codec: what Kafka
 * builds we read identically, what we build Kafka reads identically, and with Kafka's default levels the
 * two builders produce the same bytes.
 *
 * <p>Byte equality holds for every codec here because we use the same libraries with the same settings:
 * LZ4 and Snappy framing are written block by block exactly as Kafka's Lz4BlockOutputStream and xerial's
 * SnappyOutputStream cut them (64 KiB and 32 KiB of input per block), and zlib and zstd produce the same
 * stream whether their input arrives in one piece or through Kafka's 16 KiB BufferedOutputStream (for
 * zstd we reproduce the flush that closing that BufferedOutputStream causes: one empty 3-byte block before
 * the frame ends). The large-record case checks the multi-block paths.
 */
class KafkaCompatibilityTest
{
    private static final BatchSpec IDEMPOTENT = new BatchSpec(
        1234L, 7, CompressionType.NONE, RecordBatchDescriptor.NO_TIMESTAMP, 99_000L, (short)3, 42, false);

    private final RecordBatchBuilder builder = new RecordBatchBuilder();
    private final RecordBatchReader reader = new RecordBatchReader();

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void shouldBuildSameBytesAsKafkaForSmallRecords(final CompressionType type)
    {
        assertSameBytesAndReadableBothWays(withCodec(IDEMPOTENT, type), randomRecords(new Random(11 + type.id()), 40, 200, 1234L));
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void shouldBuildSameBytesAsKafkaAcrossCodecBlockBoundaries(final CompressionType type)
    {
        // About 300 KiB of records: several LZ4 blocks, Snappy chunks and gzip/zstd buffers.
        assertSameBytesAndReadableBothWays(withCodec(IDEMPOTENT, type), randomRecords(new Random(21 + type.id()), 30, 20_000, 1234L));
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void shouldBuildSameBytesAsKafkaForTransactionalLogAppendTimeBatch(final CompressionType type)
    {
        final BatchSpec spec = new BatchSpec(
            0L, RecordBatchDescriptor.NO_PARTITION_LEADER_EPOCH, type, 1_800_000_000_000L, 5L, (short)0, 0, true);
        assertSameBytesAndReadableBothWays(spec, randomRecords(new Random(31 + type.id()), 10, 100, 0L));
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void shouldBuildSameBytesAsKafkaWithOffsetGaps(final CompressionType type)
    {
        final List<Rec> dense = randomRecords(new Random(41 + type.id()), 20, 50, 500L);
        final List<Rec> sparse = new ArrayList<>();
        long offset = 500L;
        for (final Rec rec : dense)
        {
            sparse.add(new Rec(offset, rec.timestamp(), rec.key(), rec.value(), rec.headers()));
            offset += 1 + (offset % 3);
        }
        assertSameBytesAndReadableBothWays(
            new BatchSpec(500L, 1, type, RecordBatchDescriptor.NO_TIMESTAMP, -1L, (short)-1, -1, false), sparse);
    }

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void shouldReadOurBatchFromOffHeapBufferAtNonZeroOffset(final CompressionType type)
    {
        final List<Rec> records = randomRecords(new Random(51 + type.id()), 25, 300, 1234L);
        final BatchSpec spec = withCodec(IDEMPOTENT, type);
        final UnsafeBuffer direct = new UnsafeBuffer(ByteBuffer.allocateDirect(1 << 20));
        final int size = buildWithMillrace(builder, direct, 100, spec, records);
        final byte[] kafka = buildWithKafka(spec, records);
        assertEquals(kafka.length, size);
        final byte[] ours = new byte[size];
        direct.getBytes(100, ours);
        assertArrayEquals(kafka, ours);
        assertRecordsEqual(records, readWithMillrace(reader, direct, 100, size), spec);
    }

    private void assertSameBytesAndReadableBothWays(final BatchSpec spec, final List<Rec> records)
    {
        final byte[] kafkaBytes = buildWithKafka(spec, records);
        final ExpandableArrayBuffer ourBuffer = new ExpandableArrayBuffer(1024);
        final int size = buildWithMillrace(builder, ourBuffer, 0, spec, records);
        final byte[] ourBytes = new byte[size];
        ourBuffer.getBytes(0, ourBytes);

        // Kafka's batch, read by us: same records, and it passes our deep validation.
        final List<Rec> ourReadOfKafka = readWithMillrace(reader, new UnsafeBuffer(kafkaBytes), 0, kafkaBytes.length);
        assertRecordsEqual(records, ourReadOfKafka, spec);
        assertHeaderMatches(spec, records, reader.batch().wrap(new UnsafeBuffer(kafkaBytes), 0));

        // Our batch, read by Kafka: valid, same records and header fields.
        final Iterator<MutableRecordBatch> batches = MemoryRecords.readableRecords(ByteBuffer.wrap(ourBytes)).batches().iterator();
        final MutableRecordBatch kafkaBatch = batches.next();
        assertFalse(batches.hasNext());
        kafkaBatch.ensureValid();
        assertEquals(spec.compression().id(), kafkaBatch.compressionType().id);
        assertEquals(spec.baseOffset(), kafkaBatch.baseOffset());
        assertEquals(spec.leaderEpoch(), kafkaBatch.partitionLeaderEpoch());
        assertEquals(spec.producerId(), kafkaBatch.producerId());
        assertEquals(spec.producerEpoch(), kafkaBatch.producerEpoch());
        assertEquals(spec.baseSequence(), kafkaBatch.baseSequence());
        assertEquals(spec.transactional(), kafkaBatch.isTransactional());
        assertEquals(records.size(), kafkaBatch.countOrNull());
        assertEquals(records.get(records.size() - 1).offset(), kafkaBatch.lastOffset());
        assertEquals(
            spec.logAppendTime() != RecordBatchDescriptor.NO_TIMESTAMP ? TimestampType.LOG_APPEND_TIME : TimestampType.CREATE_TIME,
            kafkaBatch.timestampType());
        assertRecordsEqual(records, readWithKafka(kafkaBatch), spec);

        assertEquals(kafkaBytes.length, size, "batch size vs Kafka's for " + spec.compression());
        assertArrayEquals(kafkaBytes, ourBytes, "batch bytes vs Kafka's for " + spec.compression());
    }

    private static void assertHeaderMatches(final BatchSpec spec, final List<Rec> records, final RecordBatchFlyweight batch)
    {
        assertEquals(spec.baseOffset(), batch.baseOffset());
        assertEquals(spec.compression().id(), batch.compressionCodecId());
        assertEquals(spec.transactional(), batch.isTransactional());
        assertEquals(records.size(), batch.recordCount());
        assertEquals(records.get(records.size() - 1).offset(), batch.lastOffset());
        long max = -1;
        for (final Rec rec : records)
        {
            max = Math.max(max, rec.timestamp());
        }
        assertEquals(spec.logAppendTime() != RecordBatchDescriptor.NO_TIMESTAMP ? spec.logAppendTime() : max, batch.maxTimestamp());
    }

    static void assertRecordsEqual(final List<Rec> expected, final List<Rec> actual, final BatchSpec spec)
    {
        final List<Rec> adjusted = new ArrayList<>();
        for (final Rec rec : expected)
        {
            final long timestamp = spec.logAppendTime() != RecordBatchDescriptor.NO_TIMESTAMP ? spec.logAppendTime() : rec.timestamp();
            adjusted.add(new Rec(rec.offset(), timestamp, rec.key(), rec.value(), rec.headers()));
        }
        assertEquals(describe(adjusted), describe(actual));
    }

    private static BatchSpec withCodec(final BatchSpec spec, final CompressionType type)
    {
        return new BatchSpec(
            spec.baseOffset(), spec.leaderEpoch(), type, spec.logAppendTime(),
            spec.producerId(), spec.producerEpoch(), spec.baseSequence(), spec.transactional());
    }

}
