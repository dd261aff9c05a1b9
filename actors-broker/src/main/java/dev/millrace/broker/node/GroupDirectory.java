package dev.millrace.broker.node;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import dev.millrace.serialization.kryo.MillraceMessage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

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
 * <p>Limits, accepted: a group whose offsets expired (the coordinator deletes an empty group whose last offsets
 * expire) stays listed until a DeleteGroup; a listed group may therefore describe as GROUP_ID_NOT_FOUND. A command
 * that the coordinator then refuses (a bad session timeout) still lists the group id. With several nodes, a group
 * deleted through one node's facade and then used again only through another node that had registered it before
 * is not listed again until that node restarts (its facade remembers having registered it).
 *
 * <p>Messages: {@link Register}, {@link Unregister} (no reply), {@link ListGroups} (answered with
 * {@link GroupListing}). Events: {@link GroupListed}, {@link GroupUnlisted}.
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
    public sealed interface Command extends MillraceMessage permits Register, Unregister, ListGroups
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

    private GroupDirectory(final PersistenceId persistenceId)
    {
        super(persistenceId);
    }

    /** The directory's behavior, with persistence id {@value #PERSISTENCE_ID}. */
    public static Behavior<Command> create()
    {
        return new GroupDirectory(PersistenceId.ofUniqueId(PERSISTENCE_ID));
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
            .build();
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

    private Effect<Event, State> onListGroups(final State state, final ListGroups list)
    {
        return Effect().none().thenRun(current -> list.replyTo().tell(new GroupListing(current.groupIds())));
    }
}
