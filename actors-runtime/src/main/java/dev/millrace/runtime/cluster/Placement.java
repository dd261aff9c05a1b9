package dev.millrace.runtime.cluster;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * Finds task slots for a job, on behalf of its master: asks every worker ({@link TaskSlots}, found through the
 * receptionist) for its free slots, chooses a node per instance by the {@link Policy}, then reserves them node by
 * node. A job gets all its slots or none: when the workers together lack slots it is refused, naming each node's
 * free and total slots, and when a reservation fails meanwhile (another job took the slots) those already made are
 * released before the refusal. Instances on different nodes exchange encoded buffers (see the exchange package).
 *
 * <p>Threading: a short-lived actor; it stops after its answer.
 */
final class Placement
{
    /** The setting that chooses the {@link Policy}. */
    static final String POLICY = "millrace.runtime.placement";

    /** How instances are spread over the workers. */
    enum Policy
    {
        /** All on one node when one has room (first in address order), else over as few nodes as fit them. */
        PACK,
        /** Round-robin over every node with free slots, in address order. */
        SPREAD;

        /**
         * @param value the setting's value
         * @return its policy
         * @throws IllegalArgumentException naming the allowed values
         */
        static Policy parse(final String value)
        {
            try
            {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            }
            catch (final IllegalArgumentException e)
            {
                throw new IllegalArgumentException(POLICY + " = '" + value + "': expected pack or spread", e);
            }
        }
    }

    /**
     * The outcome.
     *
     * @param nodes  the node of every instance key, or null when refused
     * @param reason why it was refused, or empty
     */
    record Result(Map<String, String> nodes, String reason)
    {
    }

    private record Workers(List<ActorRef<TaskSlots.Command>> workers)
    {
    }

    private record Free(ActorRef<TaskSlots.Command> worker, TaskSlots.Reservation reservation, String failure)
    {
    }

    private record Reserved(TaskSlots.Reservation reservation, String failure)
    {
    }

    /** The instance keys chosen for one worker. */
    private record Share(ActorRef<TaskSlots.Command> worker, String node, List<String> keys)
    {
    }

    private Placement()
    {
    }

    static Behavior<Object> create(final String jobId, final List<String> instanceKeys, final Policy policy,
        final ActorRef<Result> replyTo, final Duration timeout)
    {
        return Behaviors.setup(context ->
        {
            final ActorRef<Receptionist.Listing> listings = context.messageAdapter(Receptionist.Listing.class,
                listing -> new Workers(sorted(listing.getServiceInstances(TaskSlots.KEY))));
            context.getSystem().receptionist().tell(Receptionist.find(TaskSlots.KEY, listings));
            return Behaviors.receive(Object.class)
                .onMessage(Workers.class, workers ->
                {
                    if (workers.workers().isEmpty())
                    {
                        replyTo.tell(new Result(null, "job " + jobId + " needs " + instanceKeys.size()
                            + " task slots but no reachable node offers task slots (millrace.runtime.task-slots; the receptionist "
                            + "leaves out the slots of nodes this one cannot reach at the moment)"));
                        return Behaviors.stopped();
                    }
                    for (final ActorRef<TaskSlots.Command> worker : workers.workers())
                    {
                        context.ask(TaskSlots.Reservation.class, worker, timeout, TaskSlots.FreeSlots::new,
                            (reservation, failure) -> new Free(worker, reservation,
                                failure == null ? "" : failure.toString()));
                    }
                    return collect(context, jobId, instanceKeys, policy, replyTo, timeout, workers.workers(),
                        new HashMap<>());
                })
                .build();
        });
    }

    private static List<ActorRef<TaskSlots.Command>> sorted(final Set<ActorRef<TaskSlots.Command>> workers)
    {
        final List<ActorRef<TaskSlots.Command>> list = new ArrayList<>(workers);
        list.sort(Comparator.comparing(ref -> ref.path().toString()));
        return list;
    }

    private static Behavior<Object> collect(final ActorContext<Object> context, final String jobId,
        final List<String> instanceKeys, final Policy policy, final ActorRef<Result> replyTo, final Duration timeout,
        final List<ActorRef<TaskSlots.Command>> workers, final Map<ActorRef<TaskSlots.Command>, Free> answers)
    {
        return Behaviors.receive(Object.class)
            .onMessage(Free.class, free ->
            {
                answers.put(free.worker(), free);
                if (answers.size() < workers.size())
                {
                    return Behaviors.same();
                }
                final List<Free> ordered = workers.stream().map(answers::get).toList();
                final List<Share> shares = choose(instanceKeys, policy, ordered);
                if (shares == null)
                {
                    replyTo.tell(new Result(null, "job " + jobId + " needs " + instanceKeys.size()
                        + " task slots (one per operator instance) but the nodes have " + totalFree(ordered)
                        + " free: " + describe(ordered)));
                    return Behaviors.stopped();
                }
                return reserve(context, jobId, replyTo, timeout, shares, 0, new LinkedHashMap<>());
            })
            .build();
    }

