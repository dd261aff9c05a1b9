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
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The coordinator of one consumer group: an event-sourced behavior implementing Kafka's classic group protocol
 * (membership, rebalances, assignment hand-out, heartbeats) and the group's committed offsets. One instance
 * per group, persistence id {@code GroupCoordinator|<groupId>}; cluster sharding runs it as an entity.
 *
 * <h2>Protocol</h2>
 * Membership: {@link JoinGroup}, {@link SyncGroup}, {@link Heartbeat}, {@link LeaveGroup}.
 * Offsets: {@link OffsetCommit}, {@link OffsetFetch}, {@link OffsetDelete}, {@link ResetOffsets}.
 * Administration: {@link DescribeGroup} (with lag from caller-supplied log end offsets), {@link DeleteGroup}.
 * Every reply carries a {@link GroupError} and a message saying what to do; a rejected command persists nothing.
 *
 * <h2>Rebalance</h2>
 * A join, leave, session expiry or protocol change moves the group to PREPARING_REBALANCE. The join phase ends
 * when every member has (re)joined, or after the largest rebalance timeout, when members that did not rejoin
 * are removed. Then a generation starts: the leader (the first member) receives every member's metadata, the
 * others an empty list; SyncGroup replies wait for the leader's assignment. A static member (group.instance.id)
 * that rejoins under a new member id takes over the old member's assignment, fencing the old id; without a
 * protocol change and while STABLE this needs no rebalance.
 *
 * <h2>Persistence and time</h2>
 * Offsets and membership/generation/assignment are persisted ({@link GroupEvent}); who is waiting for a join or
 * sync reply is not. After a restart the members must heartbeat within their session timeout, and a group
 * recovered mid-rebalance waits its rebalance timeout for rejoins. Session, rebalance and retention timeouts
 * run on Pekko timers; commit timestamps and offset expiry use the injected {@link Clock}.
 *
 * <p>Threading: an actor; all state is confined to it.
 */
public final class GroupCoordinator extends EventSourcedBehavior<GroupCoordinator.Command, GroupEvent, GroupMetadata>
{
    /** Entity type of the persistence id. */
    public static final String ENTITY_TYPE = "GroupCoordinator";

    private static final Object JOIN_TIMEOUT_KEY = "join-timeout";
    private static final Object SYNC_TIMEOUT_KEY = "sync-timeout";
    private static final Object EXPIRE_OFFSETS_KEY = "expire-offsets";
    private static final Object INITIAL_DELAY_KEY = "initial-rebalance-delay";

    /** Messages of the group coordinator. */
    public sealed interface Command extends MillraceMessage
        permits JoinGroup, SyncGroup, Heartbeat, LeaveGroup, OffsetCommit, OffsetFetch, OffsetDelete, ResetOffsets,
        DeleteGroup, DescribeGroup, SessionExpired, JoinTimeout, SyncTimeout, ExpireOffsets, InitialDelayElapsed
    {
        /**
         * Answers this command with an error reply (no-op for internal messages).
         *
         * @param error   the error
         * @param message what went wrong and what to do
         */
        void reject(GroupError error, String message);
    }

    /**
     * Join (or rejoin) the group; the reply comes when the join phase of the rebalance ends.
     *
     * @param memberId           "" for a new member, else the id the coordinator gave
     * @param groupInstanceId    {@code group.instance.id} of a static member
     * @param clientId           the client's id (prefix of a new member id)
     * @param clientHost         the client's host
     * @param protocolType       e.g. "consumer"; every member must use the same
     * @param protocols          supported protocols in preference order, with the member's metadata
     * @param sessionTimeoutMs   within settings' session timeout bounds
     * @param rebalanceTimeoutMs how long a rebalance waits for this member to rejoin
     * @param replyTo            gets the generation, leader and (for the leader) every member's metadata
     */
    public record JoinGroup(
        String memberId,
        Optional<String> groupInstanceId,
        String clientId,
        String clientHost,
        String protocolType,
        List<MemberProtocol> protocols,
        int sessionTimeoutMs,
        int rebalanceTimeoutMs,
        ActorRef<JoinGroupResponse> replyTo) implements Command
    {
        @Override
        public void reject(final GroupError error, final String message)
        {
            replyTo.tell(JoinGroupResponse.error(error, message, memberId));
        }
    }

    /**
     * Get this member's assignment for the generation; the leader sends everyone's.
     *
     * @param generationId    the generation from the JoinGroup reply
     * @param memberId        the member
     * @param groupInstanceId the static member's instance id
     * @param assignments     from the leader: member id to assignment; empty from the others
     * @param replyTo         gets the assignment once the leader has sent it
     */
    public record SyncGroup(
        int generationId,
        String memberId,
        Optional<String> groupInstanceId,
        Map<String, byte[]> assignments,
        ActorRef<SyncGroupResponse> replyTo) implements Command
    {
        @Override
        public void reject(final GroupError error, final String message)
        {
            replyTo.tell(SyncGroupResponse.error(error, message));
        }
    }

    /**
     * Keep the member's session alive; REBALANCE_IN_PROGRESS tells it to rejoin.
     *
     * @param generationId    the member's generation
     * @param memberId        the member
     * @param groupInstanceId the static member's instance id
     * @param replyTo         gets NONE or an error
     */
    public record Heartbeat(int generationId, String memberId, Optional<String> groupInstanceId,
                            ActorRef<GroupAck> replyTo) implements Command
    {
        @Override
        public void reject(final GroupError error, final String message)
        {
            replyTo.tell(new GroupAck(error, message));
        }
    }

    /**
     * Leave the group now instead of at session expiry; starts a rebalance.
     *
     * @param memberId        the member, or "" to remove the static member with {@code groupInstanceId}
     * @param groupInstanceId the static member's instance id
     * @param replyTo         gets NONE or an error
     */
    public record LeaveGroup(String memberId, Optional<String> groupInstanceId, ActorRef<GroupAck> replyTo)
        implements Command
    {
        @Override
        public void reject(final GroupError error, final String message)
        {
            replyTo.tell(new GroupAck(error, message));
        }
    }

