package dev.millrace.runtime.cluster;

import dev.millrace.serialization.kryo.MillraceMessage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;

/**
 * The ids of every submitted job, in submit order: sharding cannot enumerate entities that are not running, and
 * the embedded journal has no persistence query, so {@code list} reads them here. One sharded, event-sourced
 * entity ({@link #ENTITY_ID}) per cluster; a master registers its job once its submit is persisted (registering
 * twice is harmless).
 *
 * <p>Threading: an actor.
 */
public final class JobDirectory extends EventSourcedBehavior<JobDirectory.Command, JobDirectory.JobRegistered,
    JobDirectory.Ids>
{
    /** The sharding key of the directory. */
    public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "millrace-job-directory");

    /** Its one entity id. */
    public static final String ENTITY_ID = "jobs";

    /** Messages of the directory. */
    public sealed interface Command extends MillraceMessage
    {
    }

    /** @param jobId a submitted job */
    public record Register(String jobId) implements Command
    {
    }

    /** @param replyTo receives the {@link JobIds} */
    public record ListJobs(ActorRef<JobIds> replyTo) implements Command
    {
    }

    /** @param jobIds every job, in submit order */
    public record JobIds(List<String> jobIds) implements MillraceMessage
    {
    }

    /** @param jobId the job that was registered */
    public record JobRegistered(String jobId) implements MillraceMessage
    {
    }

    /** The state: every id, in submit order. */
    public static final class Ids
    {
        private final Set<String> ids = new LinkedHashSet<>();
    }

    JobDirectory(final String entityId)
    {
        super(PersistenceId.of(TYPE_KEY.name(), entityId));
    }

    @Override
    public Ids emptyState()
    {
        return new Ids();
    }

    @Override
    public CommandHandler<Command, JobRegistered, Ids> commandHandler()
    {
        return newCommandHandlerBuilder().forAnyState()
            .onCommand(Register.class, (ids, register) -> ids.ids.contains(register.jobId()) ? Effect().none()
                : Effect().persist(new JobRegistered(register.jobId())))
            .onCommand(ListJobs.class, (ids, list) ->
                Effect().reply(list.replyTo(), new JobIds(List.copyOf(new ArrayList<>(ids.ids)))))
            .build();
    }

    @Override
    public EventHandler<Ids, JobRegistered> eventHandler()
    {
        return newEventHandlerBuilder().forAnyState()
            .onEvent(JobRegistered.class, (ids, registered) ->
            {
                ids.ids.add(registered.jobId());
                return ids;
            })
            .build();
    }
}
