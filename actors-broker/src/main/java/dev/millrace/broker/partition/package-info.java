/**
 * Partition replicas as actors: {@link dev.millrace.broker.partition.PartitionProtocol} (the public message
 * protocol: produce, fetch with long polls, list offsets, delete records, status; plus the local-only zero-copy
 * {@link dev.millrace.broker.partition.PartitionProtocol.FetchLocal} for callers on the replica's node),
 * {@link dev.millrace.broker.partition.PartitionReplica} (the actor that owns one partition's
 * {@link dev.millrace.broker.log.Log} as its single writer) and
 * {@link dev.millrace.broker.partition.ProducerStateManager} (idempotent-producer sequence and epoch checks, plain
 * Java). Settings: {@link dev.millrace.broker.partition.PartitionReplicaSettings}, keys under
 * {@code millrace.broker.partition} in {@code reference.conf}.
 *
 * <p>For now a replica is always the leader of a single-replica partition: the high watermark is the log end offset
 * and {@code acks = -1} completes like {@code acks = 1}. Replication, leader changes from the controller,
 * transactions and producer-state snapshots come later.
 */
package dev.millrace.broker.partition;
