package dev.millrace.runtime.api;

/**
 * A function over two connected (non-keyed) streams: one method per input, one output, side outputs. The
 * API takes a factory, so each parallel instance has its own object and may keep fields.
 *
 * @param <IN1> first input type
 * @param <IN2> second input type
 * @param <OUT> output type
 */
public abstract class CoProcessFunction<IN1, IN2, OUT>
{
    /**
     * Called once per instance before the first record.
     *
     * @param context the instance (no keyed state: connect keyed streams for that)
     * @throws Exception fails the job
     */
    public void open(final RuntimeContext context) throws Exception
    {
    }

    /**
     * @param value   a record of the first input
     * @param context its timestamp, the operator's event time (the minimum of both inputs'), side outputs
     * @param out     the output
     * @throws Exception fails the job, with this exception as its cause
     */
    public abstract void processElement1(IN1 value, ProcessFunction.Context context, Collector<OUT> out)
        throws Exception;

    /**
     * @param value   a record of the second input
     * @param context its timestamp, the operator's event time, side outputs
     * @param out     the output
     * @throws Exception fails the job, with this exception as its cause
     */
    public abstract void processElement2(IN2 value, ProcessFunction.Context context, Collector<OUT> out)
        throws Exception;
}
