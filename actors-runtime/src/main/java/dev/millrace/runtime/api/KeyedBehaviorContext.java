package dev.millrace.runtime.api;

/**
 * The {@link BehaviorContext} of a behavior on a keyed stream: keyed state (the same handles as a
 * {@link KeyedProcessFunction}'s, acting on the key of the message being handled) and timers, whose firings
 * come back to the key's behavior as messages.
 *
 * @param <K>   key type
 * @param <OUT> output type
 */
public interface KeyedBehaviorContext<K, OUT> extends BehaviorContext<OUT>
{
    /** @return the key of the message being handled (the behavior's key) */
    K currentKey();

    /** @return event-time and processing-time timers of the current key */
    TimerService timerService();
}
