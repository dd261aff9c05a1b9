package dev.millrace.broker.group;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import dev.millrace.broker.group.GroupCoordinator.Command;
import dev.millrace.broker.group.GroupCoordinator.DescribeGroup;
import dev.millrace.broker.group.GroupCoordinator.GroupAck;
import dev.millrace.broker.group.GroupCoordinator.GroupDescription;
import dev.millrace.broker.group.GroupCoordinator.Heartbeat;
import dev.millrace.broker.group.GroupCoordinator.JoinGroup;
import dev.millrace.broker.group.GroupCoordinator.JoinGroupResponse;
import dev.millrace.broker.group.GroupCoordinator.LeaveGroup;
import dev.millrace.broker.group.GroupCoordinator.MemberDescription;
import dev.millrace.broker.group.GroupCoordinator.OffsetCommit;
import dev.millrace.broker.group.GroupCoordinator.OffsetFetch;
import dev.millrace.broker.group.GroupCoordinator.OffsetFetchResponse;
import dev.millrace.broker.group.GroupCoordinator.SyncGroup;
import dev.millrace.broker.group.GroupCoordinator.SyncGroupResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Join, sync, heartbeat, leave and restart flows of a group coordinator on an in-memory journal, with
 * {@link ManualTime} driving session, rebalance and initial-delay timeouts.
 */
class GroupMembershipTest
{
    private static final ActorTestKit TEST_KIT = ActorTestKit.create(ManualTime.config()
        .withFallback(PersistenceTestKitPlugin.config())
        .withFallback(PersistenceTestKitSnapshotPlugin.config()));
    private static final ManualTime MANUAL_TIME = ManualTime.get(TEST_KIT.system());
    private static final AtomicInteger GROUP_IDS = new AtomicInteger();
    private static final GroupSettings SETTINGS = GroupSettings.defaults();
    private static final int SESSION_TIMEOUT_MS = 10_000;
    private static final int REBALANCE_TIMEOUT_MS = 5_000;
    private static final Duration SHORT = Duration.ofMillis(100);
    private static final List<MemberProtocol> RANGE = List.of(new MemberProtocol("range", new byte[] {1, 2}));

    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private final String groupId = "members-" + GROUP_IDS.incrementAndGet();

    @AfterAll
    static void shutdown()
    {
        TEST_KIT.shutdownTestKit();
    }

    @Test
    void shouldFormOneGenerationWhenTwoMembersJoinAndHandTheLeadersAssignmentToBoth()
    {
        final ActorRef<Command> group = spawnGroup();
        final Member a = new Member("a", Optional.empty());
        final Member b = new Member("b", Optional.empty());

        a.join(group);
        b.join(group);
        assertEquals(GroupState.PREPARING_REBALANCE, describe(group).state());
        a.joins.expectNoMessage(SHORT);

        MANUAL_TIME.timePasses(Duration.ofMillis(SETTINGS.initialRebalanceDelayMs()));
        final JoinGroupResponse leader = a.joined();
        final JoinGroupResponse follower = b.joined();
        assertEquals(1, leader.generationId());
        assertEquals(1, follower.generationId());
        assertEquals("range", leader.protocolName());
        assertTrue(leader.isLeader());
        assertEquals(leader.leaderId(), follower.leaderId());
        assertEquals(List.of(a.memberId, b.memberId), leader.members().stream().map(m -> m.memberId()).toList());
        assertArrayEquals(new byte[] {1, 2}, leader.members().get(1).metadata());
        assertTrue(follower.members().isEmpty());

        b.sync(group, Map.of());
        b.syncs.expectNoMessage(SHORT);
        a.sync(group, Map.of(a.memberId, new byte[] {'A'}, b.memberId, new byte[] {'B'}));
        assertArrayEquals(new byte[] {'A'}, a.synced().assignment());
        assertArrayEquals(new byte[] {'B'}, b.synced().assignment());

        final GroupDescription description = describe(group);
        assertEquals(GroupState.STABLE, description.state());
        assertEquals(List.of("a", "b"), description.members().stream().map(MemberDescription::clientId).toList());
        assertArrayEquals(new byte[] {'B'}, description.members().get(1).assignment());
    }

