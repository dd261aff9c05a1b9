package dev.millrace.runtime.api;

/**
 * Turns a timer firing into a message of its key's behavior, typically a record constructor of the behavior's
 * protocol ({@code TimerFired::new}).
 *
 * @param <K> key type
 * @param <M> the behavior's message type
 */
@FunctionalInterface
public interface TimerToMessage<K, M>
{
    /**
     * @param key         the timer's key
     * @param timestampMs the time it was registered for
     * @param domain      event or processing time
     * @return the message, never null
     */
    M toMessage(K key, long timestampMs, TimeDomain domain);
}
