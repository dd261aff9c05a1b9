package dev.millrace.runtime.api;

/**
 * The general function on a non-keyed stream: any number of outputs per record, side outputs, and access
 * to time. The API takes a factory, so each parallel instance has its own object.
 *
 * @param <I> input type
 * @param <O> output type
 */
public abstract class ProcessFunction<I, O>
{
    /** What the function may know and do while processing a record. */
    public interface Context
    {
        /** @return the record's event time, or {@code Long.MIN_VALUE} if it has none */
        long timestamp();

        /** @return the instance's current watermark */
        long currentWatermark();

        /** @return the instance's clock in epoch milliseconds */
        long currentProcessingTime();

        /**
         * @param tag   the side output
         * @param value emitted there, with the current record's timestamp
         * @param <X>   side output type
         */
        <X> void output(OutputTag<X> tag, X value);
    }

    /**
     * Called once per instance before the first record.
     *
     * @param context the instance
     * @throws Exception fails the job
     */
    public void open(final RuntimeContext context) throws Exception
    {
    }

    /**
     * @param value   the record
     * @param context its timestamp, time and side outputs
     * @param out     the main output
     * @throws Exception fails the job, with this exception as its cause
     */
    public abstract void processElement(I value, Context context, Collector<O> out) throws Exception;
}
