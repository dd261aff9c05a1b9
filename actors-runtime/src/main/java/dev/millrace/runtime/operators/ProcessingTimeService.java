package dev.millrace.runtime.operators;

/**
 * The instance's clock and its processing-time callbacks. Callbacks run in the instance's actor, between
 * buffers, never concurrently with record processing. Injected, so tests can move time themselves.
 */
public interface ProcessingTimeService
{
    /** A callback at a processing time. */
    @FunctionalInterface
    interface Callback
    {
        /**
         * @param timeMs the time it was registered for
         * @throws Exception fails the job
         */
        void onProcessingTime(long timeMs) throws Exception;
    }

    /** @return the current time in epoch milliseconds */
    long currentTimeMillis();

    /**
     * @param timeMs   when to call back (at once, on the next turn, if already passed)
     * @param callback what to call
     */
    void registerTimer(long timeMs, Callback callback);
}