    @Test
    void shouldStartNextGenerationWhenThirdMemberJoins()
    {
        final ActorRef<Command> group = spawnGroup();
        final Member a = new Member("a", Optional.empty());
        final Member b = new Member("b", Optional.empty());
        stableGroup(group, a, b);
        final Member c = new Member("c", Optional.empty());

        c.join(group);
        assertEquals(GroupError.REBALANCE_IN_PROGRESS, a.heartbeat(group).error());
        a.join(group);
        b.join(group);

        final JoinGroupResponse leader = a.joined();
        assertEquals(2, leader.generationId());
        assertEquals(3, leader.members().size());
        assertEquals(2, b.joined().generationId());
        assertEquals(2, c.joined().generationId());
        assertEquals(GroupState.COMPLETING_REBALANCE, describe(group).state());
    }

    @Test
    void shouldRejectCommitFromOldGenerationWithIllegalGeneration()
    {
        final ActorRef<Command> group = spawnGroup();
        final Member a = new Member("a", Optional.empty());
        final Member b = new Member("b", Optional.empty());
        stableGroup(group, a, b);
        b.leave(group);
        a.join(group);
        a.joined();
        a.sync(group, Map.of());
        a.synced();
        assertEquals(2, a.generation);

        assertEquals(GroupError.ILLEGAL_GENERATION, a.commit(group, 1).error());
        assertEquals(GroupError.NONE, a.commit(group, 2).error());
    }

    @Test
    void shouldRemoveMemberThatStopsHeartbeatingAfterSessionTimeout()
    {
        final ActorRef<Command> group = spawnGroup();
        final Member a = new Member("a", Optional.empty());
        final Member b = new Member("b", Optional.empty());
        stableGroup(group, a, b);

        MANUAL_TIME.timePasses(Duration.ofMillis(6_000));
        assertEquals(GroupError.NONE, a.heartbeat(group).error());
        MANUAL_TIME.timePasses(Duration.ofMillis(SESSION_TIMEOUT_MS - 6_000 + 1));

        assertEquals(GroupError.REBALANCE_IN_PROGRESS, a.heartbeat(group).error());
        a.join(group);
        final JoinGroupResponse alone = a.joined();
        assertEquals(2, alone.generationId());
        assertEquals(List.of(a.memberId), alone.members().stream().map(m -> m.memberId()).toList());
        assertEquals(GroupError.UNKNOWN_MEMBER_ID, b.heartbeat(group).error());
    }

    @Test
    void shouldRebalanceWhenMemberLeaves()
    {
        final ActorRef<Command> group = spawnGroup();
        final Member a = new Member("a", Optional.empty());
        final Member b = new Member("b", Optional.empty());
        stableGroup(group, a, b);

        assertEquals(GroupError.NONE, b.leave(group).error());

        assertEquals(GroupError.REBALANCE_IN_PROGRESS, a.heartbeat(group).error());
        a.join(group);
        final JoinGroupResponse alone = a.joined();
        assertEquals(2, alone.generationId());
        assertEquals(1, alone.members().size());
    }

    @Test
    void shouldRemoveMembersThatDoNotRejoinWithinRebalanceTimeout()
    {
        final ActorRef<Command> group = spawnGroup();
        final Member a = new Member("a", Optional.empty());
        final Member b = new Member("b", Optional.empty());
        stableGroup(group, a, b);
        final Member c = new Member("c", Optional.empty());

        c.join(group);
        a.join(group);
        assertEquals(GroupState.PREPARING_REBALANCE, describe(group).state());
        MANUAL_TIME.timePasses(Duration.ofMillis(REBALANCE_TIMEOUT_MS));

        final JoinGroupResponse leader = a.joined();
        assertEquals(2, c.joined().generationId());
        assertEquals(2, leader.generationId());
        assertEquals(List.of(a.memberId, c.memberId), leader.members().stream().map(m -> m.memberId()).toList());
        assertEquals(GroupError.UNKNOWN_MEMBER_ID, b.heartbeat(group).error());
    }

