package dev.millrace.runtime.windows;

import dev.millrace.runtime.api.Collector;
import dev.millrace.runtime.api.OutputTag;

/**
 * Computes a window's result from all its elements (or from the single pre-aggregated value when combined
 * with a reduce or aggregate function). One object per parallel instance (the API takes a factory).
 *
 * @param <IN>  element type
 * @param <OUT> result type
 * @param <K>   key type
 * @param <W>   window type
 */
public abstract class ProcessWindowFunction<IN, OUT, K, W extends Window>
{
    /**
     * What the function may know about, and do besides, the window being evaluated. An inner class, so
     * {@code Context} in a subclass already knows the window type.
     */
    public abstract class Context
    {
        /** @return the window */
        public abstract W window();

        /** @return the operator's current watermark */
        public abstract long currentWatermark();

        /** @return the instance's processing time */
        public abstract long currentProcessingTime();

        /**
         * @param tag   a side output
         * @param value emitted there, with the window's max timestamp
         * @param <X>   side output type
         */
        public abstract <X> void output(OutputTag<X> tag, X value);
    }

    /**
     * @param key      the key of the window
     * @param context  the window
     * @param elements its elements, in arrival order
     * @param out      receives results; they carry the window's {@link Window#maxTimestamp()}
     * @throws Exception fails the job
     */
    public abstract void process(K key, Context context, Iterable<IN> elements, Collector<OUT> out)
        throws Exception;
}
