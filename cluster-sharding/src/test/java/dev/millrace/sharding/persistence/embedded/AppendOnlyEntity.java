package dev.millrace.sharding.persistence.embedded;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * A test entity that appends string events to a comma-separated log (its state, a string so that the built-in
 * string serializer covers events and snapshots). Replies to an append with the number of events after it, which
 * equals the event's sequence number.
 * <p>
 * Messages: {@link Append}, {@link GetLog}. Threading: an actor.
 */
final class AppendOnlyEntity extends EventSourcedBehavior<AppendOnlyEntity.Command, String, String>
{
    sealed interface Command permits Append, GetLog
    {
    }

    record Append(String event, ActorRef<Long> replyTo) implements Command
    {
    }

    record GetLog(ActorRef<String> replyTo) implements Command
    {
    }

    private final int snapshotEvery;

    private AppendOnlyEntity(final PersistenceId persistenceId, final int snapshotEvery)
    {
        super(persistenceId);
        this.snapshotEvery = snapshotEvery;
    }

    /**
     * @param persistenceId the entity's persistence id.
     * @param snapshotEvery take a snapshot every this many events, 0 for never.
     * @return the behavior.
     */
    static Behavior<Command> create(final String persistenceId, final int snapshotEvery)
    {
        return new AppendOnlyEntity(PersistenceId.ofUniqueId(persistenceId), snapshotEvery);
    }

    static long count(final String log)
    {
        return log.isEmpty() ? 0 : log.chars().filter((c) -> c == ',').count() + 1;
    }

    @Override
    public String emptyState()
    {
        return "";
    }

    @Override
    public CommandHandler<Command, String, String> commandHandler()
    {
        return newCommandHandlerBuilder()
            .forAnyState()
            .onCommand(Append.class, this::onAppend)
            .onCommand(GetLog.class, this::onGetLog)
            .build();
    }

    private Effect<String, String> onAppend(final String state, final Append command)
    {
        return Effect().persist(command.event()).thenReply(command.replyTo(), AppendOnlyEntity::count);
    }

    private Effect<String, String> onGetLog(final String state, final GetLog command)
    {
        return Effect().reply(command.replyTo(), state);
    }

    @Override
    public EventHandler<String, String> eventHandler()
    {
        return (state, event) -> state.isEmpty() ? event : state + "," + event;
    }

    @Override
    public RetentionCriteria retentionCriteria()
    {
        return snapshotEvery > 0 ? RetentionCriteria.snapshotEvery(snapshotEvery, 2) : RetentionCriteria.disabled();
    }
}
