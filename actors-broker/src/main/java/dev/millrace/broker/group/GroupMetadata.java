package dev.millrace.broker.group;

import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import dev.millrace.broker.group.GroupEvent.AssignmentsStored;
import dev.millrace.broker.group.GroupEvent.GenerationStarted;
import dev.millrace.broker.group.GroupEvent.GroupCreated;
import dev.millrace.broker.group.GroupEvent.GroupDeleted;
import dev.millrace.broker.group.GroupEvent.MemberJoined;
import dev.millrace.broker.group.GroupEvent.MemberRemoved;
import dev.millrace.broker.group.GroupEvent.OffsetsCommitted;
import dev.millrace.broker.group.GroupEvent.OffsetsDeleted;
import dev.millrace.broker.group.GroupEvent.OffsetsReset;
import dev.millrace.broker.group.GroupEvent.RebalancePrepared;
import dev.millrace.broker.group.GroupEvent.StaticMemberReplaced;
import dev.millrace.serialization.kryo.MillraceMessage;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The persistent state of one consumer group (Kafka's {@code GroupMetadata} plus its committed offsets):
 * immutable; {@link #apply} returns the state after an event.
 *
 * @param state        where the group is in its life cycle
 * @param generationId current generation, 0 before the first
 * @param protocolType protocol type of the members, e.g. "consumer" ("" before the first join)
 * @param protocolName protocol chosen for the current generation ("" when none)
 * @param leaderId     member id of the leader ("" when none)
 * @param members      members in join order
 * @param offsets      committed offsets
 */
public record GroupMetadata(
    GroupState state,
    int generationId,
    String protocolType,
    String protocolName,
    String leaderId,
    List<GroupMember> members,
    Map<TopicPartition, CommittedOffset> offsets) implements MillraceMessage
{
    /** Receives every state change with its reason. */
    @FunctionalInterface
    public interface TransitionListener
    {
        /** Ignores transitions: for trial application while deciding. */
        TransitionListener SILENT = (from, to, reason) ->
        {
        };

        /**
         * @param from   previous state
         * @param to     new state
         * @param reason why
         */
        void onTransition(GroupState from, GroupState to, String reason);
    }

    /**
     * @return a group that never had members or offsets
     */
    public static GroupMetadata empty()
    {
        return new GroupMetadata(GroupState.EMPTY, 0, "", "", "", List.of(), Map.of());
    }

    /**
     * @return whether the group has ever been used and is not deleted: describes and deletes treat other
     *         groups as not found
     */
    public boolean exists()
    {
        return state != GroupState.DEAD && (generationId > 0 || !members.isEmpty() || !offsets.isEmpty());
    }

    /**
     * @param memberId a member id
     * @return the member, or null
     */
    public GroupMember member(final String memberId)
    {
        for (final GroupMember member : members)
        {
            if (member.memberId().equals(memberId))
            {
                return member;
            }
        }
        return null;
    }

    /**
     * @param groupInstanceId a static member's instance id
     * @return the member with that instance id, or null
     */
    public GroupMember staticMember(final String groupInstanceId)
    {
        for (final GroupMember member : members)
        {
            if (member.groupInstanceId().isPresent() && member.groupInstanceId().get().equals(groupInstanceId))
            {
                return member;
            }
        }
        return null;
    }

    /**
     * @param memberId        the member id of a request
     * @param groupInstanceId the instance id of the request
     * @return whether a request with this instance id comes from a member id that another member replaced
     */
    public boolean isFenced(final String memberId, final Optional<String> groupInstanceId)
    {
        if (groupInstanceId.isEmpty())
        {
            return false;
        }
        final GroupMember current = staticMember(groupInstanceId.get());
        return current != null && !current.memberId().equals(memberId);
    }

    /**
     * Kafka's rule: a joining member is accepted when at least one of its protocols is supported by every
     * other member.
     *
     * @param memberId  the joining member ("" for a new one)
     * @param protocols the protocols it supports
     * @return whether the group can use one of them
     */
    public boolean supportsProtocols(final String memberId, final List<MemberProtocol> protocols)
    {
        for (final MemberProtocol protocol : protocols)
        {
            boolean all = true;
            for (final GroupMember member : members)
            {
                if (!member.memberId().equals(memberId) && !member.supports(protocol.name()))
                {
                    all = false;
                    break;
                }
            }
            if (all)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Kafka's protocol selection: of the protocols every member supports, each member votes for the first in its
     * own preference order; the most votes wins (ties: the earlier in the first member's list).
     *
     * @return the chosen protocol, "" when there are no members
     * @throws IllegalStateException when no protocol is common to all members (joins are checked, so a bug)
     */
    public String selectProtocol()
    {
        if (members.isEmpty())
        {
            return "";
        }
        final List<String> candidates = new ArrayList<>();
        for (final MemberProtocol protocol : members.get(0).protocols())
        {
            boolean all = true;
            for (final GroupMember member : members)
            {
                all &= member.supports(protocol.name());
            }
            if (all)
            {
                candidates.add(protocol.name());
            }
        }
        if (candidates.isEmpty())
        {
            throw new IllegalStateException("no protocol is supported by every member of the group: " + members);
        }
        final Map<String, Integer> votes = new HashMap<>();
        for (final GroupMember member : members)
        {
            for (final MemberProtocol protocol : member.protocols())
            {
                if (candidates.contains(protocol.name()))
                {
                    votes.merge(protocol.name(), 1, Integer::sum);
                    break;
                }
            }
        }
        String chosen = candidates.get(0);
        for (final String candidate : candidates)
        {
            if (votes.getOrDefault(candidate, 0) > votes.getOrDefault(chosen, 0))
            {
                chosen = candidate;
            }
        }
        return chosen;
    }

    /**
     * @return the largest rebalance timeout of the members, how long a join phase waits (0 with no members)
     */
    public long rebalanceTimeoutMs()
    {
        long max = 0;
        for (final GroupMember member : members)
        {
            max = Math.max(max, member.rebalanceTimeoutMs());
        }
        return max;
    }

    /**
     * The one method that changes the group's state: checks the move is valid and reports it.
     *
     * @param to       the new state
     * @param reason   why
     * @param listener told about the change (logging)
     * @return this group in state {@code to}
     * @throws IllegalStateException when {@code to} cannot follow the current state (a bug: commands check first)
     */
    public GroupMetadata transition(final GroupState to, final String reason, final TransitionListener listener)
    {
        if (!to.validPrevious().contains(state))
        {
            throw new IllegalStateException("group cannot move from " + state + " to " + to + " (" + reason + ")");
        }
        listener.onTransition(state, to, reason);
        return new GroupMetadata(to, generationId, protocolType, protocolName, leaderId, members, offsets);
    }

    /**
     * @param event    an event of this group
     * @param listener told about state changes
     * @return the group after the event
     */
    public GroupMetadata apply(final GroupEvent event, final TransitionListener listener)
    {
        if (event instanceof OffsetsCommitted committed)
        {
            return withOffsets(committed.offsets());
        }
        if (event instanceof MemberJoined joined)
        {
            return withMember(joined.member(), joined.protocolType());
        }
        if (event instanceof RebalancePrepared prepared)
        {
            return transition(GroupState.PREPARING_REBALANCE, prepared.reason(), listener);
        }
        if (event instanceof GenerationStarted started)
        {
            return startGeneration(started, listener);
        }
        if (event instanceof AssignmentsStored stored)
        {
            return storeAssignments(stored, listener);
        }
        if (event instanceof MemberRemoved removed)
        {
            return withoutMember(removed.memberId());
        }
        if (event instanceof StaticMemberReplaced replaced)
        {
            return replaceMember(replaced);
        }
        if (event instanceof OffsetsReset reset)
        {
            return withOffsets(reset.offsets());
        }
        if (event instanceof OffsetsDeleted deleted)
        {
            final Map<TopicPartition, CommittedOffset> remaining = new HashMap<>(offsets);
            deleted.partitions().forEach(remaining::remove);
            return new GroupMetadata(state, generationId, protocolType, protocolName, leaderId, members,
                Map.copyOf(remaining));
        }
        if (event instanceof GroupCreated created)
        {
            return transition(GroupState.EMPTY, created.reason(), listener);
        }
        if (event instanceof GroupDeleted deleted)
        {
            final GroupMetadata dead = transition(GroupState.DEAD, deleted.reason(), listener);
            return new GroupMetadata(dead.state, 0, "", "", "", List.of(), Map.of());
        }
        throw new IllegalArgumentException("unknown group event " + event);
    }

    private GroupMetadata withOffsets(final Map<TopicPartition, CommittedOffset> changed)
    {
        final Map<TopicPartition, CommittedOffset> merged = new HashMap<>(offsets);
        merged.putAll(changed);
        return new GroupMetadata(state, generationId, protocolType, protocolName, leaderId, members,
            Map.copyOf(merged));
    }

    private GroupMetadata withMember(final GroupMember member, final String newProtocolType)
    {
        final List<GroupMember> updated = new ArrayList<>(members.size() + 1);
        boolean replaced = false;
        for (final GroupMember existing : members)
        {
            if (existing.memberId().equals(member.memberId()))
            {
                updated.add(member.withAssignment(existing.assignment()));
                replaced = true;
            }
            else
            {
                updated.add(existing);
            }
        }
        if (!replaced)
        {
            updated.add(member);
        }
        final String leader = leaderId.isEmpty() ? member.memberId() : leaderId;
        return new GroupMetadata(state, generationId, newProtocolType, protocolName, leader, List.copyOf(updated),
            offsets);
    }

    private GroupMetadata withoutMember(final String memberId)
    {
        final List<GroupMember> updated = new ArrayList<>(members);
        updated.removeIf(member -> member.memberId().equals(memberId));
        String leader = leaderId;
        if (leader.equals(memberId))
        {
            leader = updated.isEmpty() ? "" : updated.get(0).memberId();
        }
        return new GroupMetadata(state, generationId, protocolType, protocolName, leader, List.copyOf(updated),
            offsets);
    }

    private GroupMetadata replaceMember(final StaticMemberReplaced replaced)
    {
        final List<GroupMember> updated = new ArrayList<>(members.size());
        for (final GroupMember existing : members)
        {
            updated.add(existing.memberId().equals(replaced.oldMemberId())
                ? replaced.member().withAssignment(existing.assignment()) : existing);
        }
        final String leader = leaderId.equals(replaced.oldMemberId()) ? replaced.member().memberId() : leaderId;
        return new GroupMetadata(state, generationId, protocolType, protocolName, leader, List.copyOf(updated),
            offsets);
    }

    private GroupMetadata startGeneration(final GenerationStarted started, final TransitionListener listener)
    {
        final List<GroupMember> cleared = new ArrayList<>(members.size());
        for (final GroupMember member : members)
        {
            cleared.add(member.withAssignment(GroupMember.NO_ASSIGNMENT));
        }
        final GroupMetadata next = new GroupMetadata(state, started.generationId(), protocolType,
            started.protocolName(), started.leaderId(), List.copyOf(cleared), offsets);
        final String reason = "generation " + started.generationId() + ": " + started.reason();
        return next.transition(members.isEmpty() ? GroupState.EMPTY : GroupState.COMPLETING_REBALANCE, reason,
            listener);
    }

    private GroupMetadata storeAssignments(final AssignmentsStored stored, final TransitionListener listener)
    {
        final Map<String, byte[]> byMember = new LinkedHashMap<>(stored.assignments());
        final List<GroupMember> assigned = new ArrayList<>(members.size());
        for (final GroupMember member : members)
        {
            assigned.add(member.withAssignment(byMember.getOrDefault(member.memberId(), GroupMember.NO_ASSIGNMENT)));
        }
        return new GroupMetadata(state, generationId, protocolType, protocolName, leaderId, List.copyOf(assigned),
            offsets).transition(GroupState.STABLE, "leader " + leaderId + " sent the assignment of generation "
            + stored.generationId(), listener);
    }
}
