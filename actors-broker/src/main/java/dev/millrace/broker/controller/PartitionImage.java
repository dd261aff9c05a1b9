package dev.millrace.broker.controller;

import java.util.List;

import dev.millrace.serialization.kryo.MillraceMessage;

/**
 * One partition of a topic: where its replicas live and who leads it.
 *
 * <p>Immutable; part of {@link TopicImage}.
 *
 * @param partition   the partition index, from 0.
 * @param replicas    broker ids holding a replica, distinct, preferred leader first.
 * @param leader      broker id of the current leader, {@link #NO_LEADER} (-1) when no replica of the ISR is live.
 * @param leaderEpoch incremented on every leader change; fences older leaders. 0 when the partition is created.
 * @param isr         the in-sync replicas, a subset of {@code replicas}.
 * @param partitionEpoch incremented on every change of leader, ISR or replicas (Kafka's partition epoch): an ISR
 *                    change based on an older one is refused, a replica ignores a stale decision. 0 when created.
 */
public record PartitionImage(
    int partition, List<Integer> replicas, int leader, int leaderEpoch, List<Integer> isr, int partitionEpoch)
    implements MillraceMessage
{
    public PartitionImage
    {
        replicas = List.copyOf(replicas);
        isr = List.copyOf(isr);
    }

    /**
     * A new partition as the controller creates it: the first replica leads, every replica is in sync, epoch 0.
     */
    public static PartitionImage initial(final int partition, final List<Integer> replicas)
    {
        return new PartitionImage(partition, replicas, replicas.get(0), 0, replicas, 0);
    }

    /** No leader: {@link #leader} is -1 until a replica of the ISR is live again. */
    public static final int NO_LEADER = -1;

    /** A leader change ({@code newLeader} may be {@link #NO_LEADER}): both epochs rise. */
    public PartitionImage withLeader(final int newLeader, final List<Integer> newIsr)
    {
        return new PartitionImage(partition, replicas, newLeader, leaderEpoch + 1, newIsr, partitionEpoch + 1);
    }

    /** An ISR change under the same leader: the partition epoch rises. */
    public PartitionImage withIsr(final List<Integer> newIsr)
    {
        return new PartitionImage(partition, replicas, leader, leaderEpoch, newIsr, partitionEpoch + 1);
    }

    /** The preferred leader: the first replica. */
    public int preferredLeader()
    {
        return replicas.get(0);
    }

    public boolean hasLeader()
    {
        return leader != NO_LEADER;
    }
}
