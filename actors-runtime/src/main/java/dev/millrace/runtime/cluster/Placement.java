package dev.millrace.runtime.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * Finds task slots for a job, on behalf of its master: asks the workers ({@link TaskSlots}, found through the
 * receptionist), one after the other in address order, to reserve one slot per instance; the first that can
 * holds them all. All of a job's instances go to one node for now: buffers between instances are in-process
 * messages until the exchange crosses nodes. When no node has enough free slots the job is refused, naming each
 * node's free and total slots.
 *
 * <p>Threading: a short-lived actor; it stops after its answer.
 */
final class Placement
{
    /**
     * The outcome.
     *
     * @param node   where every instance goes, or null when refused
     * @param reason why it was refused, or empty
     */
    record Result(String node, String reason)
    {
    }

    private record Workers(List<ActorRef<TaskSlots.Command>> workers)
    {
    }

    private record Answer(TaskSlots.Reservation reservation, String failure)
    {
    }

    private Placement()
    {
    }

    static Behavior<Object> create(final String jobId, final List<String> instanceKeys,
        final ActorRef<Result> replyTo, final Duration timeout)
    {
        return Behaviors.setup(context ->
        {
            final ActorRef<Receptionist.Listing> listings = context.messageAdapter(Receptionist.Listing.class,
                listing -> new Workers(sorted(listing.getServiceInstances(TaskSlots.KEY))));
            context.getSystem().receptionist().tell(Receptionist.find(TaskSlots.KEY, listings));
            return Behaviors.receive(Object.class)
                .onMessage(Workers.class, workers ->
                    tryNext(context, jobId, instanceKeys, replyTo, timeout, workers.workers(), 0, new ArrayList<>()))
                .build();
        });
    }

    private static List<ActorRef<TaskSlots.Command>> sorted(final java.util.Set<ActorRef<TaskSlots.Command>> workers)
    {
        final List<ActorRef<TaskSlots.Command>> list = new ArrayList<>(workers);
        list.sort(Comparator.comparing(ref -> ref.path().toString()));
        return list;
    }

    private static Behavior<Object> tryNext(final ActorContext<Object> context, final String jobId,
        final List<String> instanceKeys, final ActorRef<Result> replyTo, final Duration timeout,
        final List<ActorRef<TaskSlots.Command>> workers, final int next, final List<String> refusals)
    {
        if (next == workers.size())
        {
            final String nodes = workers.isEmpty() ? "no node offers task slots (millrace.runtime.task-slots)"
                : "free task slots: " + String.join(", ", refusals);
            replyTo.tell(new Result(null, "job " + jobId + " needs " + instanceKeys.size()
                + " task slots on one node (one per operator instance; a job's instances are not split across nodes "
                + "yet) but " + nodes));
            return Behaviors.stopped();
        }
        final ActorRef<TaskSlots.Command> worker = workers.get(next);
        context.ask(TaskSlots.Reservation.class, worker, timeout,
            reply -> new TaskSlots.Reserve(jobId, instanceKeys, reply),
            (reservation, failure) -> new Answer(reservation, failure == null ? "" : failure.toString()));
        return Behaviors.receive(Object.class)
            .onMessage(Answer.class, answer ->
            {
                final TaskSlots.Reservation reservation = answer.reservation();
                if (reservation != null && reservation.reserved())
                {
                    replyTo.tell(new Result(reservation.node(), ""));
                    return Behaviors.stopped();
                }
                refusals.add(reservation == null ? worker.path().address() + " did not answer (" + answer.failure() + ")"
                    : reservation.node() + " " + reservation.freeSlots() + "/" + reservation.slots());
                return tryNext(context, jobId, instanceKeys, replyTo, timeout, workers, next + 1, refusals);
            })
            .build();
    }
}
