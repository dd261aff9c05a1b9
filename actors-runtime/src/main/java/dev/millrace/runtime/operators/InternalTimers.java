package dev.millrace.runtime.operators;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.PriorityQueue;

/**
 * The timers of one domain (event or processing time) of a keyed operator instance: a priority queue by
 * time plus a set that makes registration idempotent.
 *
 * <p>Threading: confined to the instance's actor.
 */
public final class InternalTimers
{
    private final PriorityQueue<Timer> queue = new PriorityQueue<>(Comparator.comparingLong(Timer::timestampMs));
    private final HashSet<Timer> registered = new HashSet<>();

    /**
     * @param timer to register
     * @return whether it is new
     */
    public boolean register(final Timer timer)
    {
        if (registered.add(timer))
        {
            queue.add(timer);
            return true;
        }
        return false;
    }

    /**
     * @param timer to forget
     */
    public void delete(final Timer timer)
    {
        if (registered.remove(timer))
        {
            queue.remove(timer);
        }
    }

    /**
     * Forgets every timer of one key in one namespace (a linear scan: for rare events such as a behavior
     * stopping).
     *
     * @param key       the key
     * @param namespace the namespace
     * @return how many timers were deleted
     */
    public int deleteAll(final Object key, final Object namespace)
    {
        final List<Timer> doomed = new ArrayList<>();
        for (final Timer timer : registered)
        {
            if (timer.key().equals(key) && timer.namespace().equals(namespace))
            {
                doomed.add(timer);
            }
        }
        for (final Timer timer : doomed)
        {
            delete(timer);
        }
        return doomed.size();
    }

    /**
     * @param timeMs a time
     * @return the earliest timer at or before it, removed, or null
     */
    public Timer pollDue(final long timeMs)
    {
        final Timer head = queue.peek();
        if (head == null || head.timestampMs() > timeMs)
        {
            return null;
        }
        queue.poll();
        registered.remove(head);
        return head;
    }

    /** @return how many timers are registered */
    public int size()
    {
        return queue.size();
    }

    /** @return a copy of the timers, for snapshots */
    public ArrayList<Timer> snapshot()
    {
        return new ArrayList<>(queue);
    }

    /** @param timers timers from {@link #snapshot()} */
    public void restore(final List<Timer> timers)
    {
        queue.clear();
        registered.clear();
        for (final Timer timer : timers)
        {
            register(timer);
        }
    }
}
