package dev.millrace.broker.node;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import dev.millrace.broker.group.GroupCoordinator;
import dev.millrace.broker.group.GroupCoordinator.GroupDescription;
import dev.millrace.broker.group.GroupError;
import dev.millrace.serialization.kryo.MillraceMessage;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The ids of the consumer groups that exist, for {@link Broker.ListGroups}: an event-sourced behavior run as one
 * sharded entity ({@link #ENTITY_TYPE_KEY}, entity id {@value #ENTITY_ID}, persistence id
 * {@value #PERSISTENCE_ID}).
 *
 * <p><b>Why a directory.</b> Group coordinators are sharded entities that passivate when idle: a stopped one cannot
 * be asked, and sharding cannot enumerate the ids of entities that never ran on this incarnation. The journal
 * could be scanned, but the embedded journal has no persistence query. So the {@link Broker} facade records a
 * group id here ({@link Register}) when it routes a command that can create the group (JoinGroup, OffsetCommit,
 * ResetOffsets) and removes it ({@link Unregister}) when a DeleteGroup through it succeeded. Registering is
 * idempotent (a known id persists nothing) and each facade registers a group once per incarnation, so the
 * directory sees one message per group and node, not one per commit.
 *
 * <p><b>Sweep.</b> Once recovered, and then every sweep interval (the groups' {@code
 * offsets-retention-check-interval}), the directory describes every listed group and unlists those that answer
 * GROUP_ID_NOT_FOUND: groups whose coordinator deleted them when their last offsets expired, and ids registered by a
 * command the coordinator refused. Describing also starts each listed coordinator, so after a node restart every
 * group runs again (its members' sessions and its offset expiry timers with it) without waiting for a client, as
 * Kafka loads every group when it becomes coordinator; the node keeps coordinators from passivating for longer than
 * two sweep intervals, so that the expiry timer of an idle group fires.
 *
 * <p>Limits, accepted: between sweeps a deleted-by-expiry group is still listed (and describes as
 * GROUP_ID_NOT_FOUND). A facade registers an id once per incarnation for OffsetCommit (every time for JoinGroup and
 * ResetOffsets), so a group recreated by simple commits alone after a sweep unlisted it is listed again only once
 * a facade restarts or it is joined or reset.
 *
 * <p>Messages: {@link Register}, {@link Unregister} (no reply), {@link ListGroups} (answered with
 * {@link GroupListing}); internal: the sweep timer and its adapted replies. Events: {@link GroupListed},
 * {@link GroupUnlisted}.
 *
 * <p>Threading: an actor; its state is confined to it.
 */
public final class GroupDirectory
    extends EventSourcedBehavior<GroupDirectory.Command, GroupDirectory.Event, GroupDirectory.State>
{
    /** The entity type name. */
    public static final String TYPE_NAME = "GroupDirectory";

    /** The directory's sharding key. */
    public static final EntityTypeKey<Command> ENTITY_TYPE_KEY = EntityTypeKey.create(Command.class, TYPE_NAME);

    /** The single entity's id. */
    public static final String ENTITY_ID = "groups";

    /** The journal id, one per cluster. */
    public static final String PERSISTENCE_ID = "millrace-group-directory";

    /** What the directory accepts. */
    public sealed interface Command extends MillraceMessage permits Register, Unregister, ListGroups, Sweep, Swept
    {
    }

    /** Timer: describe every listed group. Local only. */
    private enum Sweep implements Command, NoSerializationVerificationNeeded
    {
        INSTANCE
    }

    /** A listed group's description (null when it did not answer). Local only. */
    private record Swept(String groupId, GroupDescription description) implements Command,
        NoSerializationVerificationNeeded
    {
    }

    /** Adds a group id (no reply; a known id changes nothing). */
    public record Register(String groupId) implements Command
    {
    }

    /** Removes a group id (no reply; an unknown id changes nothing). */
    public record Unregister(String groupId) implements Command
    {
    }

    /** @param replyTo receives every listed group id, sorted */
    public record ListGroups(ActorRef<GroupListing> replyTo) implements Command
    {
    }

    /** The listed group ids, sorted. */
    public record GroupListing(List<String> groupIds) implements MillraceMessage
    {
        public GroupListing
        {
            groupIds = List.copyOf(groupIds);
        }
    }

    /** What the directory persists. */
    public sealed interface Event extends MillraceMessage permits GroupListed, GroupUnlisted
    {
    }

    /** A group id was added. */
    public record GroupListed(String groupId) implements Event
    {
    }

    /** A group id was removed. */
    public record GroupUnlisted(String groupId) implements Event
    {
    }

    /** The listed group ids, sorted; immutable. */
    public record State(List<String> groupIds) implements MillraceMessage
    {
        public State
        {
            groupIds = List.copyOf(groupIds);
        }

        boolean contains(final String groupId)
        {
            return Collections.binarySearch(groupIds, groupId) >= 0;
        }

        State with(final String groupId)
        {
            final int at = Collections.binarySearch(groupIds, groupId);
            if (at >= 0)
            {
                return this;
            }
            final List<String> ids = new ArrayList<>(groupIds);
            ids.add(-at - 1, groupId);
            return new State(ids);
        }

        State without(final String groupId)
        {
            final int at = Collections.binarySearch(groupIds, groupId);
            if (at < 0)
            {
                return this;
            }
            final List<String> ids = new ArrayList<>(groupIds);
            ids.remove(at);
            return new State(ids);
        }
    }

    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final Function<String, RecipientRef<GroupCoordinator.Command>> coordinators;
    private final Duration sweepInterval;
    private final Duration askTimeout;

    private GroupDirectory(
        final ActorContext<Command> context, final TimerScheduler<Command> timers,
        final Function<String, RecipientRef<GroupCoordinator.Command>> coordinators, final Duration sweepInterval,
        final Duration askTimeout)
    {
        super(PersistenceId.ofUniqueId(PERSISTENCE_ID));
        this.context = context;
        this.timers = timers;
        this.coordinators = coordinators;
        this.sweepInterval = sweepInterval;
        this.askTimeout = askTimeout;
    }

    /**
     * The directory's behavior, with persistence id {@value #PERSISTENCE_ID}.
     *
     * @param coordinators  the coordinator of a group id (a sharded entity ref on a node)
     * @param sweepInterval how often every listed group is described (and woken)
     * @param askTimeout    how long the sweep waits for each description
     */
    public static Behavior<Command> create(
        final Function<String, RecipientRef<GroupCoordinator.Command>> coordinators, final Duration sweepInterval,
        final Duration askTimeout)
    {
        return Behaviors.setup(context -> Behaviors.withTimers(
            timers -> new GroupDirectory(context, timers, coordinators, sweepInterval, askTimeout)));
    }

    @Override
    public State emptyState()
    {
        return new State(List.of());
    }

    @Override
    public RetentionCriteria retentionCriteria()
    {
        return RetentionCriteria.snapshotEvery(100, 2);
    }

    @Override
    public CommandHandler<Command, Event, State> commandHandler()
    {
        return newCommandHandlerBuilder().forAnyState()
            .onCommand(Register.class, this::onRegister)
            .onCommand(Unregister.class, this::onUnregister)
            .onCommand(ListGroups.class, this::onListGroups)
            .onCommand(Sweep.class, this::onSweep)
            .onCommand(Swept.class, this::onSwept)
            .build();
    }

    @Override
    public SignalHandler<State> signalHandler()
    {
        return newSignalHandlerBuilder()
            .onSignal(RecoveryCompleted.instance(), this::onRecoveryCompleted)
            .build();
    }

    private void onRecoveryCompleted(final State state)
    {
        context.getSelf().tell(Sweep.INSTANCE);
        timers.startTimerWithFixedDelay(Sweep.INSTANCE, sweepInterval);
    }

    @Override
    public EventHandler<State, Event> eventHandler()
    {
        return newEventHandlerBuilder().forAnyState()
            .onEvent(GroupListed.class, (state, listed) -> state.with(listed.groupId()))
            .onEvent(GroupUnlisted.class, (state, unlisted) -> state.without(unlisted.groupId()))
            .build();
    }

    private Effect<Event, State> onRegister(final State state, final Register register)
    {
        return state.contains(register.groupId()) ? Effect().none() : Effect().persist(new GroupListed(register.groupId()));
    }

    private Effect<Event, State> onUnregister(final State state, final Unregister unregister)
    {
        return state.contains(unregister.groupId()) ?
            Effect().persist(new GroupUnlisted(unregister.groupId())) : Effect().none();
    }

    private Effect<Event, State> onSweep(final State state, final Sweep sweep)
    {
        for (final String groupId : state.groupIds())
        {
            context.ask(
                GroupDescription.class, coordinators.apply(groupId), askTimeout,
                replyTo -> new GroupCoordinator.DescribeGroup(Map.of(), replyTo),
                (description, failure) -> new Swept(groupId, description));
        }
        return Effect().none();
    }

    private Effect<Event, State> onSwept(final State state, final Swept swept)
    {
        if (swept.description() != null && swept.description().error() == GroupError.GROUP_ID_NOT_FOUND &&
            state.contains(swept.groupId()))
        {
            context.getLog().info("group {} no longer exists (its offsets expired or it was never created): unlisted",
                swept.groupId());
            return Effect().persist(new GroupUnlisted(swept.groupId()));
        }
        return Effect().none();
    }

    private Effect<Event, State> onListGroups(final State state, final ListGroups list)
    {
        return Effect().none().thenRun(current -> list.replyTo().tell(new GroupListing(current.groupIds())));
    }
}
