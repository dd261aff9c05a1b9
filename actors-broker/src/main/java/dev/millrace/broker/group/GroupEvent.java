package dev.millrace.broker.group;

import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import dev.millrace.serialization.kryo.MillraceMessage;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * What a group coordinator persists: committed offsets and the group's membership, generation, protocol,
 * leader and assignment. Join and sync waiters (who is waiting for a reply) are not persisted; after a restart
 * the members come back and must heartbeat (or rejoin) within their session timeout.
 *
 * <p>Events are applied by {@link GroupMetadata#apply}; those that change the group's state carry the reason,
 * which the transition logs.
 */
public sealed interface GroupEvent extends MillraceMessage
    permits GroupEvent.GroupCreated, GroupEvent.MemberJoined, GroupEvent.StaticMemberReplaced,
    GroupEvent.MemberRemoved, GroupEvent.RebalancePrepared, GroupEvent.GenerationStarted,
    GroupEvent.AssignmentsStored, GroupEvent.OffsetsCommitted, GroupEvent.OffsetsReset, GroupEvent.OffsetsDeleted,
    GroupEvent.GroupDeleted
{
    /**
     * A deleted group is used again: DEAD to EMPTY.
     *
     * @param reason what used it
     */
    record GroupCreated(String reason) implements GroupEvent
    {
    }

    /**
     * A member joined or rejoined (its metadata replaces the previous one; its assignment is kept). The first
     * member of a group without leader becomes the leader.
     *
     * @param member       the member
     * @param protocolType the group's protocol type, e.g. "consumer"
     * @param reason       why
     */
    record MemberJoined(GroupMember member, String protocolType, String reason) implements GroupEvent
    {
    }

    /**
     * A static member rejoined with a new member id: it takes the old member's place and assignment; the old
     * member id is fenced.
     *
     * @param oldMemberId the fenced member id
     * @param member      the member with its new id and metadata
     * @param reason      why
     */
    record StaticMemberReplaced(String oldMemberId, GroupMember member, String reason) implements GroupEvent
    {
    }

    /**
     * A member left, missed its session timeout, did not rejoin or sync in time.
     *
     * @param memberId the removed member
     * @param reason   why
     */
    record MemberRemoved(String memberId, String reason) implements GroupEvent
    {
    }

    /**
     * A rebalance started: the group waits for its members to rejoin.
     *
     * @param reason why
     */
    record RebalancePrepared(String reason) implements GroupEvent
    {
    }

    /**
     * The join phase ended: a new generation with the protocol and leader chosen; assignments are cleared.
     * With no members the group becomes EMPTY, otherwise it waits for the leader's assignment.
     *
     * @param generationId the new generation
     * @param protocolName the chosen protocol, "" when there are no members
     * @param leaderId     the leader, "" when there are no members
     * @param reason       why the join phase ended
     */
    record GenerationStarted(int generationId, String protocolName, String leaderId, String reason)
        implements GroupEvent
    {
    }

    /**
     * The leader's assignment for the generation: the group is STABLE.
     *
     * @param generationId the generation the assignment belongs to
     * @param assignments  member id to assignment bytes (every current member, empty bytes if the leader gave none)
     */
    record AssignmentsStored(int generationId, Map<String, byte[]> assignments) implements GroupEvent
    {
        @Override
        public String toString()
        {
            final StringBuilder text = new StringBuilder("AssignmentsStored[generation ").append(generationId);
            assignments.forEach((member, bytes) -> text.append(", ").append(member).append('=')
                .append(bytes.length).append(" bytes"));
            return text.append(']').toString();
        }

        @Override
        public boolean equals(final Object o)
        {
            if (!(o instanceof AssignmentsStored other) || generationId != other.generationId
                || !assignments.keySet().equals(other.assignments.keySet()))
            {
                return false;
            }
            for (final Map.Entry<String, byte[]> entry : assignments.entrySet())
            {
                if (!Arrays.equals(entry.getValue(), other.assignments.get(entry.getKey())))
                {
                    return false;
                }
            }
            return true;
        }

        @Override
        public int hashCode()
        {
            return 31 * generationId + assignments.keySet().hashCode();
        }
    }

    /**
     * Offsets a member (or a standalone consumer) committed.
     *
     * @param offsets partition to committed offset
     */
    record OffsetsCommitted(Map<TopicPartition, CommittedOffset> offsets) implements GroupEvent
    {
    }

    /**
     * Offsets an administrator set while the group was empty.
     *
     * @param offsets partition to new offset
     */
    record OffsetsReset(Map<TopicPartition, CommittedOffset> offsets) implements GroupEvent
    {
    }

    /**
     * Committed offsets removed, by request or because retention expired.
     *
     * @param partitions the partitions whose offsets are gone
     * @param reason     why
     */
    record OffsetsDeleted(List<TopicPartition> partitions, String reason) implements GroupEvent
    {
    }

    /**
     * The group was deleted: no members, no offsets, DEAD.
     *
     * @param reason why
     */
    record GroupDeleted(String reason) implements GroupEvent
    {
    }
}
