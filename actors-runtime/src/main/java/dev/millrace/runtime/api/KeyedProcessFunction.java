package dev.millrace.runtime.api;

/**
 * The general function on a keyed stream: keyed state, event-time and processing-time timers, side
 * outputs. The API takes a factory, so each parallel instance has its own object (state handles from
 * {@link #open} are per instance).
 *
 * @param <K> key type
 * @param <I> input type
 * @param <O> output type
 */
public abstract class KeyedProcessFunction<K, I, O>
{
    /** What the function may know and do while processing a record. */
    public interface Context<K>
    {
        /** @return the record's (or firing timer's) event time, or {@code Long.MIN_VALUE} if none */
        long timestamp();

        /** @return the key being processed */
        K getCurrentKey();

        /** @return time and timers, scoped to the current key */
        TimerService timerService();

        /**
         * @param tag   the side output
         * @param value emitted there, with the current timestamp
         * @param <X>   side output type
         */
        <X> void output(OutputTag<X> tag, X value);
    }

    /** The context while a timer fires. */
    public interface OnTimerContext<K> extends Context<K>
    {
        /** @return which clock fired the timer */
        TimeDomain timeDomain();
    }

    /**
     * Called once per instance before the first record; get state handles here.
     *
     * @param context the instance and its keyed state
     * @throws Exception fails the job
     */
    public void open(final RuntimeContext context) throws Exception
    {
    }

    /**
     * @param value   the record
     * @param context its key, timestamp, timers and side outputs
     * @param out     the main output
     * @throws Exception fails the job, with this exception as its cause
     */
    public abstract void processElement(I value, Context<K> context, Collector<O> out) throws Exception;

    /**
     * @param timestampMs the timer's time
     * @param context     its key and domain
     * @param out         the main output; records carry the timer's timestamp
     * @throws Exception fails the job, with this exception as its cause
     */
    public void onTimer(final long timestampMs, final OnTimerContext<K> context, final Collector<O> out)
        throws Exception
    {
    }
}
