/**
 * Consumer group coordination: {@link dev.millrace.broker.group.GroupCoordinator}, one event-sourced behavior per
 * consumer group, implements Kafka's classic group protocol (JoinGroup, SyncGroup, Heartbeat, LeaveGroup with
 * static membership) and keeps the group's committed offsets (OffsetCommit, OffsetFetch, OffsetDelete,
 * ResetOffsets, retention) and answers DescribeGroup with lag and DeleteGroup.
 *
 * <ul>
 *   <li>{@link dev.millrace.broker.group.GroupState}: the life cycle, changed only by
 *       {@link dev.millrace.broker.group.GroupMetadata#transition}, which logs the reason;</li>
 *   <li>{@link dev.millrace.broker.group.GroupEvent}: what is persisted (offsets, members, generation, protocol,
 *       leader, assignment); {@link dev.millrace.broker.group.GroupMetadata}: the state they build;</li>
 *   <li>{@link dev.millrace.broker.group.GroupError}: Kafka's error names and codes, each with advice
 *       (COORDINATOR_NOT_AVAILABLE only from the node's facade, when a coordinator did not answer);</li>
 *   <li>{@link dev.millrace.broker.group.GroupSettings}: {@code millrace.broker.group} in reference.conf.</li>
 * </ul>
 *
 * Every message, reply, event and state class has a Kryo id in 4000-4999 (actors-broker's reference.conf).
 */
package dev.millrace.broker.group;
