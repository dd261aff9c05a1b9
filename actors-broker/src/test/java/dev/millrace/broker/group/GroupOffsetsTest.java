package dev.millrace.broker.group;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import dev.millrace.broker.group.GroupCoordinator.Command;
import dev.millrace.broker.group.GroupCoordinator.DeleteGroup;
import dev.millrace.broker.group.GroupCoordinator.DescribeGroup;
import dev.millrace.broker.group.GroupCoordinator.GroupAck;
import dev.millrace.broker.group.GroupCoordinator.GroupDescription;
import dev.millrace.broker.group.GroupCoordinator.JoinGroup;
import dev.millrace.broker.group.GroupCoordinator.JoinGroupResponse;
import dev.millrace.broker.group.GroupCoordinator.OffsetCommit;
import dev.millrace.broker.group.GroupCoordinator.OffsetDelete;
import dev.millrace.broker.group.GroupCoordinator.OffsetFetch;
import dev.millrace.broker.group.GroupCoordinator.OffsetFetchResponse;
import dev.millrace.broker.group.GroupCoordinator.PartitionLag;
import dev.millrace.broker.group.GroupCoordinator.ResetOffsets;
import dev.millrace.broker.group.GroupCoordinator.SyncGroup;
import dev.millrace.broker.group.GroupCoordinator.SyncGroupResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Offsets, deletion and expiry of a group, stepped through {@link EventSourcedBehaviorTestKit}: every command,
 * event and state goes through Kryo serialization, so an unregistered class fails here.
 */
class GroupOffsetsTest
{
    private static final ActorTestKit TEST_KIT = ActorTestKit.create(
        ManualTime.config().withFallback(EventSourcedBehaviorTestKit.config()));
    private static final ManualTime MANUAL_TIME = ManualTime.get(TEST_KIT.system());
    private static final AtomicInteger GROUP_IDS = new AtomicInteger();
    private static final GroupSettings SETTINGS = GroupSettings.defaults().withInitialRebalanceDelayMs(0);
    private static final TopicPartition T0 = new TopicPartition("orders", 0);
    private static final TopicPartition T1 = new TopicPartition("orders", 1);

    private final MutableClock clock = new MutableClock(1_700_000_000_000L);
    private EventSourcedBehaviorTestKit<Command, GroupEvent, GroupMetadata> kit;

    @BeforeEach
    void createGroup()
    {
        kit = EventSourcedBehaviorTestKit.create(TEST_KIT.system(),
            GroupCoordinator.create("offsets-" + GROUP_IDS.incrementAndGet(), SETTINGS, clock));
    }

    @AfterAll
    static void shutdown()
    {
        TEST_KIT.shutdownTestKit();
    }

    @Test
    void shouldAcceptSimpleCommitToEmptyGroupAndFetchAllOrGivenPartitions()
    {
        final CommandResultWithReply<Command, GroupEvent, GroupMetadata, GroupAck> commit =
            kit.<GroupAck>runCommand(replyTo -> simpleCommit(Map.of(T0, new OffsetAndMetadata(42, 3, "m"), T1,
                OffsetAndMetadata.of(7)), replyTo));

        assertEquals(GroupError.NONE, commit.reply().error());
        final GroupEvent.OffsetsCommitted event = commit.eventOfType(GroupEvent.OffsetsCommitted.class);
        assertEquals(new CommittedOffset(42, 3, "m", clock.millis()), event.offsets().get(T0));

        final OffsetFetchResponse all = kit.<OffsetFetchResponse>runCommand(
            replyTo -> new OffsetFetch(Optional.empty(), replyTo)).reply();
        assertEquals(2, all.offsets().size());
        final OffsetFetchResponse some = kit.<OffsetFetchResponse>runCommand(replyTo -> new OffsetFetch(
            Optional.of(List.of(T1, new TopicPartition("other", 0))), replyTo)).reply();
        assertEquals(Map.of(T1, new CommittedOffset(7, -1, "", clock.millis())), some.offsets());
    }

    @Test
    void shouldRejectCommitWithoutGenerationWhenGroupHasMembersAndPersistNothing()
    {
        joinAlone();

        final CommandResultWithReply<Command, GroupEvent, GroupMetadata, GroupAck> commit =
            kit.<GroupAck>runCommand(replyTo -> simpleCommit(Map.of(T0, OffsetAndMetadata.of(1)), replyTo));

        assertEquals(GroupError.UNKNOWN_MEMBER_ID, commit.reply().error());
        assertTrue(commit.reply().message().contains("rejoin"), commit.reply().message());
        assertTrue(commit.hasNoEvents());
    }

