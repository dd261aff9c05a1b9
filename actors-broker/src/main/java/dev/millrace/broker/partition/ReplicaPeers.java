package dev.millrace.broker.partition;

import dev.millrace.broker.partition.PartitionProtocol.Command;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;

/**
 * How a replica reaches another replica of its partition (a follower its leader, with {@link PartitionProtocol.ReplicaFetch}).
 * Kept as an interface so that the partition package knows nothing of Cluster Sharding: the node sends through the
 * sharded replica entities; tests map broker ids to actors (and may drop messages to cut a replica off).
 *
 * <p>Only serializable ({@code MillraceMessage}) commands go through it: the replica may be on another node.
 * Delivery is at most once; the sender recovers a lost message by its own timeout.
 */
@FunctionalInterface
public interface ReplicaPeers
{
    /** Sends {@code command} to the replica of {@code topicPartition} on broker {@code brokerId}. */
    void send(TopicPartition topicPartition, int brokerId, Command command);
}
