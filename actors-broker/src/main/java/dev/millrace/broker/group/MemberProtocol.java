package dev.millrace.broker.group;

import dev.millrace.serialization.kryo.MillraceMessage;
import java.util.Arrays;
import java.util.List;

/**
 * One protocol a member supports (for consumers: an assignor name) with the member's metadata for it (for
 * consumers: the subscription). The coordinator does not interpret the metadata.
 *
 * @param name     protocol name, e.g. "range"
 * @param metadata opaque bytes handed to the leader
 */
public record MemberProtocol(String name, byte[] metadata) implements MillraceMessage
{
    /**
     * @param a one list of protocols
     * @param b another
     * @return whether both list the same protocols in the same order with the same metadata bytes
     */
    static boolean sameProtocols(final List<MemberProtocol> a, final List<MemberProtocol> b)
    {
        if (a.size() != b.size())
        {
            return false;
        }
        for (int i = 0; i < a.size(); i++)
        {
            if (!a.get(i).name().equals(b.get(i).name()) || !Arrays.equals(a.get(i).metadata(), b.get(i).metadata()))
            {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof MemberProtocol other && name.equals(other.name) && Arrays.equals(metadata, other.metadata);
    }

    @Override
    public int hashCode()
    {
        return 31 * name.hashCode() + Arrays.hashCode(metadata);
    }

    @Override
    public String toString()
    {
        return name + "(" + metadata.length + " bytes)";
    }
}
