package dev.millrace.serialization.batch;

import static dev.millrace.serialization.batch.RecordBatchDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Random;

import dev.millrace.serialization.compress.BatchCompressor;
import dev.millrace.serialization.compress.CompressionType;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.jupiter.api.Test;

/**
 * Seeded fuzzing of the reader: valid batches of every codec, mutated in ways that reach each layer (framing,
 * CRC, decompression, record parser — the CRC is recomputed where the mutation should get past it). Every
 * outcome must be a successful read or an {@link InvalidBatchException}; any other throwable, or a hang,
 * fails. A failure message names the seed and iteration, which replay it exactly.
 */
class RecordBatchFuzzTest
{
    private static final long SEED = 0x5EEDL;
    private static final int ITERATIONS = 20_000;
    private static final int MAX_BATCH = 1 << 20;
    private static final CompressionType[] CODECS = CompressionType.values();

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[MAX_BATCH]);
    private final UnsafeBuffer plain = new UnsafeBuffer(new byte[MAX_BATCH]);
    private final RecordBatchBuilder builder = new RecordBatchBuilder();
    private final RecordBatchReader reader = new RecordBatchReader(1 << 20);
    private final RecordBatchFlyweight flyweight = new RecordBatchFlyweight();
    private final BatchCompressor compressor = new BatchCompressor();

    private final EnumMap<InvalidBatchException.Reason, Integer> rejectedBy = new EnumMap<>(InvalidBatchException.Reason.class);
    private int accepted;
    private int rejected;

    @Test
    void shouldOnlyEverReadOrThrowInvalidBatchExceptionOnMutatedBatches()
    {
        assertTimeoutPreemptively(Duration.ofSeconds(60), () -> fuzz(SEED, ITERATIONS));
        assertTrue(accepted > 0 && rejected > 0, "accepted " + accepted + ", rejected " + rejected);
        // The mutations are meant to reach every layer; this shows they do.
        for (final InvalidBatchException.Reason reason : InvalidBatchException.Reason.values())
        {
            assertTrue(rejectedBy.getOrDefault(reason, 0) > 0, "no batch rejected for " + reason + ": " + rejectedBy);
        }
    }

    private void fuzz(final long seed, final int iterations)
    {
        final Random random = new Random(seed);
        for (int i = 0; i < iterations; i++)
        {
            final CompressionType codec = CODECS[random.nextInt(CODECS.length)];
            final int mutation = random.nextInt(9);
            int available = 0;
            try
            {
                available = mutate(random, codec, mutation);
                readFully(available);
                assertKafkaReadsTheSame(available);
                accepted++;
            }
            catch (final InvalidBatchException expected)
            {
                rejected++;
                rejectedBy.merge(expected.reason(), 1, Integer::sum);
            }
            catch (final Throwable unexpected)
            {
                fail("seed " + seed + " iteration " + i + " codec " + codec + " mutation " + mutation +
                    " available " + available + ": " + unexpected, unexpected);
            }
        }
    }

    /** Builds a fresh batch, mutates it, returns how many bytes the reader may see. */
    private int mutate(final Random random, final CompressionType codec, final int mutation)
    {
        final long baseOffset = random.nextInt(1000);
        final List<TestRecords.Rec> records = TestRecords.randomRecords(random, 1 + random.nextInt(12), 1 + random.nextInt(300), baseOffset);
        final TestRecords.BatchSpec spec = new TestRecords.BatchSpec(
            baseOffset, random.nextInt(5), codec, RecordBatchDescriptor.NO_TIMESTAMP, 1L, (short)0, 0, false);
        int size = TestRecords.buildWithMillrace(builder, buffer, 0, spec, records);
        // Whatever follows the batch is garbage a careless reader might run into.
        for (int i = size; i < size + 64; i++)
        {
            buffer.putByte(i, (byte)random.nextInt());
        }
        switch (mutation)
        {
            case 0:
                flipBytes(random, 0, size);
                return size;
            case 1:
                flipBytes(random, RECORDS_OFFSET, size);
                updateCrc();
                return size;
            case 2:
                return random.nextInt(size);
            case 3:
            {
                final int extra = 1 + random.nextInt(100);
                buffer.putInt(LENGTH_OFFSET, size + extra - LOG_OVERHEAD, BYTE_ORDER);
                updateCrc();
                return size + extra;
            }
            case 4:
                buffer.putInt(LENGTH_OFFSET, random.nextBoolean() ? random.nextInt() : random.nextInt(size * 2), BYTE_ORDER);
                return random.nextBoolean() ? size : buffer.capacity();
            case 5:
                buffer.putInt(RECORDS_COUNT_OFFSET, random.nextBoolean() ? random.nextInt() : random.nextInt(40) - 2, BYTE_ORDER);
                buffer.putInt(LAST_OFFSET_DELTA_OFFSET, random.nextBoolean() ? random.nextInt() : random.nextInt(40) - 2, BYTE_ORDER);
                if (random.nextBoolean())
                {
                    buffer.putShort(ATTRIBUTES_OFFSET, (short)random.nextInt(0x100), BYTE_ORDER);
                }
                updateCrc();
                return size;
            case 6:
                size = garbleRecordsThenCompress(random, spec, records, codec);
                return size;
            case 7:
                for (int i = RECORDS_OFFSET; i < size; i++)
                {
                    buffer.putByte(i, (byte)random.nextInt());
                }
                updateCrc();
                return size;
            default:
                // Left intact: the reader must accept it.
                return size;
        }
    }

    /** Garbles the varints of an uncompressed record section, then compresses it so the parser sees the damage. */
    private int garbleRecordsThenCompress(
        final Random random, final TestRecords.BatchSpec spec, final List<TestRecords.Rec> records, final CompressionType codec)
    {
        final TestRecords.BatchSpec uncompressed = new TestRecords.BatchSpec(
            spec.baseOffset(), spec.leaderEpoch(), CompressionType.NONE, spec.logAppendTime(),
            spec.producerId(), spec.producerEpoch(), spec.baseSequence(), spec.transactional());
        final int plainSize = TestRecords.buildWithMillrace(builder, plain, 0, uncompressed, records);
        final int hits = 1 + random.nextInt(4);
        for (int h = 0; h < hits; h++)
        {
            final int at = RECORDS_OFFSET + random.nextInt(plainSize - RECORDS_OFFSET);
            final int run = 1 + random.nextInt(11);
            for (int i = at; i < Math.min(at + run, plainSize); i++)
            {
                final int choice = random.nextInt(4);
                plain.putByte(i, (byte)(choice == 0 ? 0xFF : choice == 1 ? 0x80 : choice == 2 ? 0x01 : random.nextInt()));
            }
        }
        final int recordsLength = plainSize - RECORDS_OFFSET;
        buffer.putBytes(0, plain, 0, RECORDS_OFFSET);
        final int compressed = compressor.compress(codec, codec.defaultLevel(), plain, RECORDS_OFFSET, recordsLength);
        buffer.putBytes(RECORDS_OFFSET, compressor.output(), 0, compressed);
        buffer.putShort(ATTRIBUTES_OFFSET, (short)codec.id(), BYTE_ORDER);
        final int size = RECORDS_OFFSET + compressed;
        buffer.putInt(LENGTH_OFFSET, size - LOG_OVERHEAD, BYTE_ORDER);
        updateCrc();
        return size;
    }

    private void flipBytes(final Random random, final int from, final int to)
    {
        final int flips = 1 + random.nextInt(4);
        for (int f = 0; f < flips; f++)
        {
            final int at = from + random.nextInt(to - from);
            buffer.putByte(at, (byte)(buffer.getByte(at) ^ (1 + random.nextInt(255))));
        }
    }

    private void updateCrc()
    {
        flyweight.wrap(buffer, 0).updateCrc();
    }

    private void readFully(final int available)
    {
        final int size = reader.validateDeep(buffer, 0, available, MAX_BATCH, 0);
        reader.wrap(buffer, 0, size, 0);
        while (reader.next())
        {
            final RecordFlyweight record = reader.record();
            record.resetHeaders();
            while (record.nextHeader())
            {
                record.buffer().getByte(record.headerKeyOffset() + Math.max(record.headerKeyLength() - 1, 0));
            }
            if (record.valueLength() > 0)
            {
                record.buffer().getByte(record.valueOffset() + record.valueLength() - 1);
            }
        }
    }

    /** What we accept must be what Kafka consumers accept and read the same way: a broker stores only that. */
    private void assertKafkaReadsTheSame(final int available)
    {
        final int size = new RecordBatchFlyweight().wrap(buffer, 0).sizeInBytes();
        final byte[] bytes = new byte[size];
        buffer.getBytes(0, bytes);
        final MutableRecordBatch kafkaBatch = MemoryRecords.readableRecords(ByteBuffer.wrap(bytes)).batches().iterator().next();
        kafkaBatch.ensureValid();
        assertEquals(
            TestRecords.describe(TestRecords.readWithMillrace(reader, buffer, 0, available)),
            TestRecords.describe(TestRecords.readWithKafka(kafkaBatch)));
    }
}
