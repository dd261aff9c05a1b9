package dev.millrace.broker.partition;

import java.util.List;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.partition.PartitionProtocol.LeaderAndIsr;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;

/**
 * How a partition leader asks the controller to change its in-sync replica set (Kafka's AlterPartition): shrink it
 * when a follower lags more than {@code replica.lag.time.max.ms}, expand it when a follower has caught up. The
 * controller is the only writer of the ISR, so that a new leader is always elected from replicas that have every
 * acknowledged record.
 *
 * <p>Kept as an interface so that the partition package does not depend on the controller: the node wires in an
 * implementation that asks the controller; tests wire in their own.
 */
@FunctionalInterface
public interface IsrChanger
{
    /**
     * Asks to set the partition's ISR to {@code newIsr}.
     *
     * @param leaderId       the broker id of the asking leader
     * @param leaderEpoch    the leader's epoch; the controller refuses a stale one (the leader has been replaced)
     * @param partitionEpoch the partition epoch the leader last applied; the controller refuses a stale one
     * @return the partition's new state (which the controller also delivers to every replica), or a stage failed with
     *     {@link IsrChangeRefusedException} when the controller refused (stale epochs, unknown partition, a replica
     *     not live); the leader then keeps its ISR and waits for the controller's next {@link LeaderAndIsr}
     */
    CompletionStage<LeaderAndIsr> alterIsr(
        TopicPartition topicPartition, int leaderId, int leaderEpoch, int partitionEpoch, List<Integer> newIsr);

    /** The controller refused an ISR change; the message says why. */
    final class IsrChangeRefusedException extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        public IsrChangeRefusedException(final String message)
        {
            super(message);
        }
    }
}