    @Test
    void shouldRemoveMembersThatDoNotSyncWithinRebalanceTimeoutAndRebalance()
    {
        final ActorRef<Command> group = spawnGroup();
        final Member a = new Member("a", Optional.empty());
        final Member b = new Member("b", Optional.empty());
        a.join(group);
        b.join(group);
        describe(group);
        MANUAL_TIME.timePasses(Duration.ofMillis(SETTINGS.initialRebalanceDelayMs()));
        a.joined();
        b.joined();

        // Only the follower syncs; the leader never sends the assignment.
        b.sync(group, Map.of());
        assertEquals(GroupError.NONE, b.heartbeat(group).error());
        MANUAL_TIME.timePasses(Duration.ofMillis(REBALANCE_TIMEOUT_MS));

        assertEquals(GroupError.REBALANCE_IN_PROGRESS, b.syncs.receiveMessage().error());
        assertEquals(GroupError.UNKNOWN_MEMBER_ID, a.heartbeat(group).error());
        b.join(group);
        final JoinGroupResponse alone = b.joined();
        assertEquals(2, alone.generationId());
        assertTrue(alone.isLeader());
    }

    @Test
    void shouldAnswerWaitingFollowerSyncWithRebalanceInProgressWhenAnotherMemberJoins()
    {
        final ActorRef<Command> group = spawnGroup();
        final Member a = new Member("a", Optional.empty());
        final Member b = new Member("b", Optional.empty());
        a.join(group);
        b.join(group);
        describe(group);
        MANUAL_TIME.timePasses(Duration.ofMillis(SETTINGS.initialRebalanceDelayMs()));
        a.joined();
        b.joined();
        b.sync(group, Map.of());

        new Member("c", Optional.empty()).join(group);

        assertEquals(GroupError.REBALANCE_IN_PROGRESS, b.syncs.receiveMessage().error());
        assertEquals(GroupState.PREPARING_REBALANCE, describe(group).state());
    }

    @Test
    void shouldKeepMemberWaitingForJoinAliveBeyondItsSessionTimeout()
    {
        final ActorRef<Command> group = spawnGroup();
        final Member a = new Member("a", Optional.empty());
        final Member b = new Member("b", Optional.empty());
        stableGroup(group, a, b);
        final Member c = new Member("c", Optional.empty());
        c.rebalanceTimeoutMs = 2 * SESSION_TIMEOUT_MS;
        c.join(group);
        a.join(group);
        describe(group);

        // The join phase may last 20 s. At 10 s the sessions of a and b end: b, not waiting, is removed, which
        // completes the join; a, waiting for its JoinGroup reply, stays.
        MANUAL_TIME.timePasses(Duration.ofMillis(SESSION_TIMEOUT_MS + 1));
        assertEquals(2, a.joined().generationId());
        assertEquals(2, c.joined().generationId());
        assertEquals(List.of("a", "c"),
            describe(group).members().stream().map(MemberDescription::clientId).toList());
    }

    @Test
    void shouldKeepStaticMemberAssignmentWithoutNewGenerationWhenItRestartsAndFenceTheOldInstance()
    {
        final ActorRef<Command> group = spawnGroup();
        final Member a = new Member("a", Optional.of("instance-a"));
        final Member b = new Member("b", Optional.of("instance-b"));
        stableGroup(group, a, b);
        final Member restarted = new Member("b", Optional.of("instance-b"));

        restarted.join(group);
        final JoinGroupResponse rejoined = restarted.joined();
        assertEquals(1, rejoined.generationId());
        assertNotEquals(b.memberId, rejoined.memberId());
        restarted.sync(group, Map.of());
        assertArrayEquals(new byte[] {'B'}, restarted.synced().assignment());

        assertEquals(GroupError.FENCED_INSTANCE_ID, b.heartbeat(group).error());
        assertEquals(GroupError.NONE, a.heartbeat(group).error());
        final GroupDescription description = describe(group);
        assertEquals(GroupState.STABLE, description.state());
        assertEquals(1, description.generationId());
    }

