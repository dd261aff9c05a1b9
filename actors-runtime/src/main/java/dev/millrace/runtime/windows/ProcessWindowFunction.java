package dev.millrace.runtime.windows;

import dev.millrace.runtime.api.Collector;

/**
 * Computes a window's result from all its elements (or from the single pre-aggregated value when combined
 * with a reduce or aggregate function). One object per parallel instance (the API takes a factory).
 *
 * @param <IN>  element type
 * @param <OUT> result type
 * @param <K>   key type
 */
public abstract class ProcessWindowFunction<IN, OUT, K>
{
    /** What the function may know about the window being evaluated. */
    public interface Context
    {
        /** @return the window */
        TimeWindow window();

        /** @return the operator's current watermark */
        long currentWatermark();
    }

    /**
     * @param key      the key of the window
     * @param context  the window
     * @param elements its elements, in arrival order
     * @param out      receives results; they carry the window's {@link TimeWindow#maxTimestamp()}
     * @throws Exception fails the job
     */
    public abstract void process(K key, Context context, Iterable<IN> elements, Collector<OUT> out) throws Exception;
}