    /**
     * @return the instance keys per worker, or null when the workers' free slots do not fit them all
     */
    private static List<Share> choose(final List<String> instanceKeys, final Policy policy, final List<Free> workers)
    {
        final List<Free> usable = workers.stream()
            .filter(free -> free.reservation() != null && free.reservation().freeSlots() > 0).toList();
        if (totalFree(usable) < instanceKeys.size())
        {
            return null;
        }
        final Map<Free, List<String>> chosen = new LinkedHashMap<>();
        if (policy == Policy.PACK)
        {
            final List<Free> candidates = new ArrayList<>(usable);
            // One node when one fits them all (the first in address order); else the fewest nodes: most free first.
            final Free single = usable.stream()
                .filter(free -> free.reservation().freeSlots() >= instanceKeys.size()).findFirst().orElse(null);
            if (single == null)
            {
                candidates.sort(Comparator.comparingInt((Free free) -> free.reservation().freeSlots()).reversed());
            }
            else
            {
                candidates.retainAll(List.of(single));
            }
            int next = 0;
            for (final Free free : candidates)
            {
                final int count = Math.min(free.reservation().freeSlots(), instanceKeys.size() - next);
                chosen.put(free, new ArrayList<>(instanceKeys.subList(next, next + count)));
                next += count;
                if (next == instanceKeys.size())
                {
                    break;
                }
            }
        }
        else
        {
            final Map<Free, Integer> left = new LinkedHashMap<>();
            usable.forEach(free -> left.put(free, free.reservation().freeSlots()));
            int next = 0;
            while (next < instanceKeys.size())
            {
                for (final Free free : usable)
                {
                    if (next < instanceKeys.size() && left.get(free) > 0)
                    {
                        chosen.computeIfAbsent(free, f -> new ArrayList<>()).add(instanceKeys.get(next++));
                        left.merge(free, -1, Integer::sum);
                    }
                }
            }
        }
        final List<Share> shares = new ArrayList<>();
        chosen.forEach((free, keys) -> shares.add(new Share(free.worker(), free.reservation().node(),
            List.copyOf(keys))));
        return shares;
    }

    private static int totalFree(final List<Free> workers)
    {
        return workers.stream().filter(free -> free.reservation() != null)
            .mapToInt(free -> free.reservation().freeSlots()).sum();
    }

    private static String describe(final List<Free> workers)
    {
        final List<String> parts = new ArrayList<>();
        for (final Free free : workers)
        {
            parts.add(free.reservation() == null
                ? free.worker().path().address() + " did not answer (" + free.failure() + ")"
                : free.reservation().node() + " " + free.reservation().freeSlots() + "/" + free.reservation().slots());
        }
        return String.join(", ", parts);
    }

    private static Behavior<Object> reserve(final ActorContext<Object> context, final String jobId,
        final ActorRef<Result> replyTo, final Duration timeout, final List<Share> shares, final int next,
        final Map<String, String> nodes)
    {
        if (next == shares.size())
        {
            replyTo.tell(new Result(Map.copyOf(nodes), ""));
            return Behaviors.stopped();
        }
        final Share share = shares.get(next);
        context.ask(TaskSlots.Reservation.class, share.worker(), timeout,
            reply -> new TaskSlots.Reserve(jobId, share.keys(), reply),
            (reservation, failure) -> new Reserved(reservation, failure == null ? "" : failure.toString()));
        return Behaviors.receive(Object.class)
            .onMessage(Reserved.class, answer ->
            {
                final TaskSlots.Reservation reservation = answer.reservation();
                if (reservation != null && reservation.reserved())
                {
                    share.keys().forEach(key -> nodes.put(key, share.node()));
                    return reserve(context, jobId, replyTo, timeout, shares, next + 1, nodes);
                }
                // All or nothing: free what this job already holds elsewhere (and, after a timeout, what the late
                // worker may still have reserved: a release of a slot not held does nothing).
                for (int done = 0; done <= next; done++)
                {
                    final Share held = shares.get(done);
                    held.keys().forEach(key -> held.worker().tell(new TaskSlots.Release(jobId, key)));
                }
                replyTo.tell(new Result(null, "job " + jobId + " could not reserve " + share.keys().size()
                    + " task slots on " + share.node() + " (" + (reservation == null
                    ? "no answer: " + answer.failure()
                    : "free task slots changed meanwhile: " + reservation.freeSlots() + "/" + reservation.slots())
                    + "); the job's other reservations were released"));
                return Behaviors.stopped();
            })
            .build();
    }
}