    /**
     * Commit offsets: from a member of the current generation, or with generation -1 from a standalone consumer
     * while the group is empty.
     *
     * @param generationId    the member's generation, or -1 for a simple commit
     * @param memberId        the member ("" for a simple commit)
     * @param groupInstanceId the static member's instance id
     * @param offsets         partition to offset
     * @param replyTo         gets NONE or an error
     */
    public record OffsetCommit(
        int generationId,
        String memberId,
        Optional<String> groupInstanceId,
        Map<TopicPartition, OffsetAndMetadata> offsets,
        ActorRef<GroupAck> replyTo) implements Command
    {
        @Override
        public void reject(final GroupError error, final String message)
        {
            replyTo.tell(new GroupAck(error, message));
        }
    }

    /**
     * Read committed offsets.
     *
     * @param partitions the partitions to read, empty for all; partitions without a committed offset are left out
     * @param replyTo    gets the offsets
     */
    public record OffsetFetch(Optional<List<TopicPartition>> partitions, ActorRef<OffsetFetchResponse> replyTo)
        implements Command
    {
        @Override
        public void reject(final GroupError error, final String message)
        {
            replyTo.tell(new OffsetFetchResponse(error, message, Map.of()));
        }
    }

    /**
     * Delete committed offsets of an empty group (the coordinator does not read subscriptions, so it cannot tell
     * which partitions a live group uses).
     *
     * @param partitions the partitions
     * @param replyTo    gets NONE or an error
     */
    public record OffsetDelete(List<TopicPartition> partitions, ActorRef<GroupAck> replyTo) implements Command
    {
        @Override
        public void reject(final GroupError error, final String message)
        {
            replyTo.tell(new GroupAck(error, message));
        }
    }

    /**
     * Set offsets of an empty group, e.g. to earliest, latest or a timestamp, resolved by the caller.
     *
     * @param offsets partition to the next offset to read
     * @param replyTo gets NONE or an error
     */
    public record ResetOffsets(Map<TopicPartition, Long> offsets, ActorRef<GroupAck> replyTo) implements Command
    {
        @Override
        public void reject(final GroupError error, final String message)
        {
            replyTo.tell(new GroupAck(error, message));
        }
    }

    /**
     * Delete an empty group with its offsets.
     *
     * @param replyTo gets NONE or an error
     */
    public record DeleteGroup(ActorRef<GroupAck> replyTo) implements Command
    {
        @Override
        public void reject(final GroupError error, final String message)
        {
            replyTo.tell(new GroupAck(error, message));
        }
    }

    /**
     * Describe the group and its lag.
     *
     * @param logEndOffsets log end offsets the caller read from the partitions (the coordinator owns no logs);
     *                      empty for no lag
     * @param replyTo       gets the description
     */
    public record DescribeGroup(Map<TopicPartition, Long> logEndOffsets, ActorRef<GroupDescription> replyTo)
        implements Command
    {
        @Override
        public void reject(final GroupError error, final String message)
        {
            replyTo.tell(GroupDescription.error(error, message));
        }
    }

    /** Carries the session's epoch: a timer message stashed during a persist may be stale by the time it runs. */
    private record SessionExpired(String memberId, long epoch) implements Command
    {
        @Override
        public void reject(final GroupError error, final String message)
        {
        }
    }

    private record JoinTimeout(int generationId) implements Command
    {
        @Override
        public void reject(final GroupError error, final String message)
        {
        }
    }

    private record SyncTimeout(int generationId) implements Command
    {
        @Override
        public void reject(final GroupError error, final String message)
        {
        }
    }

    private enum InitialDelayElapsed implements Command
    {
        INSTANCE;

        @Override
        public void reject(final GroupError error, final String message)
        {
        }
    }

    private enum ExpireOffsets implements Command
    {
        INSTANCE;

        @Override
        public void reject(final GroupError error, final String message)
        {
        }
    }

    /**
     * Reply to {@link JoinGroup}.
     *
     * @param error        NONE or why the join failed
     * @param message      what to do about the error
     * @param generationId the generation the member joined
     * @param protocolType the group's protocol type
     * @param protocolName the chosen protocol
     * @param leaderId     the leader's member id
     * @param memberId     this member's id (new members learn theirs here)
     * @param members      for the leader: every member with its metadata for the chosen protocol; else empty
     */
    public record JoinGroupResponse(
        GroupError error,
        String message,
        int generationId,
        String protocolType,
        String protocolName,
        String leaderId,
        String memberId,
        List<JoinedMember> members) implements MillraceMessage
    {
        static JoinGroupResponse error(final GroupError error, final String message, final String memberId)
        {
            return new JoinGroupResponse(error, message, -1, "", "", "", memberId, List.of());
        }

        /**
         * @return whether this member is the leader and must compute the assignment
         */
        public boolean isLeader()
        {
            return error == GroupError.NONE && leaderId.equals(memberId);
        }
    }

    /**
     * A member as the leader sees it in its {@link JoinGroupResponse}.
     *
     * @param memberId        the member id
     * @param groupInstanceId the static member's instance id
     * @param metadata        the member's metadata for the chosen protocol
     */
    public record JoinedMember(String memberId, Optional<String> groupInstanceId, byte[] metadata)
        implements MillraceMessage
    {
    }

    /**
     * Reply to {@link SyncGroup}.
     *
     * @param error        NONE or why the sync failed
     * @param message      what to do about the error
     * @param protocolType the group's protocol type
     * @param protocolName the chosen protocol
     * @param assignment   this member's assignment
     */
    public record SyncGroupResponse(GroupError error, String message, String protocolType, String protocolName,
                                    byte[] assignment) implements MillraceMessage
    {
        static SyncGroupResponse error(final GroupError error, final String message)
        {
            return new SyncGroupResponse(error, message, "", "", GroupMember.NO_ASSIGNMENT);
        }
    }

    /**
     * Reply of the commands that only succeed or fail.
     *
     * @param error   NONE or why the command failed
     * @param message what to do about the error
     */
    public record GroupAck(GroupError error, String message) implements MillraceMessage
    {
        static final GroupAck OK = new GroupAck(GroupError.NONE, "");
    }

    /**
     * Reply to {@link OffsetFetch}.
     *
     * @param error   NONE or why the fetch failed
     * @param message what to do about the error
     * @param offsets the committed offsets found
     */
    public record OffsetFetchResponse(GroupError error, String message, Map<TopicPartition, CommittedOffset> offsets)
        implements MillraceMessage
    {
    }

