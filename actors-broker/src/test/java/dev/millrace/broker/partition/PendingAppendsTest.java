package dev.millrace.broker.partition;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import dev.millrace.broker.partition.PartitionProtocol.Produce;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import dev.millrace.serialization.batch.RecordBatchDescriptor;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 10, unit = TimeUnit.SECONDS)
class PendingAppendsTest
{
    private static final TopicPartition TP = new TopicPartition("t", 0);

    private static Produce produce(final byte... records)
    {
        return new Produce(TP, (short)1, records, null);
    }

    @Test
    void shouldLayOutStagedRequestsBackToBackAndGrowPastItsInitialCapacity()
    {
        final PendingAppends pending = new PendingAppends();
        final byte[] expected = new byte[40];
        for (int i = 0; i < 40; i++)
        {
            pending.add(produce((byte)i), 1, RecordBatchDescriptor.NO_PRODUCER_ID, (short)-1, -1, -1);
            expected[i] = (byte)i;
        }
        assertEquals(40, pending.size());
        assertEquals(40, pending.bytes());
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        assertEquals(40, pending.copyTo(buffer));
        assertArrayEquals(expected, Arrays.copyOf(buffer.byteArray(), 40));

        final Produce last = pending.request(39);
        pending.clear();
        assertTrue(pending.isEmpty());
        assertEquals(0, pending.bytes());
        assertEquals(-1, pending.lastIndexOf(7));
        pending.add(last, 1, 7, (short)0, 0, 0);
        assertEquals(last, pending.request(0));
    }

    @Test
    void shouldContinueAStagedBatchOnlyWithTheNextSequenceOfTheSameEpoch()
    {
        final PendingAppends pending = new PendingAppends();
        pending.add(produce((byte)1), 3, 42, (short)2, 0, 2);
        pending.add(produce((byte)2), 1, 43, (short)0, 0, 0);
        pending.add(produce((byte)3), 2, 42, (short)2, Integer.MAX_VALUE - 1, Integer.MAX_VALUE);

        assertEquals(2, pending.lastIndexOf(42), "the newest staged batch of the producer");
        assertEquals(1, pending.lastIndexOf(43));
        assertEquals(-1, pending.lastIndexOf(44));
        assertTrue(pending.continues(2, (short)2, 0), "sequences wrap to 0 after Integer.MAX_VALUE");
        assertFalse(pending.continues(2, (short)2, Integer.MAX_VALUE), "a retry does not continue");
        assertFalse(pending.continues(2, (short)3, 0), "a new epoch is decided against the producer state");
        assertTrue(pending.continues(0, (short)2, 3));
        assertFalse(pending.continues(0, (short)2, 4), "a gap does not continue");
        assertEquals(2, pending.offsetCount(2));
        assertEquals(Integer.MAX_VALUE - 1, pending.firstSequence(2));
    }
}
