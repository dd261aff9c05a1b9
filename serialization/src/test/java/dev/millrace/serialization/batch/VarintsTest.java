package dev.millrace.serialization.batch;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.ByteBuffer;

import dev.millrace.serialization.batch.InvalidBatchException.Reason;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.kafka.common.utils.internals.ByteUtils;
import org.junit.jupiter.api.Test;

class VarintsTest
{
    private static final int[] INTS = {
        0, 1, -1, 63, -64, 64, -65, 8191, -8192, 8192, 1 << 20, -(1 << 20), 1 << 27, Integer.MAX_VALUE, Integer.MIN_VALUE,
        Integer.MAX_VALUE - 1, Integer.MIN_VALUE + 1 };
    private static final long[] LONGS = {
        0L, 1L, -1L, 63L, -64L, 64L, 1L << 35, -(1L << 35), 1L << 62, Long.MAX_VALUE, Long.MIN_VALUE, Long.MIN_VALUE + 1,
        Integer.MAX_VALUE, Integer.MIN_VALUE, 1_700_000_000_000L };

    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[32]);
    private final VarintReader reader = new VarintReader();

    @Test
    void shouldEncodeVarintsAsKafkaDoes()
    {
        for (final int value : INTS)
        {
            final int written = Varints.putVarint(buffer, 3, value);
            assertEquals(ByteUtils.sizeOfVarint(value), written, "size of " + value);
            assertEquals(written, Varints.sizeOfVarint(value));
            final ByteBuffer kafka = ByteBuffer.allocate(16);
            ByteUtils.writeVarint(value, kafka);
            for (int i = 0; i < written; i++)
            {
                assertEquals(kafka.get(i), buffer.getByte(3 + i), "byte " + i + " of " + value);
            }
            assertEquals(value, reader.wrap(buffer, 3, 3 + written, 0).readVarint());
            assertEquals(3 + written, reader.position());
        }
    }

    @Test
    void shouldEncodeVarlongsAsKafkaDoes()
    {
        for (final long value : LONGS)
        {
            final int written = Varints.putVarlong(buffer, 0, value);
            assertEquals(ByteUtils.sizeOfVarlong(value), written, "size of " + value);
            assertEquals(written, Varints.sizeOfVarlong(value));
            final ByteBuffer kafka = ByteBuffer.allocate(16);
            ByteUtils.writeVarlong(value, kafka);
            for (int i = 0; i < written; i++)
            {
                assertEquals(kafka.get(i), buffer.getByte(i), "byte " + i + " of " + value);
            }
            assertEquals(value, reader.wrap(buffer, 0, written, 0).readVarlong());
        }
    }

    @Test
    void shouldRejectVarintLongerThanFiveBytes()
    {
        fill(0x80, 5);
        buffer.putByte(5, (byte)0x01);
        assertBadVarint(() -> reader.wrap(buffer, 0, 32, 7).readVarint());
    }

    @Test
    void shouldAcceptFiveByteVarintAndDropOverflowBitsAsKafka()
    {
        fill(0xFF, 4);
        buffer.putByte(4, (byte)0x7F);
        final ByteBuffer kafka = ByteBuffer.wrap(new byte[] { -1, -1, -1, -1, 0x7F });
        assertEquals(ByteUtils.readVarint(kafka), reader.wrap(buffer, 0, 5, 0).readVarint());
    }

    @Test
    void shouldRejectVarlongLongerThanTenBytes()
    {
        fill(0x80, 10);
        buffer.putByte(10, (byte)0x01);
        assertBadVarint(() -> reader.wrap(buffer, 0, 32, 0).readVarlong());
    }

    @Test
    void shouldRejectVarintRunningPastItsLimitEvenWhenBytesFollow()
    {
        fill(0x80, 2);
        buffer.putByte(2, (byte)0x01);
        assertBadVarint(() -> reader.wrap(buffer, 0, 2, 0).readVarint());
        assertBadVarint(() -> reader.wrap(buffer, 0, 2, 0).readVarlong());
    }

    @Test
    void shouldRejectVarintAtEmptyRange()
    {
        assertBadVarint(() -> reader.wrap(buffer, 10, 10, 0).readVarint());
    }

    @Test
    void shouldNotMovePositionWhenVarintIsBad()
    {
        fill(0x80, 3);
        reader.wrap(buffer, 0, 3, 0);
        assertBadVarint(reader::readVarint);
        assertEquals(0, reader.position());
    }

    private void fill(final int b, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            buffer.putByte(i, (byte)b);
        }
    }

    private static void assertBadVarint(final Runnable read)
    {
        final InvalidBatchException ex = assertThrows(InvalidBatchException.class, read::run);
        assertEquals(Reason.BAD_VARINT, ex.reason());
    }
}
