package dev.millrace.sharding.persistence.quorum;

import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * A persistent actor for tests: each {@link Append} persists its text as an event; the state is every text joined
 * with commas (a String, so events and snapshots need no serializer beyond Pekko's built-in ones). Snapshots every
 * three events, keeping two.
 */
final class JoinedStringEntity extends EventSourcedBehavior<JoinedStringEntity.Command, String, String>
{
    sealed interface Command
    {
    }

    record Append(String text, ActorRef<Done> replyTo) implements Command
    {
    }

    record Get(ActorRef<String> replyTo) implements Command
    {
    }

    private JoinedStringEntity(final String persistenceId)
    {
        super(PersistenceId.ofUniqueId(persistenceId));
    }

    static Behavior<Command> create(final String persistenceId)
    {
        return new JoinedStringEntity(persistenceId);
    }

    @Override
    public String emptyState()
    {
        return "";
    }

    @Override
    public RetentionCriteria retentionCriteria()
    {
        return RetentionCriteria.snapshotEvery(3, 2);
    }

    @Override
    public CommandHandler<Command, String, String> commandHandler()
    {
        return newCommandHandlerBuilder()
            .forAnyState()
            .onCommand(Append.class, this::onAppend)
            .onCommand(Get.class, (state, get) -> Effect().none().thenReply(get.replyTo(), (s) -> s))
            .build();
    }

    private org.apache.pekko.persistence.typed.javadsl.ReplyEffect<String, String> onAppend(
        final String state, final Append append)
    {
        return Effect().persist(append.text()).thenReply(append.replyTo(), (s) -> Done.getInstance());
    }

    @Override
    public EventHandler<String, String> eventHandler()
    {
        return newEventHandlerBuilder()
            .forAnyState()
            .onAnyEvent((state, event) -> state.isEmpty() ? event : state + "," + event);
    }
}