    /**
     * Reply to {@link DescribeGroup}.
     *
     * @param error        NONE, or GROUP_ID_NOT_FOUND for a group that does not exist
     * @param message      what to do about the error
     * @param groupId      the group
     * @param state        the group's state
     * @param protocolType the protocol type ("" before the first join)
     * @param protocolName the current generation's protocol
     * @param generationId the current generation
     * @param leaderId     the leader's member id
     * @param members      the members with their assignments
     * @param lags         per committed or given partition: committed offset, log end offset, lag (-1 = unknown)
     * @param totalLag     sum of the known lags
     */
    public record GroupDescription(
        GroupError error,
        String message,
        String groupId,
        GroupState state,
        String protocolType,
        String protocolName,
        int generationId,
        String leaderId,
        List<MemberDescription> members,
        List<PartitionLag> lags,
        long totalLag) implements MillraceMessage
    {
        static GroupDescription error(final GroupError error, final String message)
        {
            return new GroupDescription(error, message, "", GroupState.DEAD, "", "", -1, "", List.of(), List.of(), 0);
        }
    }

    /**
     * A member in a {@link GroupDescription}.
     *
     * @param memberId        the member id
     * @param groupInstanceId the static member's instance id
     * @param clientId        the client id
     * @param clientHost      the client host
     * @param assignment      the member's assignment bytes
     */
    public record MemberDescription(String memberId, Optional<String> groupInstanceId, String clientId,
                                    String clientHost, byte[] assignment) implements MillraceMessage
    {
    }

    /**
     * Lag of one partition.
     *
     * @param partition       the partition
     * @param committedOffset the group's committed offset, -1 when none
     * @param logEndOffset    the caller's log end offset, -1 when not given
     * @param lag             log end offset minus committed offset (at least 0), -1 when either is unknown
     */
    public record PartitionLag(TopicPartition partition, long committedOffset, long logEndOffset, long lag)
        implements MillraceMessage
    {
    }

    private final String groupId;
    private final GroupSettings settings;
    private final Clock clock;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final Map<String, ActorRef<JoinGroupResponse>> joinWaiters = new LinkedHashMap<>();
    private final Map<String, ActorRef<SyncGroupResponse>> syncWaiters = new LinkedHashMap<>();
    private final Map<String, Long> sessionEpochs = new HashMap<>();
    private long nextSessionEpoch;
    private boolean recovered;

    private GroupCoordinator(
        final String groupId,
        final GroupSettings settings,
        final Clock clock,
        final ActorContext<Command> context,
        final TimerScheduler<Command> timers)
    {
        super(persistenceId(groupId));
        this.groupId = groupId;
        this.settings = settings;
        this.clock = clock;
        this.context = context;
        this.timers = timers;
    }

    /**
     * @param groupId  the group's id; a blank id gives a behavior that answers everything with INVALID_GROUP_ID
     * @param settings coordinator settings
     * @param clock    clock for commit timestamps and offset expiry
     * @return the coordinator of the group
     */
    public static Behavior<Command> create(final String groupId, final GroupSettings settings, final Clock clock)
    {
        if (groupId == null || groupId.isBlank())
        {
            return invalidGroup(groupId);
        }
        return Behaviors.setup(context -> Behaviors.withTimers(
            timers -> new GroupCoordinator(groupId, settings, clock, context, timers)));
    }

    /**
     * @param groupId the group's id
     * @return the persistence id of the group's coordinator
     */
    public static PersistenceId persistenceId(final String groupId)
    {
        return PersistenceId.of(ENTITY_TYPE, groupId);
    }

    private static Behavior<Command> invalidGroup(final String groupId)
    {
        return Behaviors.receive(Command.class)
            .onAnyMessage(command ->
            {
                command.reject(GroupError.INVALID_GROUP_ID,
                    GroupError.INVALID_GROUP_ID.message("group id '" + groupId + "' is blank"));
                return Behaviors.same();
            })
            .build();
    }

    @Override
    public GroupMetadata emptyState()
    {
        return GroupMetadata.empty();
    }

    @Override
    public RetentionCriteria retentionCriteria()
    {
        return RetentionCriteria.snapshotEvery(settings.snapshotEveryEvents(), 2);
    }

    @Override
    public CommandHandler<Command, GroupEvent, GroupMetadata> commandHandler()
    {
        return newCommandHandlerBuilder().forAnyState()
            .onCommand(JoinGroup.class, this::onJoinGroup)
            .onCommand(SyncGroup.class, this::onSyncGroup)
            .onCommand(Heartbeat.class, this::onHeartbeat)
            .onCommand(LeaveGroup.class, this::onLeaveGroup)
            .onCommand(OffsetCommit.class, this::onOffsetCommit)
            .onCommand(OffsetFetch.class, this::onOffsetFetch)
            .onCommand(OffsetDelete.class, this::onOffsetDelete)
            .onCommand(ResetOffsets.class, this::onResetOffsets)
            .onCommand(DeleteGroup.class, this::onDeleteGroup)
            .onCommand(DescribeGroup.class, this::onDescribeGroup)
            .onCommand(SessionExpired.class, this::onSessionExpired)
            .onCommand(JoinTimeout.class, this::onJoinTimeout)
            .onCommand(SyncTimeout.class, this::onSyncTimeout)
            .onCommand(ExpireOffsets.class, this::onExpireOffsets)
            .onCommand(InitialDelayElapsed.class, this::onInitialDelayElapsed)
            .build();
    }

    @Override
    public EventHandler<GroupMetadata, GroupEvent> eventHandler()
    {
        return newEventHandlerBuilder().forAnyState()
            .onAnyEvent((group, event) -> group.apply(event, this::logTransition));
    }

    @Override
    public SignalHandler<GroupMetadata> signalHandler()
    {
        return newSignalHandlerBuilder()
            .onSignal(RecoveryCompleted.instance(), this::onRecoveryCompleted)
            .build();
    }

    private void logTransition(final GroupState from, final GroupState to, final String reason)
    {
        if (recovered)
        {
            context.getLog().info("group {}: {} -> {}: {}", groupId, from, to, reason);
        }
        else
        {
            // Replaying history: the transitions were logged when they happened.
            context.getLog().debug("group {} (replay): {} -> {}: {}", groupId, from, to, reason);
        }
    }

