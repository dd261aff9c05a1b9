package dev.millrace.broker.partition;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * The idempotent-producer state of one partition: for every producer id, its current epoch and the metadata of
 * its last {@value #RETAINED_BATCHES} batches (first and last sequence, first and last offset), as Kafka's
 * {@code ProducerStateManager} keeps them. The partition leader {@link #check checks} every batch that carries a
 * producer id before appending it and {@link #update records} it after the append succeeded (decide, then apply).
 *
 * <p>Rules of {@link #check}, in order (Kafka's):
 * <ol>
 *   <li>epoch below the producer's current epoch: {@link Verdict#INVALID_PRODUCER_EPOCH} (a newer instance of the
 *       producer fenced this one);</li>
 *   <li>same epoch and the (first, last) sequence of one of the retained batches: {@link Verdict#DUPLICATE}, the
 *       original offsets in {@link #duplicateFirstOffset()} / {@link #duplicateLastOffset()} (a retry of a batch
 *       that was appended but whose acknowledgement was lost);</li>
 *   <li>epoch above the current one: the first sequence must be 0, else
 *       {@link Verdict#OUT_OF_ORDER_SEQUENCE};</li>
 *   <li>same epoch: the first sequence must follow the last retained one ({@code last + 1}, or 0 after
 *       {@code Integer.MAX_VALUE}), else {@link Verdict#OUT_OF_ORDER_SEQUENCE};</li>
 *   <li>a producer id with no state at all is accepted with any sequence: as in Kafka, its state may have been
 *       removed with its batches by retention or DeleteRecords, and refusing it would wedge the producer.</li>
 * </ol>
 *
 * <p>The state is not persisted: the owner rebuilds it on start by replaying batch headers from the log start
 * ({@link #update} in offset order). A snapshot file that bounds that scan is future work.
 *
 * <p>Threading: not thread-safe; owned by the partition actor (the log's single writer). {@link #check} and
 * {@link #update} allocate nothing once a producer is known.
 */
public final class ProducerStateManager
{
    /** Batches remembered per producer for duplicate detection (Kafka's {@code NUM_BATCHES_TO_RETAIN}). */
    public static final int RETAINED_BATCHES = 5;

    /** The outcome of {@link #check}. */
    public enum Verdict
    {
        /** In sequence: append it, then {@link #update}. */
        APPEND,
        /** A retry of a retained batch: append nothing, answer with {@link #duplicateFirstOffset()}. */
        DUPLICATE,
        /** Sequence gap or a new epoch not starting at 0. */
        OUT_OF_ORDER_SEQUENCE,
        /** The epoch is older than the producer's current epoch. */
        INVALID_PRODUCER_EPOCH
    }

    private final Long2ObjectHashMap<ProducerEntry> producers = new Long2ObjectHashMap<>();
    private long duplicateFirstOffset = -1;
    private long duplicateLastOffset = -1;

    /**
     * Decides what to do with a batch of producer {@code producerId} at {@code epoch} carrying sequences
     * {@code firstSeq..lastSeq} (lastSeq wraps past {@code Integer.MAX_VALUE} to 0). Changes nothing.
     */
    public Verdict check(final long producerId, final short epoch, final int firstSeq, final int lastSeq)
    {
        final ProducerEntry entry = producers.get(producerId);
        if (entry == null)
        {
            return Verdict.APPEND;
        }
        if (epoch < entry.epoch)
        {
            return Verdict.INVALID_PRODUCER_EPOCH;
        }
        if (epoch > entry.epoch)
        {
            return firstSeq == 0 ? Verdict.APPEND : Verdict.OUT_OF_ORDER_SEQUENCE;
        }
        final int duplicate = entry.find(firstSeq, lastSeq);
        if (duplicate >= 0)
        {
            duplicateFirstOffset = entry.firstOffsets[duplicate];
            duplicateLastOffset = entry.lastOffsets[duplicate];
            return Verdict.DUPLICATE;
        }
        if (entry.count == 0)
        {
            return Verdict.APPEND;
        }
        return inSequence(entry.lastSequence(), firstSeq) ? Verdict.APPEND : Verdict.OUT_OF_ORDER_SEQUENCE;
    }

    /**
     * Records a batch that is now in the log (after an append, or replayed from the log on start). A newer epoch
     * replaces the producer's retained batches; an older one (which the log never holds for a producer after a newer
     * one) is ignored.
     */
    public void update(
        final long producerId, final short epoch, final int firstSeq, final int lastSeq, final long firstOffset,
        final long lastOffset)
    {
        ProducerEntry entry = producers.get(producerId);
        if (entry == null)
        {
            entry = new ProducerEntry(epoch);
            producers.put(producerId, entry);
        }
        else if (epoch < entry.epoch)
        {
            return;
        }
        else if (epoch > entry.epoch)
        {
            entry.epoch = epoch;
            entry.count = 0;
        }
        entry.add(firstSeq, lastSeq, firstOffset, lastOffset);
    }

    /** Base offset of the original batch found by the last {@link #check} that returned {@link Verdict#DUPLICATE}. */
    public long duplicateFirstOffset()
    {
        return duplicateFirstOffset;
    }

    /** Last offset of the original batch found by the last {@link #check} that returned {@link Verdict#DUPLICATE}. */
    public long duplicateLastOffset()
    {
        return duplicateLastOffset;
    }

    /** The producer's current epoch, or -1 when it is unknown. */
    public short epoch(final long producerId)
    {
        final ProducerEntry entry = producers.get(producerId);
        return entry == null ? -1 : entry.epoch;
    }

    /** The last sequence the producer wrote at its current epoch, or -1 when there is none. */
    public int lastSequence(final long producerId)
    {
        final ProducerEntry entry = producers.get(producerId);
        return entry == null || entry.count == 0 ? -1 : entry.lastSequence();
    }

    /** Every producer with state, by producer id (for DescribeProducers; allocates, not for the append path). */
    public List<PartitionProtocol.ActiveProducer> describe()
    {
        final List<PartitionProtocol.ActiveProducer> described = new ArrayList<>(producers.size());
        producers.forEach((producerId, entry) -> described.add(new PartitionProtocol.ActiveProducer(
            producerId, entry.epoch, entry.count == 0 ? -1 : entry.lastSequence(),
            entry.count == 0 ? -1 : entry.lastOffsets[(entry.head + entry.count - 1) % RETAINED_BATCHES])));
        described.sort(Comparator.comparingLong(PartitionProtocol.ActiveProducer::producerId));
        return described;
    }

    /** Number of producers with state. */
    public int producerCount()
    {
        return producers.size();
    }

    /** Forgets every producer (before a rebuild). */
    public void clear()
    {
        producers.clear();
    }

    /** True when {@code nextSeq} follows {@code lastSeq}, wrapping from {@code Integer.MAX_VALUE} to 0. */
    static boolean inSequence(final int lastSeq, final int nextSeq)
    {
        return nextSeq == lastSeq + 1L || (nextSeq == 0 && lastSeq == Integer.MAX_VALUE);
    }

    /** One producer: its epoch and a ring of its last batches, oldest first from {@code head}. */
    private static final class ProducerEntry
    {
        short epoch;
        int head;
        int count;
        final int[] firstSeqs = new int[RETAINED_BATCHES];
        final int[] lastSeqs = new int[RETAINED_BATCHES];
        final long[] firstOffsets = new long[RETAINED_BATCHES];
        final long[] lastOffsets = new long[RETAINED_BATCHES];

        ProducerEntry(final short epoch)
        {
            this.epoch = epoch;
        }

        void add(final int firstSeq, final int lastSeq, final long firstOffset, final long lastOffset)
        {
            final int slot;
            if (count < RETAINED_BATCHES)
            {
                slot = (head + count) % RETAINED_BATCHES;
                count++;
            }
            else
            {
                slot = head;
                head = (head + 1) % RETAINED_BATCHES;
            }
            firstSeqs[slot] = firstSeq;
            lastSeqs[slot] = lastSeq;
            firstOffsets[slot] = firstOffset;
            lastOffsets[slot] = lastOffset;
        }

        int find(final int firstSeq, final int lastSeq)
        {
            for (int i = 0; i < count; i++)
            {
                final int slot = (head + i) % RETAINED_BATCHES;
                if (firstSeqs[slot] == firstSeq && lastSeqs[slot] == lastSeq)
                {
                    return slot;
                }
            }
            return -1;
        }

        int lastSequence()
        {
            return lastSeqs[(head + count - 1) % RETAINED_BATCHES];
        }
    }
}
