package dev.millrace.serialization.batch;

import static dev.millrace.serialization.batch.RecordBatchDescriptor.*;
import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;

import dev.millrace.serialization.batch.InvalidBatchException.Reason;
import dev.millrace.serialization.compress.CompressionType;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.apache.kafka.common.record.internal.Record;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each {@link Reason} from the input that should produce it, and the header rewrites a broker does. */
class RecordBatchValidationTest
{
    private static final int MAX = 1 << 20;

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1 << 16]);
    private final RecordBatchBuilder builder = new RecordBatchBuilder();
    private final RecordBatchReader reader = new RecordBatchReader();
    private final RecordBatchFlyweight flyweight = new RecordBatchFlyweight();

    private int buildOneRecord(final CompressionType type)
    {
        builder.wrap(buffer, 0, MAX).compression(type);
        builder.header("h", "v".getBytes(StandardCharsets.UTF_8));
        assertTrue(builder.append(1000L, "key".getBytes(StandardCharsets.UTF_8), "value".getBytes(StandardCharsets.UTF_8)));
        return builder.build();
    }

    private Reason deepReason(final int available)
    {
        return assertThrows(InvalidBatchException.class, () -> reader.validateDeep(buffer, 0, available, MAX, 0)).reason();
    }

    private void recomputeCrc()
    {
        flyweight.wrap(buffer, 0).updateCrc();
    }

    @Test
    void shouldAcceptWellFormedBatch()
    {
        final int size = buildOneRecord(CompressionType.NONE);
        assertEquals(size, reader.validateDeep(buffer, 0, size, MAX, 0));
    }

    @Test
    void shouldRejectFewerBytesThanLengthFieldAsTruncated()
    {
        buildOneRecord(CompressionType.NONE);
        assertEquals(Reason.TRUNCATED, deepReason(LOG_OVERHEAD - 1));
    }

    @Test
    void shouldRejectPartialBatchAsTruncated()
    {
        final int size = buildOneRecord(CompressionType.NONE);
        assertEquals(Reason.TRUNCATED, deepReason(size - 1));
    }

    @Test
    void shouldRejectLengthBelowHeaderSize()
    {
        final int size = buildOneRecord(CompressionType.NONE);
        buffer.putInt(LENGTH_OFFSET, MIN_BATCH_LENGTH - 1, BYTE_ORDER);
        assertEquals(Reason.LENGTH_OUT_OF_RANGE, deepReason(size));
    }

    @Test
    void shouldRejectLengthAboveMaxBatchSize()
    {
        final int size = buildOneRecord(CompressionType.NONE);
        final InvalidBatchException ex = assertThrows(
            InvalidBatchException.class, () -> reader.validateDeep(buffer, 0, size, size - 1, 0));
        assertEquals(Reason.LENGTH_OUT_OF_RANGE, ex.reason());
    }

    @Test
    void shouldRejectBatchWithBadMagic()
    {
        final int size = buildOneRecord(CompressionType.NONE);
        buffer.putByte(MAGIC_OFFSET, (byte)1);
        assertEquals(Reason.BAD_MAGIC, deepReason(size));
    }

    @Test
    void shouldRejectBatchWithBadCrc()
    {
        final int size = buildOneRecord(CompressionType.NONE);
        buffer.putByte(size - 3, (byte)(buffer.getByte(size - 3) ^ 0x01));
        assertEquals(Reason.BAD_CRC, deepReason(size));
    }

    @Test
    void shouldRejectUnknownCodecId()
    {
        final int size = buildOneRecord(CompressionType.NONE);
        buffer.putShort(ATTRIBUTES_OFFSET, (short)5, BYTE_ORDER);
        recomputeCrc();
        assertEquals(Reason.UNKNOWN_COMPRESSION, deepReason(size));
    }

    @Test
    void shouldRejectUnknownAttributeBits()
    {
        final int size = buildOneRecord(CompressionType.NONE);
        buffer.putShort(ATTRIBUTES_OFFSET, (short)0x80, BYTE_ORDER);
        recomputeCrc();
        assertEquals(Reason.UNKNOWN_COMPRESSION, deepReason(size));
    }

    @Test
    void shouldRejectOverlongRecordLengthVarint()
    {
        final int size = buildOneRecord(CompressionType.NONE);
        for (int i = 0; i < 6; i++)
        {
            buffer.putByte(RECORDS_OFFSET + i, (byte)0xFF);
        }
        recomputeCrc();
        assertEquals(Reason.BAD_VARINT, deepReason(size));
    }

    @Test
    void shouldRejectVarintRunningPastRecordEnd()
    {
        // A record whose stated length ends inside its timestamp-delta varlong.
        final int size = buildOneRecord(CompressionType.NONE);
        buffer.putByte(RECORDS_OFFSET, (byte)(2 << 1));
        buffer.putByte(RECORDS_OFFSET + 2, (byte)0x80);
        recomputeCrc();
        assertEquals(Reason.BAD_VARINT, deepReason(size));
    }

    @Test
    void shouldRejectCountAboveRecordsPresent()
    {
        final int size = buildOneRecord(CompressionType.NONE);
        buffer.putInt(RECORDS_COUNT_OFFSET, 2, BYTE_ORDER);
        buffer.putInt(LAST_OFFSET_DELTA_OFFSET, 1, BYTE_ORDER);
        recomputeCrc();
        final InvalidBatchException ex = assertThrows(InvalidBatchException.class, () -> reader.validateDeep(buffer, 0, size, MAX, 0));
        assertEquals(Reason.BAD_RECORD, ex.reason());
        assertTrue(ex.getMessage().contains("states 2 records"), ex.getMessage());
    }

    @Test
    void shouldRejectBytesLeftAfterLastRecord()
    {
        builder.wrap(buffer, 0, MAX);
        builder.append(1L, new byte[] { 1 }, new byte[] { 2 });
        builder.append(2L, new byte[] { 3 }, new byte[] { 4 });
        final int size = builder.build();
        buffer.putInt(RECORDS_COUNT_OFFSET, 1, BYTE_ORDER);
        recomputeCrc();
        assertEquals(Reason.BAD_RECORD, deepReason(size));
    }

    @Test
    void shouldRejectNegativeRecordCount()
    {
        final int size = buildOneRecord(CompressionType.NONE);
        buffer.putInt(RECORDS_COUNT_OFFSET, -1, BYTE_ORDER);
        recomputeCrc();
        assertEquals(Reason.BAD_RECORD, deepReason(size));
    }

    @Test
    void shouldRejectKeyLengthBelowMinusOne()
    {
        // Record: length, attributes, ts delta, offset delta, then the key length at +4.
        final int size = buildOneRecord(CompressionType.NONE);
        assertEquals(3 << 1, buffer.getByte(RECORDS_OFFSET + 4));
        buffer.putByte(RECORDS_OFFSET + 4, (byte)3);
        recomputeCrc();
        final InvalidBatchException ex = assertThrows(InvalidBatchException.class, () -> reader.validateDeep(buffer, 0, size, MAX, 0));
        assertEquals(Reason.BAD_RECORD, ex.reason());
        assertTrue(ex.getMessage().contains("key length -2"), ex.getMessage());
    }

    @Test
    void shouldRejectRecordLongerThanBytesLeft()
    {
        final int size = buildOneRecord(CompressionType.NONE);
        buffer.putByte(RECORDS_OFFSET, (byte)(60 << 1));
        recomputeCrc();
        assertEquals(Reason.BAD_RECORD, deepReason(size));
    }

    @Test
    void shouldRejectOffsetDeltaBeyondLastOffsetDelta()
    {
        final int size = buildOneRecord(CompressionType.NONE);
        buffer.putByte(RECORDS_OFFSET + 3, (byte)(1 << 1));
        recomputeCrc();
        assertEquals(Reason.BAD_RECORD, deepReason(size));
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void shouldRejectGarbledCompressedPayload(final CompressionType type)
    {
        final int size = buildOneRecord(type);
        for (int i = RECORDS_OFFSET; i < size; i++)
        {
            buffer.putByte(i, (byte)(i * 31));
        }
        recomputeCrc();
        assertEquals(Reason.BAD_COMPRESSED_DATA, deepReason(size));
    }

    @ParameterizedTest
    @EnumSource(value = CompressionType.class, names = "NONE", mode = EnumSource.Mode.EXCLUDE)
    void shouldRejectDecompressionBomb(final CompressionType type)
    {
        final byte[] zeros = new byte[4 << 20];
        final UnsafeBuffer small = new UnsafeBuffer(new byte[1 << 20]);
        builder.wrap(small, 0, small.capacity()).compression(type);
        assertFalse(builder.append(1L, null, zeros), "4 MiB uncompressed is refused by a 1 MiB batch");

        final UnsafeBuffer huge = new UnsafeBuffer(ByteBuffer.allocate(6 << 20));
        builder.wrap(huge, 0, Integer.MAX_VALUE).compression(type);
        assertTrue(builder.append(1L, null, zeros));
        final int size = builder.build();
        assertTrue(size < 1 << 20, "zeros compress well: " + size);

        final InvalidBatchException ex = assertThrows(
            InvalidBatchException.class, () -> new RecordBatchReader(1 << 20).validateDeep(huge, 0, size, MAX, 0));
        assertEquals(Reason.BAD_COMPRESSED_DATA, ex.reason());
        assertTrue(ex.getMessage().contains("more than the allowed"), ex.getMessage());
        assertEquals(size, new RecordBatchReader(8 << 20).validateDeep(huge, 0, size, MAX, 0));
    }

    @Test
    void shouldReportBatchPositionInException()
    {
        final int size = buildOneRecord(CompressionType.NONE);
        buffer.putByte(MAGIC_OFFSET, (byte)0);
        final InvalidBatchException ex = assertThrows(InvalidBatchException.class, () -> reader.validateDeep(buffer, 0, size, MAX, 4096L));
        assertEquals(4096L, ex.batchOffset());
    }

    @Test
    void shouldKeepCrcValidWhenBaseOffsetAndEpochAreRewritten()
    {
        final int size = buildOneRecord(CompressionType.LZ4);
        flyweight.wrap(buffer, 0).baseOffset(1_000_000L);
        flyweight.partitionLeaderEpoch(12);
        assertEquals(size, flyweight.validate(size, MAX, 0));
        final MutableRecordBatch batch = kafkaBatch(size);
        batch.ensureValid();
        assertEquals(1_000_000L, batch.baseOffset());
        assertEquals(12, batch.partitionLeaderEpoch());
        assertEquals(1_000_000L, batch.iterator().next().offset());
        reader.wrap(buffer, 0, size, 0);
        assertTrue(reader.next());
        assertEquals(1_000_000L, reader.record().offset());
    }

    @Test
    void shouldStampLogAppendTimeAndKeepCrcValid()
    {
        final int size = buildOneRecord(CompressionType.GZIP);
        flyweight.wrap(buffer, 0).logAppendTime(5_000L);
        assertEquals(size, flyweight.validate(size, MAX, 0));
        assertTrue(flyweight.isLogAppendTime());
        final MutableRecordBatch batch = kafkaBatch(size);
        batch.ensureValid();
        assertEquals(TimestampType.LOG_APPEND_TIME, batch.timestampType());
        final Record record = batch.iterator().next();
        assertEquals(5_000L, record.timestamp());
        reader.wrap(buffer, 0, size, 0);
        assertTrue(reader.next());
        assertEquals(5_000L, reader.record().timestamp());
    }

    @Test
    void shouldWrapLastSequenceAsKafka()
    {
        builder.wrap(buffer, 0, MAX).producer(7L, (short)1, Integer.MAX_VALUE - 1);
        for (int i = 0; i < 5; i++)
        {
            assertTrue(builder.append(i, null, new byte[] { (byte)i }));
        }
        final int size = builder.build();
        flyweight.wrap(buffer, 0);
        assertEquals(2, flyweight.lastSequence());
        assertEquals(kafkaBatch(size).lastSequence(), flyweight.lastSequence());
    }

    @Test
    void shouldRefuseRecordThatDoesNotFitAndKeepBatchValid()
    {
        final UnsafeBuffer small = new UnsafeBuffer(new byte[200]);
        builder.wrap(small, 0, 1000);
        final Random random = new Random(1);
        int appended = 0;
        while (builder.append(appended, null, TestRecords.randomBytes(random, 30)))
        {
            appended++;
        }
        assertTrue(appended > 0);
        assertEquals(appended, builder.recordCount());
        final int size = builder.build();
        assertTrue(size <= 200);
        assertEquals(size, reader.validateDeep(small, 0, size, MAX, 0));
    }

    @Test
    void shouldReadNullKeyValueAndHeaderValue()
    {
        builder.wrap(buffer, 0, MAX);
        builder.header("n", null);
        assertTrue(builder.append(3L, null, null));
        final int size = builder.build();
        reader.wrap(buffer, 0, size, 0);
        assertTrue(reader.next());
        final RecordFlyweight record = reader.record();
        assertEquals(-1, record.keyLength());
        assertEquals(-1, record.valueLength());
        assertEquals(1, record.headerCount());
        assertTrue(record.nextHeader());
        assertEquals(1, record.headerKeyLength());
        assertEquals(-1, record.headerValueLength());
        assertFalse(record.nextHeader());
        assertFalse(reader.next());
    }

    private MutableRecordBatch kafkaBatch(final int size)
    {
        final byte[] bytes = new byte[size];
        buffer.getBytes(0, bytes);
        return MemoryRecords.readableRecords(ByteBuffer.wrap(bytes)).batches().iterator().next();
    }
}