    private void onRecoveryCompleted(final GroupMetadata group)
    {
        recovered = true;
        context.getLog().info("group {} recovered: {}, generation {}, {} members, {} committed offsets", groupId,
            group.state(), group.generationId(), group.members().size(), group.offsets().size());
        timers.startTimerWithFixedDelay(EXPIRE_OFFSETS_KEY, ExpireOffsets.INSTANCE,
            Duration.ofMillis(settings.offsetsRetentionCheckIntervalMs()));
        for (final GroupMember member : group.members())
        {
            scheduleSession(member);
        }
        if (group.state() == GroupState.PREPARING_REBALANCE)
        {
            timers.startSingleTimer(JOIN_TIMEOUT_KEY, new JoinTimeout(group.generationId()),
                Duration.ofMillis(group.rebalanceTimeoutMs()));
        }
        else if (group.state() == GroupState.COMPLETING_REBALANCE)
        {
            timers.startSingleTimer(SYNC_TIMEOUT_KEY, new SyncTimeout(group.generationId()),
                Duration.ofMillis(group.rebalanceTimeoutMs()));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Membership

    private Effect<GroupEvent, GroupMetadata> onJoinGroup(final GroupMetadata group, final JoinGroup join)
    {
        if (join.sessionTimeoutMs() < settings.minSessionTimeoutMs()
            || join.sessionTimeoutMs() > settings.maxSessionTimeoutMs())
        {
            return reject(join, GroupError.INVALID_SESSION_TIMEOUT, "session timeout " + join.sessionTimeoutMs()
                + " ms is outside [" + settings.minSessionTimeoutMs() + ", " + settings.maxSessionTimeoutMs() + "] ms");
        }
        if (join.protocolType().isEmpty() || join.protocols().isEmpty())
        {
            return reject(join, GroupError.INCONSISTENT_GROUP_PROTOCOL,
                "a JoinGroup needs a protocol type and at least one protocol");
        }
        final GroupMember previousStatic = join.memberId().isEmpty()
            ? join.groupInstanceId().map(group::staticMember).orElse(null) : null;
        final String excluded = previousStatic != null ? previousStatic.memberId() : join.memberId();
        final boolean othersPresent = group.members().size() > (group.member(excluded) != null ? 1 : 0);
        if (othersPresent && (!group.protocolType().equals(join.protocolType())
            || !group.supportsProtocols(excluded, join.protocols())))
        {
            return reject(join, GroupError.INCONSISTENT_GROUP_PROTOCOL, "group " + groupId + " uses protocol type '"
                + group.protocolType() + "' and its members support " + group.members().get(0).protocols()
                + "; the member offered '" + join.protocolType() + "' " + join.protocols());
        }

        final Decision decision = new Decision(group);
        if (group.state() == GroupState.DEAD)
        {
            decision.emit(new GroupCreated("a member joined the deleted group"));
        }
        if (join.memberId().isEmpty())
        {
            final String memberId = join.clientId() + "-" + UUID.randomUUID();
            final GroupMember member = newMember(memberId, join);
            if (previousStatic != null)
            {
                return joinReplacingStaticMember(decision, previousStatic, member, join);
            }
            decision.emit(new MemberJoined(member, join.protocolType(), "new member " + memberId + " joined"));
            prepareRebalance(decision, "new member " + memberId + " joined");
            return awaitJoin(decision, memberId, join.replyTo());
        }

        if (group.isFenced(join.memberId(), join.groupInstanceId()))
        {
            return rejectFenced(join, group, join.memberId(), join.groupInstanceId());
        }
        final GroupMember existing = group.member(join.memberId());
        if (existing == null)
        {
            return reject(join, GroupError.UNKNOWN_MEMBER_ID,
                "member " + join.memberId() + " is not in group " + groupId);
        }
        final String memberId = existing.memberId();
        final boolean changed = !MemberProtocol.sameProtocols(existing.protocols(), join.protocols());
        final boolean leader = memberId.equals(group.leaderId());
        if (!changed && (group.state() == GroupState.COMPLETING_REBALANCE
            || group.state() == GroupState.STABLE && !leader))
        {
            // Kafka: a rejoin without changes outside a rebalance just gets the current generation again.
            return Effect().none().thenRun(state ->
            {
                scheduleSession(existing);
                join.replyTo().tell(joinResponse(state, memberId));
            });
        }
        decision.emit(new MemberJoined(newMember(memberId, join), join.protocolType(),
            "member " + memberId + " rejoined"));
        prepareRebalance(decision, changed ? "member " + memberId + " changed its protocols"
            : "leader " + memberId + " rejoined");
        return awaitJoin(decision, memberId, join.replyTo());
    }

    private Effect<GroupEvent, GroupMetadata> joinReplacingStaticMember(
        final Decision decision,
        final GroupMember previous,
        final GroupMember member,
        final JoinGroup join)
    {
        final String oldMemberId = previous.memberId();
        final String newMemberId = member.memberId();
        final String instanceId = join.groupInstanceId().orElseThrow();
        final boolean unchanged = MemberProtocol.sameProtocols(previous.protocols(), member.protocols());
        final boolean stable = decision.state.state() == GroupState.STABLE;
        decision.emit(new StaticMemberReplaced(oldMemberId, member,
            "static member " + instanceId + " rejoined as " + newMemberId + ", fencing " + oldMemberId));
        if (stable && unchanged)
        {
            // Same instance, same subscription: keep the assignment, no rebalance.
            return Effect().persist(decision.events).thenRun(state ->
            {
                fence(oldMemberId, instanceId);
                afterPersist(state);
                scheduleSession(state.member(newMemberId));
                join.replyTo().tell(joinResponse(state, newMemberId));
            });
        }
        prepareRebalance(decision, "static member " + instanceId + " rejoined"
            + (unchanged ? " during a rebalance" : " with changed protocols"));
        joinWaiters.put(newMemberId, join.replyTo());
        completeJoinIfReady(decision);
        return Effect().persist(decision.events).thenRun(state ->
        {
            fence(oldMemberId, instanceId);
            afterPersist(state);
        });
    }

    private Effect<GroupEvent, GroupMetadata> awaitJoin(
        final Decision decision, final String memberId, final ActorRef<JoinGroupResponse> replyTo)
    {
        final ActorRef<JoinGroupResponse> previous = joinWaiters.put(memberId, replyTo);
        if (previous != null && !previous.equals(replyTo))
        {
            previous.tell(JoinGroupResponse.error(GroupError.UNKNOWN_MEMBER_ID, GroupError.UNKNOWN_MEMBER_ID
                .message("member " + memberId + " sent another JoinGroup that replaces this one"), memberId));
        }
        completeJoinIfReady(decision);
        return persist(decision);
    }

    private Effect<GroupEvent, GroupMetadata> onSyncGroup(final GroupMetadata group, final SyncGroup sync)
    {
        if (group.isFenced(sync.memberId(), sync.groupInstanceId()))
        {
            return rejectFenced(sync, group, sync.memberId(), sync.groupInstanceId());
        }
        final GroupMember member = group.member(sync.memberId());
        if (member == null)
        {
            return reject(sync, GroupError.UNKNOWN_MEMBER_ID, "member " + sync.memberId() + " is not in group " + groupId);
        }
        if (sync.generationId() != group.generationId())
        {
            return reject(sync, GroupError.ILLEGAL_GENERATION, "SyncGroup for generation " + sync.generationId()
                + " but group " + groupId + " is at generation " + group.generationId());
        }
        switch (group.state())
        {
            case PREPARING_REBALANCE:
                return reject(sync, GroupError.REBALANCE_IN_PROGRESS, "group " + groupId + " is rebalancing");
            case STABLE:
                return Effect().none().thenRun(state ->
                {
                    scheduleSession(member);
                    sync.replyTo().tell(syncResponse(state, member.memberId()));
                });
            case COMPLETING_REBALANCE:
                syncWaiters.put(member.memberId(), sync.replyTo());
                scheduleSession(member);
                if (!member.memberId().equals(group.leaderId()))
                {
                    return Effect().none();
                }
                final Map<String, byte[]> assignments = new HashMap<>();
                for (final GroupMember each : group.members())
                {
                    final byte[] assignment = sync.assignments().get(each.memberId());
                    assignments.put(each.memberId(), assignment == null ? GroupMember.NO_ASSIGNMENT : assignment);
                }
                return Effect().persist(new AssignmentsStored(group.generationId(), Map.copyOf(assignments)))
                    .thenRun(this::afterPersist);
            default:
                return reject(sync, GroupError.UNKNOWN_MEMBER_ID, "group " + groupId + " is " + group.state());
        }
    }

    private Effect<GroupEvent, GroupMetadata> onHeartbeat(final GroupMetadata group, final Heartbeat heartbeat)
    {
        if (group.isFenced(heartbeat.memberId(), heartbeat.groupInstanceId()))
        {
            return rejectFenced(heartbeat, group, heartbeat.memberId(), heartbeat.groupInstanceId());
        }
        final GroupMember member = group.member(heartbeat.memberId());
        if (member == null)
        {
            return reject(heartbeat, GroupError.UNKNOWN_MEMBER_ID,
                "member " + heartbeat.memberId() + " is not in group " + groupId);
        }
        if (heartbeat.generationId() != group.generationId())
        {
            return reject(heartbeat, GroupError.ILLEGAL_GENERATION, "heartbeat for generation "
                + heartbeat.generationId() + " but group " + groupId + " is at generation " + group.generationId());
        }
        scheduleSession(member);
        if (group.state() == GroupState.PREPARING_REBALANCE)
        {
            return reject(heartbeat, GroupError.REBALANCE_IN_PROGRESS, "group " + groupId + " is rebalancing");
        }
        return Effect().none().thenRun(state -> heartbeat.replyTo().tell(GroupAck.OK));
    }

    private Effect<GroupEvent, GroupMetadata> onLeaveGroup(final GroupMetadata group, final LeaveGroup leave)
    {
        final GroupMember member;
        if (leave.memberId().isEmpty() && leave.groupInstanceId().isPresent())
        {
            // KIP-345: an administrator removes a static member by its instance id alone.
            member = group.staticMember(leave.groupInstanceId().get());
            if (member == null)
            {
                return reject(leave, GroupError.UNKNOWN_MEMBER_ID, "no member of group " + groupId
                    + " has group.instance.id " + leave.groupInstanceId().get());
            }
        }
        else
        {
            if (group.isFenced(leave.memberId(), leave.groupInstanceId()))
            {
                return rejectFenced(leave, group, leave.memberId(), leave.groupInstanceId());
            }
            member = group.member(leave.memberId());
            if (member == null)
            {
                return reject(leave, GroupError.UNKNOWN_MEMBER_ID,
                    "member " + leave.memberId() + " is not in group " + groupId);
            }
        }
        final Decision decision = new Decision(group);
        removeMember(decision, member.memberId(), "member " + member.memberId() + " left the group");
        return Effect().persist(decision.events).thenRun(state ->
        {
            afterPersist(state);
            leave.replyTo().tell(GroupAck.OK);
        });
    }

    private Effect<GroupEvent, GroupMetadata> onSessionExpired(final GroupMetadata group, final SessionExpired expired)
    {
        final Long epoch = sessionEpochs.get(expired.memberId());
        if (epoch == null || epoch != expired.epoch())
        {
            return Effect().none();
        }
        sessionEpochs.remove(expired.memberId());
        final GroupMember member = group.member(expired.memberId());
        if (member == null)
        {
            return Effect().none();
        }
        if (joinWaiters.containsKey(member.memberId()) || syncWaiters.containsKey(member.memberId()))
        {
            // A member waiting for a join or sync reply cannot heartbeat: keep it alive (as Kafka does).
            scheduleSession(member);
            return Effect().none();
        }
        final Decision decision = new Decision(group);
        removeMember(decision, member.memberId(), "member " + member.memberId() + " sent no heartbeat within its "
            + "session timeout of " + member.sessionTimeoutMs() + " ms");
        return persist(decision);
    }

    private Effect<GroupEvent, GroupMetadata> onJoinTimeout(final GroupMetadata group, final JoinTimeout timeout)
    {
        if (group.state() != GroupState.PREPARING_REBALANCE || group.generationId() != timeout.generationId())
        {
            return Effect().none();
        }
        timers.cancel(INITIAL_DELAY_KEY);
        final Decision decision = new Decision(group);
        for (final GroupMember member : group.members())
        {
            if (!joinWaiters.containsKey(member.memberId()))
            {
                decision.emit(new MemberRemoved(member.memberId(), "member " + member.memberId()
                    + " did not rejoin within the rebalance timeout of " + group.rebalanceTimeoutMs() + " ms"));
            }
        }
        completeJoinIfReady(decision);
        return persist(decision);
    }

    private Effect<GroupEvent, GroupMetadata> onInitialDelayElapsed(
        final GroupMetadata group, final InitialDelayElapsed elapsed)
    {
        final Decision decision = new Decision(group);
        completeJoinIfReady(decision);
        return persist(decision);
    }

    private Effect<GroupEvent, GroupMetadata> onSyncTimeout(final GroupMetadata group, final SyncTimeout timeout)
    {
        if (group.state() != GroupState.COMPLETING_REBALANCE || group.generationId() != timeout.generationId())
        {
            return Effect().none();
        }
        final Decision decision = new Decision(group);
        for (final GroupMember member : group.members())
        {
            if (!syncWaiters.containsKey(member.memberId()))
            {
                decision.emit(new MemberRemoved(member.memberId(), "member " + member.memberId()
                    + " sent no SyncGroup within the rebalance timeout of " + group.rebalanceTimeoutMs() + " ms"));
            }
        }
        if (decision.events.isEmpty())
        {
            return Effect().none();
        }
        prepareRebalance(decision, "members did not sync generation " + group.generationId() + " in time");
        completeJoinIfReady(decision);
        return persist(decision);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Offsets

    private Effect<GroupEvent, GroupMetadata> onOffsetCommit(final GroupMetadata group, final OffsetCommit commit)
    {
        if (group.isFenced(commit.memberId(), commit.groupInstanceId()))
        {
            return rejectFenced(commit, group, commit.memberId(), commit.groupInstanceId());
        }
        final Decision decision = new Decision(group);
        final boolean simple = commit.generationId() < 0
            && (group.state() == GroupState.EMPTY || group.state() == GroupState.DEAD);
        if (simple)
        {
            if (group.state() == GroupState.DEAD)
            {
                decision.emit(new GroupCreated("a standalone consumer committed offsets to the deleted group"));
            }
        }
        else
        {
            // Kafka checks the rebalance first; the unknown member first tells such a member what to do.
            final GroupMember member = group.member(commit.memberId());
            if (member == null)
            {
                return reject(commit, GroupError.UNKNOWN_MEMBER_ID, commit.generationId() < 0
                    ? "group " + groupId + " has members, so commits need a member id and generation"
                    : "member " + commit.memberId() + " is not in group " + groupId);
            }
            if (group.state() == GroupState.COMPLETING_REBALANCE)
            {
                return reject(commit, GroupError.REBALANCE_IN_PROGRESS, "group " + groupId
                    + " is waiting for the leader's assignment of generation " + group.generationId());
            }
            if (commit.generationId() != group.generationId())
            {
                return reject(commit, GroupError.ILLEGAL_GENERATION, "commit for generation "
                    + commit.generationId() + " but group " + groupId + " is at generation " + group.generationId());
            }
            scheduleSession(member);
        }
        if (commit.offsets().isEmpty())
        {
            return Effect().none().thenRun(state -> commit.replyTo().tell(GroupAck.OK));
        }
        final long nowMs = clock.millis();
        final Map<TopicPartition, CommittedOffset> committed = new HashMap<>();
        commit.offsets().forEach((partition, offset) -> committed.put(partition, CommittedOffset.of(offset, nowMs)));
        decision.emit(new OffsetsCommitted(Map.copyOf(committed)));
        return Effect().persist(decision.events).thenRun(state -> commit.replyTo().tell(GroupAck.OK));
    }

    private Effect<GroupEvent, GroupMetadata> onOffsetFetch(final GroupMetadata group, final OffsetFetch fetch)
    {
        final Map<TopicPartition, CommittedOffset> found;
        if (fetch.partitions().isEmpty())
        {
            found = group.offsets();
        }
        else
        {
            final Map<TopicPartition, CommittedOffset> some = new HashMap<>();
            for (final TopicPartition partition : fetch.partitions().get())
            {
                final CommittedOffset offset = group.offsets().get(partition);
                if (offset != null)
                {
                    some.put(partition, offset);
                }
            }
            found = Map.copyOf(some);
        }
        return Effect().none().thenRun(state ->
            fetch.replyTo().tell(new OffsetFetchResponse(GroupError.NONE, "", found)));
    }

    private Effect<GroupEvent, GroupMetadata> onOffsetDelete(final GroupMetadata group, final OffsetDelete delete)
    {
        if (!group.exists())
        {
            return reject(delete, GroupError.GROUP_ID_NOT_FOUND, "group " + groupId + " does not exist");
        }
        if (!group.members().isEmpty())
        {
            return reject(delete, GroupError.NON_EMPTY_GROUP, "group " + groupId + " has "
                + group.members().size() + " members");
        }
        final List<TopicPartition> present = new ArrayList<>();
        for (final TopicPartition partition : delete.partitions())
        {
            if (group.offsets().containsKey(partition) && !present.contains(partition))
            {
                present.add(partition);
            }
        }
        if (present.isEmpty())
        {
            return Effect().none().thenRun(state -> delete.replyTo().tell(GroupAck.OK));
        }
        return Effect().persist(new OffsetsDeleted(List.copyOf(present), "deleted on request"))
            .thenRun(state -> delete.replyTo().tell(GroupAck.OK));
    }

    private Effect<GroupEvent, GroupMetadata> onResetOffsets(final GroupMetadata group, final ResetOffsets reset)
    {
        if (!group.members().isEmpty())
        {
            return reject(reset, GroupError.NON_EMPTY_GROUP, "offsets of group " + groupId
                + " can only be reset while it has no members; it has " + group.members().size());
        }
        final long nowMs = clock.millis();
        final Map<TopicPartition, CommittedOffset> offsets = new HashMap<>();
        for (final Map.Entry<TopicPartition, Long> entry : reset.offsets().entrySet())
        {
            if (entry.getValue() < 0)
            {
                return reject(reset, GroupError.OFFSET_OUT_OF_RANGE, "offset " + entry.getValue() + " for "
                    + entry.getKey() + " is negative");
            }
            offsets.put(entry.getKey(),
                new CommittedOffset(entry.getValue(), OffsetAndMetadata.NO_LEADER_EPOCH, "", nowMs));
        }
        if (offsets.isEmpty())
        {
            return Effect().none().thenRun(state -> reset.replyTo().tell(GroupAck.OK));
        }
        final Decision decision = new Decision(group);
        if (group.state() == GroupState.DEAD)
        {
            decision.emit(new GroupCreated("offsets were reset for the deleted group"));
        }
        decision.emit(new OffsetsReset(Map.copyOf(offsets)));
        return Effect().persist(decision.events).thenRun(state -> reset.replyTo().tell(GroupAck.OK));
    }

    private Effect<GroupEvent, GroupMetadata> onExpireOffsets(final GroupMetadata group, final ExpireOffsets expire)
    {
        if (group.state() != GroupState.EMPTY || group.offsets().isEmpty())
        {
            return Effect().none();
        }
        final long nowMs = clock.millis();
        final List<TopicPartition> expired = new ArrayList<>();
        group.offsets().forEach((partition, offset) ->
        {
            if (nowMs - offset.commitTimestampMs() >= settings.offsetsRetentionMs())
            {
                expired.add(partition);
            }
        });
        if (expired.isEmpty())
        {
            return Effect().none();
        }
        expired.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
        final Decision decision = new Decision(group);
        decision.emit(new OffsetsDeleted(List.copyOf(expired),
            "committed more than the retention of " + settings.offsetsRetentionMs() + " ms ago"));
        if (decision.state.offsets().isEmpty())
        {
            // As Kafka: an empty group whose last offsets expired is removed.
            decision.emit(new GroupDeleted("no members and every committed offset expired"));
        }
        return persist(decision);
    }

    // ---------------------------------------------------------------------------------------------------------
    // Administration

    private Effect<GroupEvent, GroupMetadata> onDeleteGroup(final GroupMetadata group, final DeleteGroup delete)
    {
        if (!group.exists())
        {
            return reject(delete, GroupError.GROUP_ID_NOT_FOUND, "group " + groupId + " does not exist");
        }
        if (!group.members().isEmpty())
        {
            return reject(delete, GroupError.NON_EMPTY_GROUP, "group " + groupId + " has "
                + group.members().size() + " members");
        }
        return Effect().persist(new GroupDeleted("deleted on request"))
            .thenRun(state -> delete.replyTo().tell(GroupAck.OK));
    }

    private Effect<GroupEvent, GroupMetadata> onDescribeGroup(final GroupMetadata group, final DescribeGroup describe)
    {
        if (!group.exists())
        {
            return reject(describe, GroupError.GROUP_ID_NOT_FOUND, "group " + groupId + " does not exist");
        }
        final List<MemberDescription> members = new ArrayList<>();
        for (final GroupMember member : group.members())
        {
            members.add(new MemberDescription(member.memberId(), member.groupInstanceId(), member.clientId(),
                member.clientHost(), member.assignment()));
        }
        final Set<TopicPartition> partitions = new HashSet<>(group.offsets().keySet());
        partitions.addAll(describe.logEndOffsets().keySet());
        final List<TopicPartition> sorted = new ArrayList<>(partitions);
        sorted.sort(Comparator.comparing(TopicPartition::topic).thenComparingInt(TopicPartition::partition));
        final List<PartitionLag> lags = new ArrayList<>();
        long totalLag = 0;
        for (final TopicPartition partition : sorted)
        {
            final CommittedOffset committed = group.offsets().get(partition);
            final Long logEnd = describe.logEndOffsets().get(partition);
            final long committedOffset = committed == null ? -1 : committed.offset();
            final long logEndOffset = logEnd == null ? -1 : logEnd;
            final long lag = committed == null || logEnd == null ? -1 : Math.max(0, logEndOffset - committedOffset);
            if (lag > 0)
            {
                totalLag += lag;
            }
            lags.add(new PartitionLag(partition, committedOffset, logEndOffset, lag));
        }
        final GroupDescription description = new GroupDescription(GroupError.NONE, "", groupId, group.state(),
            group.protocolType(), group.protocolName(), group.generationId(), group.leaderId(), List.copyOf(members),
            List.copyOf(lags), totalLag);
        return Effect().none().thenRun(state -> describe.replyTo().tell(description));
    }

    // ---------------------------------------------------------------------------------------------------------
    // Decisions and their side effects

    /** Events decided so far and the group as it will be after them (applied without logging). */
    private static final class Decision
    {
        private final List<GroupEvent> events = new ArrayList<>();
        private GroupMetadata state;

        Decision(final GroupMetadata state)
        {
            this.state = state;
        }

        void emit(final GroupEvent event)
        {
            events.add(event);
            state = state.apply(event, GroupMetadata.TransitionListener.SILENT);
        }
    }

    private Effect<GroupEvent, GroupMetadata> persist(final Decision decision)
    {
        if (decision.events.isEmpty())
        {
            return Effect().none();
        }
        return Effect().persist(decision.events).thenRun(this::afterPersist);
    }

    private Effect<GroupEvent, GroupMetadata> reject(final Command command, final GroupError error, final String detail)
    {
        return Effect().none().thenRun(state -> command.reject(error, error.message(detail)));
    }

    private Effect<GroupEvent, GroupMetadata> rejectFenced(
        final Command command, final GroupMetadata group, final String memberId, final Optional<String> instanceId)
    {
        final GroupMember current = group.staticMember(instanceId.orElseThrow());
        return reject(command, GroupError.FENCED_INSTANCE_ID, "member " + memberId + " with group.instance.id "
            + instanceId.get() + " was replaced by member " + current.memberId());
    }

    private static GroupMember newMember(final String memberId, final JoinGroup join)
    {
        return new GroupMember(memberId, join.groupInstanceId(), join.clientId(), join.clientHost(),
            join.sessionTimeoutMs(), join.rebalanceTimeoutMs(), List.copyOf(join.protocols()), GroupMember.NO_ASSIGNMENT);
    }

    private void prepareRebalance(final Decision decision, final String reason)
    {
        final GroupState state = decision.state.state();
        if (state == GroupState.EMPTY && settings.initialRebalanceDelayMs() > 0)
        {
            // Kafka's group.initial.rebalance.delay.ms: let the members of a starting application arrive together.
            timers.startSingleTimer(INITIAL_DELAY_KEY, InitialDelayElapsed.INSTANCE,
                Duration.ofMillis(settings.initialRebalanceDelayMs()));
        }
        if (state == GroupState.EMPTY || state == GroupState.STABLE || state == GroupState.COMPLETING_REBALANCE)
        {
            decision.emit(new RebalancePrepared(reason));
        }
    }

    private void removeMember(final Decision decision, final String memberId, final String reason)
    {
        decision.emit(new MemberRemoved(memberId, reason));
        prepareRebalance(decision, reason);
        completeJoinIfReady(decision);
    }

    /** Ends the join phase when every member has a JoinGroup waiting (or no member is left). */
    private void completeJoinIfReady(final Decision decision)
    {
        final GroupMetadata group = decision.state;
        if (group.state() != GroupState.PREPARING_REBALANCE
            || !group.members().isEmpty() && timers.isTimerActive(INITIAL_DELAY_KEY))
        {
            return;
        }
        for (final GroupMember member : group.members())
        {
            if (!joinWaiters.containsKey(member.memberId()))
            {
                return;
            }
        }
        final int next = group.generationId() + 1;
        if (group.members().isEmpty())
        {
            decision.emit(new GenerationStarted(next, "", "", "no members left"));
        }
        else
        {
            decision.emit(new GenerationStarted(next, group.selectProtocol(), group.leaderId(),
                "all " + group.members().size() + " members joined"));
        }
    }

    /** Replies and timers that follow from the persisted state. */
    private void afterPersist(final GroupMetadata group)
    {
        for (final Iterator<Map.Entry<String, ActorRef<JoinGroupResponse>>> it = joinWaiters.entrySet().iterator();
            it.hasNext();)
        {
            final Map.Entry<String, ActorRef<JoinGroupResponse>> waiter = it.next();
            if (group.member(waiter.getKey()) == null)
            {
                waiter.getValue().tell(JoinGroupResponse.error(GroupError.UNKNOWN_MEMBER_ID, GroupError.UNKNOWN_MEMBER_ID
                    .message("member " + waiter.getKey() + " was removed from group " + groupId), waiter.getKey()));
                it.remove();
            }
        }
        for (final Iterator<Map.Entry<String, ActorRef<SyncGroupResponse>>> it = syncWaiters.entrySet().iterator();
            it.hasNext();)
        {
            final Map.Entry<String, ActorRef<SyncGroupResponse>> waiter = it.next();
            if (group.member(waiter.getKey()) == null)
            {
                waiter.getValue().tell(SyncGroupResponse.error(GroupError.UNKNOWN_MEMBER_ID, GroupError.UNKNOWN_MEMBER_ID
                    .message("member " + waiter.getKey() + " was removed from group " + groupId)));
                it.remove();
            }
        }
        for (final Iterator<String> it = sessionEpochs.keySet().iterator(); it.hasNext();)
        {
            final String memberId = it.next();
            if (group.member(memberId) == null)
            {
                timers.cancel(sessionKey(memberId));
                it.remove();
            }
        }

        switch (group.state())
        {
            case PREPARING_REBALANCE:
                timers.cancel(SYNC_TIMEOUT_KEY);
                for (final Map.Entry<String, ActorRef<SyncGroupResponse>> waiter : syncWaiters.entrySet())
                {
                    waiter.getValue().tell(SyncGroupResponse.error(GroupError.REBALANCE_IN_PROGRESS,
                        GroupError.REBALANCE_IN_PROGRESS.message("group " + groupId + " started another rebalance")));
                }
                syncWaiters.clear();
                if (!timers.isTimerActive(JOIN_TIMEOUT_KEY))
                {
                    timers.startSingleTimer(JOIN_TIMEOUT_KEY, new JoinTimeout(group.generationId()),
                        Duration.ofMillis(group.rebalanceTimeoutMs()));
                }
                break;
            case COMPLETING_REBALANCE:
                timers.cancel(JOIN_TIMEOUT_KEY);
                if (!joinWaiters.isEmpty())
                {
                    // The join phase just ended: answer every JoinGroup and restart every session.
                    for (final String memberId : joinWaiters.keySet())
                    {
                        joinWaiters.get(memberId).tell(joinResponse(group, memberId));
                    }
                    joinWaiters.clear();
                    for (final GroupMember member : group.members())
                    {
                        scheduleSession(member);
                    }
                    timers.startSingleTimer(SYNC_TIMEOUT_KEY, new SyncTimeout(group.generationId()),
                        Duration.ofMillis(group.rebalanceTimeoutMs()));
                }
                break;
            case STABLE:
                timers.cancel(JOIN_TIMEOUT_KEY);
                timers.cancel(SYNC_TIMEOUT_KEY);
                for (final String memberId : syncWaiters.keySet())
                {
                    syncWaiters.get(memberId).tell(syncResponse(group, memberId));
                }
                syncWaiters.clear();
                break;
            default:
                timers.cancel(JOIN_TIMEOUT_KEY);
                timers.cancel(SYNC_TIMEOUT_KEY);
                break;
        }
    }

    /** Answers the waiters of a fenced member id. */
    private void fence(final String oldMemberId, final String instanceId)
    {
        final String message = GroupError.FENCED_INSTANCE_ID.message("member " + oldMemberId
            + " with group.instance.id " + instanceId + " was replaced by a newer member");
        final ActorRef<JoinGroupResponse> join = joinWaiters.remove(oldMemberId);
        if (join != null)
        {
            join.tell(JoinGroupResponse.error(GroupError.FENCED_INSTANCE_ID, message, oldMemberId));
        }
        final ActorRef<SyncGroupResponse> sync = syncWaiters.remove(oldMemberId);
        if (sync != null)
        {
            sync.tell(SyncGroupResponse.error(GroupError.FENCED_INSTANCE_ID, message));
        }
    }

    private void scheduleSession(final GroupMember member)
    {
        final long epoch = ++nextSessionEpoch;
        sessionEpochs.put(member.memberId(), epoch);
        timers.startSingleTimer(sessionKey(member.memberId()), new SessionExpired(member.memberId(), epoch),
            Duration.ofMillis(member.sessionTimeoutMs()));
    }

    private static Object sessionKey(final String memberId)
    {
        return "session:" + memberId;
    }

    private static JoinGroupResponse joinResponse(final GroupMetadata group, final String memberId)
    {
        final List<JoinedMember> members = new ArrayList<>();
        if (memberId.equals(group.leaderId()))
        {
            for (final GroupMember member : group.members())
            {
                members.add(new JoinedMember(member.memberId(), member.groupInstanceId(),
                    member.metadata(group.protocolName())));
            }
        }
        return new JoinGroupResponse(GroupError.NONE, "", group.generationId(), group.protocolType(),
            group.protocolName(), group.leaderId(), memberId, List.copyOf(members));
    }

    private static SyncGroupResponse syncResponse(final GroupMetadata group, final String memberId)
    {
        final GroupMember member = group.member(memberId);
        return new SyncGroupResponse(GroupError.NONE, "", group.protocolType(), group.protocolName(),
            member == null ? GroupMember.NO_ASSIGNMENT : member.assignment());
    }
}
