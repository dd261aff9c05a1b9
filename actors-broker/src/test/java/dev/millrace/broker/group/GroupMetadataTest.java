package dev.millrace.broker.group;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The pure parts of a group: protocol selection, state transitions, settings validation. */
class GroupMetadataTest
{
    @Test
    void shouldChooseTheProtocolWithMostVotesAmongThoseEveryMemberSupports()
    {
        final GroupMetadata group = groupOf(
            member("a", "range", "roundrobin", "sticky"),
            member("b", "roundrobin", "range"),
            member("c", "sticky", "roundrobin", "range"));

        // sticky is not supported by b; a votes range, b roundrobin, c roundrobin (its first common one).
        assertEquals("roundrobin", group.selectProtocol());
    }

    @Test
    void shouldBreakProtocolVoteTiesByTheFirstMembersPreference()
    {
        final GroupMetadata group = groupOf(member("a", "range", "roundrobin"), member("b", "roundrobin", "range"));
        assertEquals("range", group.selectProtocol());
    }

    @Test
    void shouldAcceptJoinOnlyWithAProtocolEveryOtherMemberSupports()
    {
        final GroupMetadata group = groupOf(member("a", "range"), member("b", "range", "sticky"));
        assertTrue(group.supportsProtocols("", List.of(protocol("sticky"), protocol("range"))));
        assertFalse(group.supportsProtocols("", List.of(protocol("sticky"))));
        assertTrue(group.supportsProtocols("a", List.of(protocol("sticky"))), "a's own old protocols do not count");
    }

    @Test
    void shouldRefuseATransitionThatCannotFollowTheCurrentState()
    {
        final List<String> log = new ArrayList<>();
        final GroupMetadata empty = GroupMetadata.empty();
        assertThrows(IllegalStateException.class, () -> empty.transition(GroupState.STABLE, "bug", (f, t, r) ->
        {
        }));
        final GroupMetadata preparing = empty.transition(GroupState.PREPARING_REBALANCE, "member joined",
            (from, to, reason) -> log.add(from + "->" + to + ": " + reason));
        assertEquals(GroupState.PREPARING_REBALANCE, preparing.state());
        assertEquals(List.of("EMPTY->PREPARING_REBALANCE: member joined"), log);
    }

    @Test
    void shouldMoveLeadershipToTheNextMemberWhenTheLeaderIsRemoved()
    {
        final GroupMetadata group = groupOf(member("a", "range"), member("b", "range"));
        final GroupMetadata after = group.apply(new GroupEvent.MemberRemoved("a", "left"),
            GroupMetadata.TransitionListener.SILENT);
        assertEquals("b", after.leaderId());
    }

    @Test
    void shouldRejectSettingsWithMaxSessionTimeoutBelowMinNamingTheKey()
    {
        final ConfigException.BadValue error = assertThrows(ConfigException.BadValue.class,
            () -> GroupSettings.fromConfig(ConfigFactory.parseString(
                "millrace.broker.group { min-session-timeout = 10s, max-session-timeout = 5s }")
                .withFallback(ConfigFactory.defaultReference())));
        assertTrue(error.getMessage().contains("millrace.broker.group.max-session-timeout"), error.getMessage());
    }

    private static GroupMetadata groupOf(final GroupMember... members)
    {
        GroupMetadata group = GroupMetadata.empty();
        for (final GroupMember member : members)
        {
            group = group.apply(new GroupEvent.MemberJoined(member, "consumer", "test"),
                GroupMetadata.TransitionListener.SILENT);
        }
        return group;
    }

    private static GroupMember member(final String memberId, final String... protocols)
    {
        final List<MemberProtocol> list = new ArrayList<>();
        for (final String name : protocols)
        {
            list.add(protocol(name));
        }
        return new GroupMember(memberId, Optional.empty(), memberId, "host", 10_000, 5_000, List.copyOf(list),
            new byte[0]);
    }

    private static MemberProtocol protocol(final String name)
    {
        return new MemberProtocol(name, new byte[] {(byte) name.length()});
    }

}
