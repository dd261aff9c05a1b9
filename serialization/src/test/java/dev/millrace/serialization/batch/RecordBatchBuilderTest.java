package dev.millrace.serialization.batch;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import dev.millrace.serialization.compress.CompressionType;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.MutableRecordBatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class RecordBatchBuilderTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[1 << 20]);
    private final UnsafeBuffer key = new UnsafeBuffer(new byte[16]);
    private final UnsafeBuffer value = new UnsafeBuffer(new byte[100]);
    private final RecordBatchBuilder builder = new RecordBatchBuilder();
    private final RecordBatchReader reader = new RecordBatchReader();

    @ParameterizedTest
    @EnumSource(CompressionType.class)
    void shouldBuildEmptyBatchThatValidates(final CompressionType type)
    {
        final int size = builder.wrap(buffer, 0, 1 << 20).compression(type).build();
        assertEquals(size, reader.validateDeep(buffer, 0, size, 1 << 20, 0));
        assertFalse(reader.next());
        assertEquals(0, reader.batch().recordCount());
    }

    @Test
    void shouldRejectNonIncreasingExplicitOffsetDelta()
    {
        builder.wrap(buffer, 0, 1 << 20);
        assertTrue(builder.appendWithOffsetDelta(3, 1L, null, new byte[1]));
        assertThrows(IllegalArgumentException.class, () -> builder.appendWithOffsetDelta(3, 1L, null, new byte[1]));
    }

    @Test
    void shouldRejectCompressionChangeAfterFirstRecord()
    {
        builder.wrap(buffer, 0, 1 << 20);
        builder.append(1L, null, new byte[1]);
        assertThrows(IllegalStateException.class, () -> builder.compression(CompressionType.GZIP));
    }

    @Test
    void shouldUseConfiguredBaseTimestampAndControlFlagAsKafkaReadsThem()
    {
        builder.wrap(buffer, 0, 1 << 20).baseTimestamp(1_000L).control(true).transactional(true).producer(9L, (short)2, 0);
        builder.append(1_500L, new byte[] { 0, 0, 0, 0 }, null);
        final int size = builder.build();
        final RecordBatchFlyweight batch = new RecordBatchFlyweight().wrap(buffer, 0);
        assertEquals(1_000L, batch.baseTimestamp());
        assertTrue(batch.isControl());
        reader.wrap(buffer, 0, size, 0);
        assertTrue(reader.next());
        assertEquals(500L, reader.record().timestampDelta());
        assertEquals(1_500L, reader.record().timestamp());
        final byte[] bytes = new byte[size];
        buffer.getBytes(0, bytes);
        final MutableRecordBatch kafka = MemoryRecords.readableRecords(ByteBuffer.wrap(bytes)).batches().iterator().next();
        kafka.ensureValid();
        assertTrue(kafka.isControlBatch());
        assertEquals(1_500L, kafka.iterator().next().timestamp());
    }

    @Test
    void shouldEncodeByteKeyedHeaderAsStringKeyedOne()
    {
        final byte[] name = "ключ".getBytes(StandardCharsets.UTF_8);
        builder.wrap(buffer, 0, 1 << 20);
        builder.header(new UnsafeBuffer(name), 0, name.length, value, 0, 3);
        builder.append(1L, null, null);
        final int size = builder.build();
        final byte[] bytes = new byte[size];
        buffer.getBytes(0, bytes);
        final MutableRecordBatch kafka = MemoryRecords.readableRecords(ByteBuffer.wrap(bytes)).batches().iterator().next();
        assertEquals("ключ", kafka.iterator().next().headers()[0].key());
    }

    @Test
    void shouldNotAllocatePerRecordWhenBuildingAndReadingUncompressed()
    {
        final com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final long threadId = Thread.currentThread().getId();
        buildAndReadMany();
        final long before = threads.getThreadAllocatedBytes(threadId);
        final int records = buildAndReadMany();
        final long allocated = threads.getThreadAllocatedBytes(threadId) - before;
        assertTrue(records > 1000);
        // A few hundred bytes of noise (the MXBean call itself) is tolerated; per-record allocation is not.
        assertTrue(allocated < 4096, "allocated " + allocated + " bytes for " + records + " records");
    }

    private int buildAndReadMany()
    {
        int total = 0;
        for (int batchNo = 0; batchNo < 20; batchNo++)
        {
            builder.wrap(buffer, 0, 64 * 1024);
            int i = 0;
            while (true)
            {
                key.putInt(0, i);
                builder.header("trace", value, 0, 8);
                if (!builder.append(1_000L + i, key, 0, 4, value, 0, 1 + (i % 100)))
                {
                    break;
                }
                i++;
            }
            final int size = builder.build();
            reader.validateDeep(buffer, 0, size, 1 << 20, 0);
            reader.wrap(buffer, 0, size, 0);
            while (reader.next())
            {
                final RecordFlyweight record = reader.record();
                while (record.nextHeader())
                {
                    total += record.headerValueLength() > 0 ? 0 : 1;
                }
                total++;
            }
        }
        return total;
    }
}
