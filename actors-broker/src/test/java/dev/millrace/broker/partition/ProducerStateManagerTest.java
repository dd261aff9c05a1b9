package dev.millrace.broker.partition;

import static dev.millrace.broker.partition.ProducerStateManager.Verdict.APPEND;
import static dev.millrace.broker.partition.ProducerStateManager.Verdict.DUPLICATE;
import static dev.millrace.broker.partition.ProducerStateManager.Verdict.INVALID_PRODUCER_EPOCH;
import static dev.millrace.broker.partition.ProducerStateManager.Verdict.OUT_OF_ORDER_SEQUENCE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProducerStateManagerTest
{
    private static final long PID = 42;
    private static final short EPOCH = 3;

    private final ProducerStateManager producers = new ProducerStateManager();

    /** Appends batches of {@code size} records from sequence {@code firstSeq} at offsets from {@code firstOffset}. */
    private void append(final short epoch, final int firstSeq, final int size, final long firstOffset)
    {
        final int lastSeq = lastSeq(firstSeq, size);
        assertEquals(APPEND, producers.check(PID, epoch, firstSeq, lastSeq));
        producers.update(PID, epoch, firstSeq, lastSeq, firstOffset, firstOffset + size - 1);
    }

    private static int lastSeq(final int firstSeq, final int size)
    {
        final long last = (long)firstSeq + size - 1;
        return last > Integer.MAX_VALUE ? (int)(last - Integer.MAX_VALUE - 1) : (int)last;
    }

    @Test
    void shouldAcceptUnknownProducerAtAnySequence()
    {
        assertEquals(APPEND, producers.check(PID, EPOCH, 0, 4));
        assertEquals(APPEND, producers.check(PID, EPOCH, 17, 20));
        assertEquals(0, producers.producerCount());
    }

    @Test
    void shouldAcceptNextSequenceAndRejectGap()
    {
        append(EPOCH, 0, 5, 100);
        append(EPOCH, 5, 5, 105);
        assertEquals(OUT_OF_ORDER_SEQUENCE, producers.check(PID, EPOCH, 11, 12));
        assertEquals(OUT_OF_ORDER_SEQUENCE, producers.check(PID, EPOCH, 3, 12));
        assertEquals(APPEND, producers.check(PID, EPOCH, 10, 12));
        assertEquals(9, producers.lastSequence(PID));
        assertEquals(1, producers.producerCount());
    }

    @Test
    void shouldReportDuplicateOfAnyOfLastFiveBatchesWithOriginalOffsets()
    {
        for (int i = 0; i < 6; i++)
        {
            append(EPOCH, i * 2, 2, 1000 + i * 2);
        }
        // Batches 1..5 are retained, batch 0 (seq 0-1) has been forgotten.
        for (int i = 1; i < 6; i++)
        {
            assertEquals(DUPLICATE, producers.check(PID, EPOCH, i * 2, i * 2 + 1));
            assertEquals(1000 + i * 2, producers.duplicateFirstOffset());
            assertEquals(1000 + i * 2 + 1, producers.duplicateLastOffset());
        }
        assertEquals(OUT_OF_ORDER_SEQUENCE, producers.check(PID, EPOCH, 0, 1));
        // Same first sequence, different last: not a duplicate.
        assertEquals(OUT_OF_ORDER_SEQUENCE, producers.check(PID, EPOCH, 2, 5));
    }

    @Test
    void shouldFenceOlderEpoch()
    {
        append(EPOCH, 0, 3, 0);
        assertEquals(INVALID_PRODUCER_EPOCH, producers.check(PID, (short)(EPOCH - 1), 3, 5));
        // Even a duplicate of a batch at the current epoch is fenced when it claims an older epoch.
        assertEquals(INVALID_PRODUCER_EPOCH, producers.check(PID, (short)(EPOCH - 1), 0, 2));
    }

    @Test
    void shouldRequireSequenceZeroForNewerEpoch()
    {
        append(EPOCH, 0, 3, 0);
        final short next = EPOCH + 1;
        assertEquals(OUT_OF_ORDER_SEQUENCE, producers.check(PID, next, 3, 5));
        assertEquals(APPEND, producers.check(PID, next, 0, 1));
        producers.update(PID, next, 0, 1, 3, 4);
        assertEquals(next, producers.epoch(PID));
        // The old epoch's batches are gone: a retry of them is now fenced, not a duplicate.
        assertEquals(INVALID_PRODUCER_EPOCH, producers.check(PID, EPOCH, 0, 2));
        assertEquals(APPEND, producers.check(PID, next, 2, 2));
    }

    @Test
    void shouldWrapSequenceAfterIntegerMaxValue()
    {
        append(EPOCH, Integer.MAX_VALUE - 4, 5, 0);
        assertEquals(Integer.MAX_VALUE, producers.lastSequence(PID));
        assertEquals(OUT_OF_ORDER_SEQUENCE, producers.check(PID, EPOCH, Integer.MIN_VALUE, Integer.MIN_VALUE));
        assertEquals(OUT_OF_ORDER_SEQUENCE, producers.check(PID, EPOCH, 1, 2));
        append(EPOCH, 0, 3, 5);
        append(EPOCH, 3, 1, 8);
        assertEquals(3, producers.lastSequence(PID));
    }

    @Test
    void shouldAcceptBatchSpanningTheWrapAndDetectItsRetry()
    {
        append(EPOCH, Integer.MAX_VALUE - 5, 4, 0);
        final int first = Integer.MAX_VALUE - 1;
        final int last = lastSeq(first, 4);
        assertEquals(1, last);
        append(EPOCH, first, 4, 4);
        assertEquals(DUPLICATE, producers.check(PID, EPOCH, first, last));
        assertEquals(4, producers.duplicateFirstOffset());
        assertEquals(APPEND, producers.check(PID, EPOCH, 2, 2));
    }

    @Test
    void shouldKeepProducersApart()
    {
        append(EPOCH, 0, 2, 0);
        producers.update(7, (short)0, 0, 0, 2, 2);
        assertEquals(2, producers.producerCount());
        assertEquals(APPEND, producers.check(7, (short)0, 1, 1));
        assertEquals(DUPLICATE, producers.check(PID, EPOCH, 0, 1));
    }

    @Test
    void shouldIgnoreReplayedOlderEpochAndForgetEverythingOnClear()
    {
        append(EPOCH, 0, 2, 0);
        producers.update(PID, (short)(EPOCH - 1), 9, 9, 5, 5);
        assertEquals(EPOCH, producers.epoch(PID));
        assertEquals(1, producers.lastSequence(PID));
        producers.clear();
        assertEquals(0, producers.producerCount());
        assertEquals(-1, producers.epoch(PID));
    }

    @Test
    void shouldFollowKafkaSequenceContinuity()
    {
        assertTrue(ProducerStateManager.inSequence(Integer.MAX_VALUE, 0));
        assertTrue(ProducerStateManager.inSequence(5, 6));
        assertFalse(ProducerStateManager.inSequence(Integer.MAX_VALUE, Integer.MIN_VALUE));
        assertFalse(ProducerStateManager.inSequence(5, 5));
    }
}
