package dev.millrace.runtime.cluster;

import dev.millrace.serialization.kryo.MillraceMessage;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;

/**
 * The task slots of one worker node ({@code millrace.runtime.task-slots}): one slot per operator instance. A job
 * master asks every worker for its free slots, then reserves the slots of its instances on each chosen node at
 * once, by instance key; each instance releases its own slot
 * when it stops (a release is idempotent, so a late or repeated one does nothing). Reservations live in memory
 * only, which is right: they die with the node, as do the instances that hold them.
 *
 * <p>Registered with the receptionist under {@link #KEY}, so masters find every worker.
 *
 * <p>Threading: an actor.
 */
public final class TaskSlots
{
    /** Every worker's task slots. */
    public static final ServiceKey<Command> KEY = ServiceKey.create(Command.class, "millrace-task-slots");

    /** Messages of the task slots. */
    public sealed interface Command extends MillraceMessage
    {
    }

    /**
     * Reserves one slot per instance key, all or none.
     *
     * @param jobId        the job
     * @param instanceKeys its instances ({@code job/vertex/subtask})
     * @param replyTo      receives the {@link Reservation}
     */
    public record Reserve(String jobId, List<String> instanceKeys, ActorRef<Reservation> replyTo) implements Command
    {
    }

    /**
     * Asks for the free slots, reserving none: answered with a {@link Reservation} whose {@code reserved} is false.
     *
     * @param replyTo receives the {@link Reservation}
     */
    public record FreeSlots(ActorRef<Reservation> replyTo) implements Command
    {
    }

    /**
     * Frees an instance's slot.
     *
     * @param jobId       the job
     * @param instanceKey the instance
     */
    public record Release(String jobId, String instanceKey) implements Command
    {
    }

    /**
     * The answer to a reserve.
     *
     * @param node      this worker's address
     * @param reserved  whether the slots were reserved
     * @param freeSlots the free slots before the request
     * @param slots     all of the node's slots
     */
    public record Reservation(String node, boolean reserved, int freeSlots, int slots) implements MillraceMessage
    {
    }

    private TaskSlots()
    {
    }

    /**
     * @param node  this node's address, as placement reports it
     * @param slots the node's task slots
     * @return the behavior, registered with the receptionist
     */
    public static Behavior<Command> create(final String node, final int slots)
    {
        return Behaviors.setup(context ->
        {
            context.getSystem().receptionist().tell(Receptionist.register(KEY, context.getSelf()));
            final Map<String, Set<String>> held = new HashMap<>();
            return Behaviors.receive(Command.class)
                .onMessage(Reserve.class, reserve ->
                {
                    final int used = held.values().stream().mapToInt(Set::size).sum();
                    final int free = slots - used;
                    final boolean fits = reserve.instanceKeys().size() <= free;
                    if (fits)
                    {
                        held.computeIfAbsent(reserve.jobId(), job -> new HashSet<>()).addAll(reserve.instanceKeys());
                        context.getLog().info("reserved {} task slots for job {} ({} of {} were free)",
                            reserve.instanceKeys().size(), reserve.jobId(), free, slots);
                    }
                    reserve.replyTo().tell(new Reservation(node, fits, free, slots));
                    return Behaviors.same();
                })
                .onMessage(FreeSlots.class, query ->
                {
                    final int used = held.values().stream().mapToInt(Set::size).sum();
                    query.replyTo().tell(new Reservation(node, false, slots - used, slots));
                    return Behaviors.same();
                })
                .onMessage(Release.class, release ->
                {
                    final Set<String> keys = held.get(release.jobId());
                    if (keys != null && keys.remove(release.instanceKey()) && keys.isEmpty())
                    {
                        held.remove(release.jobId());
                    }
                    return Behaviors.same();
                })
                .build();
        });
    }
}