    @Test
    void shouldRejectCommitWhileAwaitingAssignmentThenAcceptCurrentGenerationAndRefuseOldOne()
    {
        final JoinGroupResponse joined = joinAlone();

        final GroupAck during = kit.<GroupAck>runCommand(replyTo -> new OffsetCommit(joined.generationId(),
            joined.memberId(), Optional.empty(), Map.of(T0, OffsetAndMetadata.of(1)), replyTo)).reply();
        assertEquals(GroupError.REBALANCE_IN_PROGRESS, during.error());

        final SyncGroupResponse synced = kit.<SyncGroupResponse>runCommand(replyTo -> new SyncGroup(
            joined.generationId(), joined.memberId(), Optional.empty(), Map.of(joined.memberId(), new byte[] {1}),
            replyTo)).reply();
        assertArrayEquals(new byte[] {1}, synced.assignment());

        final GroupAck old = kit.<GroupAck>runCommand(replyTo -> new OffsetCommit(joined.generationId() - 1,
            joined.memberId(), Optional.empty(), Map.of(T0, OffsetAndMetadata.of(1)), replyTo)).reply();
        assertEquals(GroupError.ILLEGAL_GENERATION, old.error());
        final GroupAck current = kit.<GroupAck>runCommand(replyTo -> new OffsetCommit(joined.generationId(),
            joined.memberId(), Optional.empty(), Map.of(T0, OffsetAndMetadata.of(5)), replyTo)).reply();
        assertEquals(GroupError.NONE, current.error());
        assertEquals(5, kit.getState().offsets().get(T0).offset());
    }

    @Test
    void shouldRejectCommitFromUnknownMemberWithUnknownMemberId()
    {
        joinAlone();
        final GroupAck reply = kit.<GroupAck>runCommand(replyTo -> new OffsetCommit(1, "nobody", Optional.empty(),
            Map.of(T0, OffsetAndMetadata.of(1)), replyTo)).reply();
        assertEquals(GroupError.UNKNOWN_MEMBER_ID, reply.error());
    }

    @Test
    void shouldDeleteOffsetsOfEmptyGroupButRefuseWhileItHasMembers()
    {
        kit.<GroupAck>runCommand(replyTo -> simpleCommit(Map.of(T0, OffsetAndMetadata.of(1), T1, OffsetAndMetadata.of(2)),
            replyTo));

        final CommandResultWithReply<Command, GroupEvent, GroupMetadata, GroupAck> delete =
            kit.<GroupAck>runCommand(replyTo -> new OffsetDelete(List.of(T0), replyTo));
        assertEquals(GroupError.NONE, delete.reply().error());
        assertEquals(List.of(T0), delete.eventOfType(GroupEvent.OffsetsDeleted.class).partitions());
        assertEquals(Map.of(T1, new CommittedOffset(2, -1, "", clock.millis())), delete.state().offsets());

        joinAlone();
        final CommandResultWithReply<Command, GroupEvent, GroupMetadata, GroupAck> refused =
            kit.<GroupAck>runCommand(replyTo -> new OffsetDelete(List.of(T1), replyTo));
        assertEquals(GroupError.NON_EMPTY_GROUP, refused.reply().error());
        assertTrue(refused.hasNoEvents());
    }

    @Test
    void shouldExpireOffsetsOfEmptyGroupOnlyAfterRetention()
    {
        kit.<GroupAck>runCommand(replyTo -> simpleCommit(Map.of(T0, OffsetAndMetadata.of(1)), replyTo));
        clock.advance(Duration.ofDays(1));
        kit.<GroupAck>runCommand(replyTo -> simpleCommit(Map.of(T1, OffsetAndMetadata.of(2)), replyTo));

        // T0 is now 7 days old, T1 6 days: the next retention check removes only T0.
        clock.advance(Duration.ofDays(6));
        MANUAL_TIME.timePasses(Duration.ofMillis(SETTINGS.offsetsRetentionCheckIntervalMs()));

        final OffsetFetchResponse fetched = kit.<OffsetFetchResponse>runCommand(
            replyTo -> new OffsetFetch(Optional.empty(), replyTo)).reply();
        assertEquals(List.of(T1), List.copyOf(fetched.offsets().keySet()));
    }