    @Test
    void shouldRebalanceWhenStaticMemberRestartsWithChangedProtocolsAndFenceTheOldInstance()
    {
        final ActorRef<Command> group = spawnGroup();
        final Member a = new Member("a", Optional.of("instance-a"));
        final Member b = new Member("b", Optional.of("instance-b"));
        stableGroup(group, a, b);
        final Member restarted = new Member("b", Optional.of("instance-b"));
        restarted.protocols = List.of(new MemberProtocol("range", new byte[] {7}));

        restarted.join(group);
        assertEquals(GroupError.FENCED_INSTANCE_ID, b.heartbeat(group).error());
        assertEquals(GroupError.REBALANCE_IN_PROGRESS, a.heartbeat(group).error());
        a.join(group);

        final JoinGroupResponse leader = a.joined();
        assertEquals(2, leader.generationId());
        assertArrayEquals(new byte[] {7}, leader.members().get(1).metadata());
        assertEquals(2, restarted.joined().generationId());
    }

    @Test
    void shouldRemoveStaticMemberByInstanceIdAlone()
    {
        final ActorRef<Command> group = spawnGroup();
        final Member a = new Member("a", Optional.of("instance-a"));
        final Member b = new Member("b", Optional.of("instance-b"));
        stableGroup(group, a, b);
        final TestProbe<GroupAck> admin = TEST_KIT.createTestProbe();

        group.tell(new LeaveGroup("", Optional.of("instance-b"), admin.ref()));

        assertEquals(GroupError.NONE, admin.receiveMessage().error());
        assertEquals(GroupError.UNKNOWN_MEMBER_ID, b.heartbeat(group).error());
        assertEquals(GroupError.REBALANCE_IN_PROGRESS, a.heartbeat(group).error());
    }

    @Test
    void shouldCreateDeletedGroupAgainWhenMemberJoins()
    {
        final ActorRef<Command> group = spawnGroup();
        final Member a = new Member("a", Optional.empty());
        final Member b = new Member("b", Optional.empty());
        stableGroup(group, a, b);
        a.leave(group);
        b.leave(group);
        final TestProbe<GroupAck> admin = TEST_KIT.createTestProbe();
        group.tell(new GroupCoordinator.DeleteGroup(admin.ref()));
        assertEquals(GroupError.NONE, admin.receiveMessage().error());

        final Member c = new Member("c", Optional.empty());
        c.join(group);
        describe(group);
        MANUAL_TIME.timePasses(Duration.ofMillis(SETTINGS.initialRebalanceDelayMs()));

        final JoinGroupResponse joined = c.joined();
        assertEquals(1, joined.generationId());
        assertTrue(joined.isLeader());
    }

    @Test
    void shouldRejectJoinWithProtocolNoMemberSupportsWithInconsistentGroupProtocol()
    {
        final ActorRef<Command> group = spawnGroup();
        stableGroup(group, new Member("a", Optional.empty()), new Member("b", Optional.empty()));
        final TestProbe<JoinGroupResponse> probe = TEST_KIT.createTestProbe();

        group.tell(new JoinGroup("", Optional.empty(), "d", "host", "consumer",
            List.of(new MemberProtocol("sticky", new byte[0])), SESSION_TIMEOUT_MS, REBALANCE_TIMEOUT_MS, probe.ref()));

        final JoinGroupResponse reply = probe.receiveMessage();
        assertEquals(GroupError.INCONSISTENT_GROUP_PROTOCOL, reply.error());
        assertEquals(GroupState.STABLE, describe(group).state());
    }

    @Test
    void shouldRecoverMembersAssignmentAndOffsetsAfterRestartAndExpireMembersThatDoNotHeartbeat()
    {
        final ActorRef<Command> group = spawnGroup();
        final Member a = new Member("a", Optional.empty());
        final Member b = new Member("b", Optional.empty());
        stableGroup(group, a, b);
        assertEquals(GroupError.NONE, a.commit(group, 1).error());
        TEST_KIT.stop(group);

        final ActorRef<Command> recovered = spawnGroup();
        final GroupDescription description = describe(recovered);
        assertEquals(GroupState.STABLE, description.state());
        assertEquals(1, description.generationId());
        assertEquals(2, description.members().size());
        assertArrayEquals(new byte[] {'A'}, description.members().get(0).assignment());
        final TestProbe<OffsetFetchResponse> offsets = TEST_KIT.createTestProbe();
        recovered.tell(new OffsetFetch(Optional.empty(), offsets.ref()));
        assertEquals(Map.of(new TopicPartition("t", 0), new CommittedOffset(10, -1, "", clock.millis())),
            offsets.receiveMessage().offsets());

        assertEquals(GroupError.NONE, a.heartbeat(recovered).error());
        MANUAL_TIME.timePasses(Duration.ofMillis(6_000));
        assertEquals(GroupError.NONE, a.heartbeat(recovered).error());
        MANUAL_TIME.timePasses(Duration.ofMillis(SESSION_TIMEOUT_MS - 6_000 + 1));
        assertEquals(GroupError.REBALANCE_IN_PROGRESS, a.heartbeat(recovered).error());
    }

