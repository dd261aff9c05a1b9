package dev.millrace.broker.node;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.function.Consumer;

import dev.millrace.broker.controller.ControllerProtocol;

/**
 * Controller commands waiting for a controller to send them to, each for at most {@code timeout} (its caller's ask
 * has given up by then, and a command delivered much later would surprise it, e.g. a topic created after the client
 * saw a timeout), at most {@code capacity} of them (the oldest is dropped beyond).
 *
 * <p>Threading: not thread-safe; owned by one actor.
 */
final class PendingCommands
{
    private record Pending(ControllerProtocol command, long deadlineNs)
    {
    }

    private final long timeoutNs;
    private final int capacity;
    private final Deque<Pending> queue = new ArrayDeque<>();

    PendingCommands(final Duration timeout, final int capacity)
    {
        if (capacity < 1)
        {
            throw new IllegalArgumentException("capacity must be >= 1 but was " + capacity);
        }
        this.timeoutNs = timeout.toNanos();
        this.capacity = capacity;
    }

    /**
     * Adds a command received at {@code nowNs}.
     *
     * @return whether the oldest command was dropped to make room.
     */
    boolean add(final ControllerProtocol command, final long nowNs)
    {
        final boolean full = queue.size() >= capacity;
        if (full)
        {
            queue.removeFirst();
        }
        queue.addLast(new Pending(command, nowNs + timeoutNs));
        return full;
    }

    /** Drops the commands whose time ran out by {@code nowNs}; returns how many. */
    int expire(final long nowNs)
    {
        int expired = 0;
        while (!queue.isEmpty() && queue.peekFirst().deadlineNs() - nowNs <= 0)
        {
            queue.removeFirst();
            expired++;
        }
        return expired;
    }

    /** Hands every waiting command, oldest first, to {@code target} and forgets them. */
    void drainTo(final Consumer<ControllerProtocol> target)
    {
        while (!queue.isEmpty())
        {
            target.accept(queue.removeFirst().command());
        }
    }

    int size()
    {
        return queue.size();
    }

    int capacity()
    {
        return capacity;
    }
}