    @Test
    void shouldDeleteEmptyGroupWhenItsLastOffsetsExpire()
    {
        kit.<GroupAck>runCommand(replyTo -> simpleCommit(Map.of(T0, OffsetAndMetadata.of(1)), replyTo));
        clock.advance(Duration.ofDays(7));
        MANUAL_TIME.timePasses(Duration.ofMillis(SETTINGS.offsetsRetentionCheckIntervalMs()));

        final GroupDescription description = kit.<GroupDescription>runCommand(
            replyTo -> new DescribeGroup(Map.of(), replyTo)).reply();
        assertEquals(GroupError.GROUP_ID_NOT_FOUND, description.error());
        assertEquals(GroupState.DEAD, kit.getState().state());
    }

    @Test
    void shouldNotExpireOffsetsOfGroupWithMembers()
    {
        kit.<GroupAck>runCommand(replyTo -> simpleCommit(Map.of(T0, OffsetAndMetadata.of(1)), replyTo));
        // A member whose session outlasts the retention check.
        final JoinGroupResponse joined = kit.<JoinGroupResponse>runCommand(replyTo -> new JoinGroup("",
            Optional.empty(), "client", "host", "consumer", List.of(new MemberProtocol("range", new byte[0])),
            (int) SETTINGS.maxSessionTimeoutMs(), 5_000, replyTo)).reply();
        kit.<SyncGroupResponse>runCommand(replyTo -> new SyncGroup(joined.generationId(), joined.memberId(),
            Optional.empty(), Map.of(), replyTo));
        clock.advance(Duration.ofDays(8));
        MANUAL_TIME.timePasses(Duration.ofMillis(SETTINGS.offsetsRetentionCheckIntervalMs()));

        final OffsetFetchResponse fetched = kit.<OffsetFetchResponse>runCommand(
            replyTo -> new OffsetFetch(Optional.empty(), replyTo)).reply();
        assertEquals(List.of(T0), List.copyOf(fetched.offsets().keySet()));
    }

    @Test
    void shouldDeleteEmptyGroupAndThenAnswerGroupIdNotFound()
    {
        kit.<GroupAck>runCommand(replyTo -> simpleCommit(Map.of(T0, OffsetAndMetadata.of(1)), replyTo));

        final CommandResultWithReply<Command, GroupEvent, GroupMetadata, GroupAck> deleted =
            kit.<GroupAck>runCommand(DeleteGroup::new);
        assertEquals(GroupError.NONE, deleted.reply().error());
        assertEquals(GroupState.DEAD, deleted.state().state());
        assertTrue(deleted.state().offsets().isEmpty());

        assertEquals(GroupError.GROUP_ID_NOT_FOUND, kit.<GroupAck>runCommand(DeleteGroup::new).reply().error());
        assertEquals(GroupError.GROUP_ID_NOT_FOUND, kit.<GroupDescription>runCommand(
            replyTo -> new DescribeGroup(Map.of(), replyTo)).reply().error());
    }

    @Test
    void shouldCreateDeletedGroupAgainOnNextCommit()
    {
        kit.<GroupAck>runCommand(replyTo -> simpleCommit(Map.of(T0, OffsetAndMetadata.of(1)), replyTo));
        kit.<GroupAck>runCommand(DeleteGroup::new);

        final CommandResultWithReply<Command, GroupEvent, GroupMetadata, GroupAck> commit =
            kit.<GroupAck>runCommand(replyTo -> simpleCommit(Map.of(T1, OffsetAndMetadata.of(9)), replyTo));
        assertEquals(GroupError.NONE, commit.reply().error());
        assertEquals(GroupState.EMPTY, commit.state().state());
        assertEquals(List.of(T1), List.copyOf(commit.state().offsets().keySet()));
    }

    @Test
    void shouldRefuseToDeleteGroupWithMembersOrUnknownGroup()
    {
        assertEquals(GroupError.GROUP_ID_NOT_FOUND, kit.<GroupAck>runCommand(DeleteGroup::new).reply().error());
        joinAlone();
        final CommandResultWithReply<Command, GroupEvent, GroupMetadata, GroupAck> refused =
            kit.<GroupAck>runCommand(DeleteGroup::new);
        assertEquals(GroupError.NON_EMPTY_GROUP, refused.reply().error());
        assertTrue(refused.reply().message().contains("stop its consumers"), refused.reply().message());
        assertTrue(refused.hasNoEvents());
    }

