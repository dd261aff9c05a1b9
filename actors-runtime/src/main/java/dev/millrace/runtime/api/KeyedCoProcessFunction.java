package dev.millrace.runtime.api;

/**
 * A function over two streams connected and keyed by one key: records of both inputs with equal keys go to
 * the same instance and share the key's state and timers. The API takes a factory (one object per
 * instance).
 *
 * @param <K>   key type
 * @param <IN1> first input type
 * @param <IN2> second input type
 * @param <OUT> output type
 */
public abstract class KeyedCoProcessFunction<K, IN1, IN2, OUT>
{
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
     * @param value   a record of the first input
     * @param context its key, timestamp, timers (event time is the minimum of both inputs') and side outputs
     * @param out     the output
     * @throws Exception fails the job, with this exception as its cause
     */
    public abstract void processElement1(IN1 value, KeyedProcessFunction.Context<K> context, Collector<OUT> out)
        throws Exception;

    /**
     * @param value   a record of the second input
     * @param context its key, timestamp, timers and side outputs
     * @param out     the output
     * @throws Exception fails the job, with this exception as its cause
     */
    public abstract void processElement2(IN2 value, KeyedProcessFunction.Context<K> context, Collector<OUT> out)
        throws Exception;

    /**
     * @param timestampMs the timer's time
     * @param context     its key and domain
     * @param out         the output; records carry the timer's timestamp
     * @throws Exception fails the job, with this exception as its cause
     */
    public void onTimer(final long timestampMs, final KeyedProcessFunction.OnTimerContext<K> context,
        final Collector<OUT> out) throws Exception
    {
    }
}
