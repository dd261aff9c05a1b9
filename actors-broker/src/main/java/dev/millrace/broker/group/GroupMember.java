package dev.millrace.broker.group;

import dev.millrace.serialization.kryo.MillraceMessage;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * A member of a group as the coordinator persists it (Kafka's {@code MemberMetadata}).
 *
 * @param memberId           id the coordinator gave the member ("clientId-UUID")
 * @param groupInstanceId    the static member's {@code group.instance.id}, empty for a dynamic member
 * @param clientId           the client's id
 * @param clientHost         the client's host
 * @param sessionTimeoutMs   the member is removed when no heartbeat arrives within this
 * @param rebalanceTimeoutMs how long a rebalance waits for this member to rejoin
 * @param protocols          the protocols the member supports, in its order of preference
 * @param assignment         the member's assignment in the current generation (empty until the leader syncs)
 */
public record GroupMember(
    String memberId,
    Optional<String> groupInstanceId,
    String clientId,
    String clientHost,
    int sessionTimeoutMs,
    int rebalanceTimeoutMs,
    List<MemberProtocol> protocols,
    byte[] assignment) implements MillraceMessage
{
    static final byte[] NO_ASSIGNMENT = new byte[0];

    /**
     * @param protocolName a protocol name
     * @return whether this member supports it
     */
    public boolean supports(final String protocolName)
    {
        for (final MemberProtocol protocol : protocols)
        {
            if (protocol.name().equals(protocolName))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @param protocolName a protocol this member supports
     * @return this member's metadata for it, or empty bytes
     */
    public byte[] metadata(final String protocolName)
    {
        for (final MemberProtocol protocol : protocols)
        {
            if (protocol.name().equals(protocolName))
            {
                return protocol.metadata();
            }
        }
        return NO_ASSIGNMENT;
    }

    GroupMember withAssignment(final byte[] newAssignment)
    {
        return new GroupMember(memberId, groupInstanceId, clientId, clientHost, sessionTimeoutMs, rebalanceTimeoutMs,
            protocols, newAssignment);
    }

    GroupMember withMemberId(final String newMemberId)
    {
        return new GroupMember(newMemberId, groupInstanceId, clientId, clientHost, sessionTimeoutMs,
            rebalanceTimeoutMs, protocols, assignment);
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof GroupMember other && memberId.equals(other.memberId)
            && groupInstanceId.equals(other.groupInstanceId) && clientId.equals(other.clientId)
            && clientHost.equals(other.clientHost) && sessionTimeoutMs == other.sessionTimeoutMs
            && rebalanceTimeoutMs == other.rebalanceTimeoutMs && protocols.equals(other.protocols)
            && Arrays.equals(assignment, other.assignment);
    }

    @Override
    public int hashCode()
    {
        return memberId.hashCode();
    }

    @Override
    public String toString()
    {
        return "GroupMember[" + memberId + groupInstanceId.map(id -> " instance " + id).orElse("") + ", client "
            + clientId + "@" + clientHost + ", protocols " + protocols + ", assignment " + assignment.length + " bytes]";
    }
}