    private ActorRef<Command> spawnGroup()
    {
        return TEST_KIT.spawn(GroupCoordinator.create(groupId, SETTINGS, clock));
    }

    /** Two members join within the initial delay, a leads and assigns 'A' and 'B'. */
    private void stableGroup(final ActorRef<Command> group, final Member a, final Member b)
    {
        a.join(group);
        b.join(group);
        describe(group);
        MANUAL_TIME.timePasses(Duration.ofMillis(SETTINGS.initialRebalanceDelayMs()));
        a.joined();
        b.joined();
        b.sync(group, Map.of());
        a.sync(group, Map.of(a.memberId, new byte[] {'A'}, b.memberId, new byte[] {'B'}));
        a.synced();
        b.synced();
    }

    /** Also a barrier: the reply comes after every message sent to the group before. */
    private static GroupDescription describe(final ActorRef<Command> group)
    {
        final TestProbe<GroupDescription> probe = TEST_KIT.createTestProbe();
        group.tell(new DescribeGroup(Map.of(), probe.ref()));
        return probe.receiveMessage();
    }

    /** A consumer's view of its membership, with probes for its replies. */
    private static final class Member
    {
        final String clientId;
        final Optional<String> instanceId;
        final TestProbe<JoinGroupResponse> joins = TEST_KIT.createTestProbe();
        final TestProbe<SyncGroupResponse> syncs = TEST_KIT.createTestProbe();
        final TestProbe<GroupAck> acks = TEST_KIT.createTestProbe();
        String memberId = "";
        int generation = -1;
        int rebalanceTimeoutMs = REBALANCE_TIMEOUT_MS;
        List<MemberProtocol> protocols = RANGE;

        Member(final String clientId, final Optional<String> instanceId)
        {
            this.clientId = clientId;
            this.instanceId = instanceId;
        }

        void join(final ActorRef<Command> group)
        {
            group.tell(new JoinGroup(memberId, instanceId, clientId, "host-" + clientId, "consumer", protocols,
                SESSION_TIMEOUT_MS, rebalanceTimeoutMs, joins.ref()));
        }

        JoinGroupResponse joined()
        {
            final JoinGroupResponse response = joins.receiveMessage();
            assertEquals(GroupError.NONE, response.error(), response.message());
            memberId = response.memberId();
            generation = response.generationId();
            return response;
        }

        void sync(final ActorRef<Command> group, final Map<String, byte[]> assignments)
        {
            group.tell(new SyncGroup(generation, memberId, instanceId, new HashMap<>(assignments), syncs.ref()));
        }

        SyncGroupResponse synced()
        {
            final SyncGroupResponse response = syncs.receiveMessage();
            assertEquals(GroupError.NONE, response.error(), response.message());
            return response;
        }

        GroupAck heartbeat(final ActorRef<Command> group)
        {
            group.tell(new Heartbeat(generation, memberId, instanceId, acks.ref()));
            return acks.receiveMessage();
        }

        GroupAck leave(final ActorRef<Command> group)
        {
            group.tell(new LeaveGroup(memberId, instanceId, acks.ref()));
            return acks.receiveMessage();
        }

        GroupAck commit(final ActorRef<Command> group, final int generationId)
        {
            group.tell(new OffsetCommit(generationId, memberId, instanceId,
                Map.of(new TopicPartition("t", 0), OffsetAndMetadata.of(10)), acks.ref()));
            return acks.receiveMessage();
        }
    }
}