    @Test
    void shouldResetOffsetsOnlyWhileGroupIsEmpty()
    {
        final CommandResultWithReply<Command, GroupEvent, GroupMetadata, GroupAck> reset =
            kit.<GroupAck>runCommand(replyTo -> new ResetOffsets(Map.of(T0, 100L), replyTo));
        assertEquals(GroupError.NONE, reset.reply().error());
        assertEquals(100, reset.state().offsets().get(T0).offset());

        assertEquals(GroupError.OFFSET_OUT_OF_RANGE, kit.<GroupAck>runCommand(
            replyTo -> new ResetOffsets(Map.of(T0, -1L), replyTo)).reply().error());

        joinAlone();
        final CommandResultWithReply<Command, GroupEvent, GroupMetadata, GroupAck> refused =
            kit.<GroupAck>runCommand(replyTo -> new ResetOffsets(Map.of(T0, 0L), replyTo));
        assertEquals(GroupError.NON_EMPTY_GROUP, refused.reply().error());
        assertTrue(refused.hasNoEvents());
    }

    @Test
    void shouldReportLagPerPartitionAndTotalFromGivenLogEndOffsets()
    {
        kit.<GroupAck>runCommand(replyTo -> simpleCommit(Map.of(T0, OffsetAndMetadata.of(40), T1, OffsetAndMetadata.of(7)),
            replyTo));
        final TopicPartition uncommitted = new TopicPartition("orders", 2);

        final GroupDescription description = kit.<GroupDescription>runCommand(replyTo -> new DescribeGroup(
            Map.of(T0, 50L, T1, 7L, uncommitted, 3L), replyTo)).reply();

        assertEquals(GroupState.EMPTY, description.state());
        assertEquals(List.of(new PartitionLag(T0, 40, 50, 10), new PartitionLag(T1, 7, 7, 0),
            new PartitionLag(uncommitted, -1, 3, -1)), description.lags());
        assertEquals(10, description.totalLag());
    }

    @Test
    void shouldKeepOffsetsAndMembersAcrossRestart()
    {
        kit.<GroupAck>runCommand(replyTo -> simpleCommit(Map.of(T0, OffsetAndMetadata.of(3)), replyTo));
        final JoinGroupResponse joined = joinAlone();
        final GroupMetadata before = kit.getState();

        kit.restart();

        final GroupMetadata after = kit.getState();
        assertEquals(before.offsets(), after.offsets());
        assertEquals(before.members(), after.members());
        assertEquals(GroupState.COMPLETING_REBALANCE, after.state());
        assertEquals(joined.generationId(), after.generationId());
    }

    @Test
    void shouldRejectJoinWithSessionTimeoutOutsideBounds()
    {
        final CommandResultWithReply<Command, GroupEvent, GroupMetadata, JoinGroupResponse> join =
            kit.<JoinGroupResponse>runCommand(replyTo -> new JoinGroup("", Optional.empty(), "client", "host", "consumer",
                List.of(new MemberProtocol("range", new byte[0])), 1_000, 10_000, replyTo));
        assertEquals(GroupError.INVALID_SESSION_TIMEOUT, join.reply().error());
        assertTrue(join.hasNoEvents());
    }

    @Test
    void shouldAnswerEveryCommandOfBlankGroupIdWithInvalidGroupId()
    {
        final ActorRef<Command> blank = TEST_KIT.spawn(GroupCoordinator.create(" ", SETTINGS, clock));
        final TestProbe<GroupAck> probe = TEST_KIT.createTestProbe();
        blank.tell(simpleCommit(Map.of(T0, OffsetAndMetadata.of(1)), probe.ref()));
        assertEquals(GroupError.INVALID_GROUP_ID, probe.receiveMessage().error());
    }

    @Test
    void shouldReadSettingsFromReferenceConf()
    {
        final GroupSettings settings = GroupSettings.fromConfig(TEST_KIT.system().settings().config());
        assertEquals(GroupSettings.defaults(), settings);
    }

    private JoinGroupResponse joinAlone()
    {
        final JoinGroupResponse joined = kit.<JoinGroupResponse>runCommand(replyTo -> new JoinGroup("",
            Optional.empty(), "client", "host", "consumer", List.of(new MemberProtocol("range", new byte[] {9})),
            10_000, 5_000, replyTo)).reply();
        assertEquals(GroupError.NONE, joined.error(), joined.message());
        assertInstanceOf(String.class, joined.memberId());
        return joined;
    }

    private static OffsetCommit simpleCommit(final Map<TopicPartition, OffsetAndMetadata> offsets,
                                             final ActorRef<GroupAck> replyTo)
    {
        return new OffsetCommit(-1, "", Optional.empty(), offsets, replyTo);
    }
}
