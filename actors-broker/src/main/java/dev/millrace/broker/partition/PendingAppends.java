package dev.millrace.broker.partition;

import java.util.Arrays;

import dev.millrace.broker.partition.PartitionProtocol.Produce;
import dev.millrace.serialization.batch.RecordBatchDescriptor;
import org.agrona.MutableDirectBuffer;

/**
 * The produce requests a {@link PartitionReplica} has accepted in this turn of its mailbox but not yet appended: they
 * go to the log together, as one {@code Log.append} of their batches back to back (one validation pass, one file
 * write), and each is then answered with its own base offset. A replica that drains a burst of produce requests thus
 * pays the append's fixed costs, and wakes the requesters' threads, once per burst instead of once per request.
 *
 * <p>Per request it keeps what the replica decided before staging it: the offsets it spans (the sum over its batches
 * of {@code lastOffsetDelta + 1}, which the log assigns in order from the group's first offset) and, for a batch of an
 * idempotent producer, its producer id, epoch and sequences, so that the producer state is updated per request after
 * the append, and so that a later request of the same producer in the same group is checked against the staged one
 * ({@link #continues}) rather than against the producer state, which does not know the staged batch yet.
 *
 * <p>The bytes are not copied when a request is staged (a {@link Produce}'s array is never changed); {@link #copyTo}
 * lays them out for the append.
 *
 * <p>Threading: owned by the replica (its single writer); allocates only when it grows.
 */
final class PendingAppends
{
    private Produce[] requests = new Produce[16];
    private long[] offsetCounts = new long[16];
    private long[] producerIds = new long[16];
    private short[] producerEpochs = new short[16];
    private int[] firstSequences = new int[16];
    private int[] lastSequences = new int[16];
    private int size;
    private int bytes;

    boolean isEmpty()
    {
        return size == 0;
    }

    int size()
    {
        return size;
    }

    /** Bytes of all staged requests' batches. */
    int bytes()
    {
        return bytes;
    }

    /**
     * Stages {@code produce}, which spans {@code offsetCount} offsets; {@code producerId} is
     * {@link RecordBatchDescriptor#NO_PRODUCER_ID} for a request without an idempotent batch.
     */
    void add(
        final Produce produce, final long offsetCount, final long producerId, final short producerEpoch,
        final int firstSequence, final int lastSequence)
    {
        if (size == requests.length)
        {
            final int capacity = size * 2;
            requests = Arrays.copyOf(requests, capacity);
            offsetCounts = Arrays.copyOf(offsetCounts, capacity);
            producerIds = Arrays.copyOf(producerIds, capacity);
            producerEpochs = Arrays.copyOf(producerEpochs, capacity);
            firstSequences = Arrays.copyOf(firstSequences, capacity);
            lastSequences = Arrays.copyOf(lastSequences, capacity);
        }
        requests[size] = produce;
        offsetCounts[size] = offsetCount;
        producerIds[size] = producerId;
        producerEpochs[size] = producerEpoch;
        firstSequences[size] = firstSequence;
        lastSequences[size] = lastSequence;
        size++;
        bytes += produce.records().length;
    }

    /**
     * Whether {@code producerId} has a staged batch: the newest one's index, or -1. A new batch of such a producer
     * can only be decided against it ({@link #continues}), never against the producer state alone.
     */
    int lastIndexOf(final long producerId)
    {
        for (int i = size - 1; i >= 0; i--)
        {
            if (producerIds[i] == producerId)
            {
                return i;
            }
        }
        return -1;
    }

    /**
     * Whether a batch at {@code epoch} with first sequence {@code firstSequence} directly follows the staged batch at
     * {@code index} (same epoch, next sequence, wrapping after {@code Integer.MAX_VALUE}): then it is in sequence
     * whatever the producer state says, since the staged one was checked against it.
     */
    boolean continues(final int index, final short epoch, final int firstSequence)
    {
        final int expected = lastSequences[index] == Integer.MAX_VALUE ? 0 : lastSequences[index] + 1;
        return producerEpochs[index] == epoch && firstSequence == expected;
    }

    /** Copies every staged request's batches, in order, to {@code buffer} from 0; returns the bytes written. */
    int copyTo(final MutableDirectBuffer buffer)
    {
        int position = 0;
        for (int i = 0; i < size; i++)
        {
            final byte[] records = requests[i].records();
            buffer.putBytes(position, records);
            position += records.length;
        }
        return position;
    }

    Produce request(final int index)
    {
        return requests[index];
    }

    long offsetCount(final int index)
    {
        return offsetCounts[index];
    }

    long producerId(final int index)
    {
        return producerIds[index];
    }

    short producerEpoch(final int index)
    {
        return producerEpochs[index];
    }

    int firstSequence(final int index)
    {
        return firstSequences[index];
    }

    int lastSequence(final int index)
    {
        return lastSequences[index];
    }

    /** Forgets every staged request (and drops the references to their payloads). */
    void clear()
    {
        Arrays.fill(requests, 0, size, null);
        size = 0;
        bytes = 0;
    }
}
