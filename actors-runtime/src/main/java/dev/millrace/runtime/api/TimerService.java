package dev.millrace.runtime.api;

/**
 * Time and timers of a keyed operator. Timers are scoped to the current key, deduplicated per (key,
 * timestamp), and part of the operator's state. An event-time timer fires when the watermark reaches its
 * timestamp; a processing-time timer fires when the instance's clock does.
 */
public interface TimerService
{
    /**
     * @return the instance's clock, in epoch milliseconds
     */
    long currentProcessingTime();

    /**
     * @return the operator's current event time ({@link Long#MIN_VALUE} before the first watermark)
     */
    long currentWatermark();

    /**
     * @param timeMs event time at which {@code onTimer} is called for the current key
     */
    void registerEventTimeTimer(long timeMs);

    /**
     * @param timeMs processing time at which {@code onTimer} is called for the current key
     */
    void registerProcessingTimeTimer(long timeMs);

    /**
     * @param timeMs a registered event-time timer of the current key to forget
     */
    void deleteEventTimeTimer(long timeMs);

    /**
     * @param timeMs a registered processing-time timer of the current key to forget
     */
    void deleteProcessingTimeTimer(long timeMs);
}
