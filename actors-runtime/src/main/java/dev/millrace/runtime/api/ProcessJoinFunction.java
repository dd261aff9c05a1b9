package dev.millrace.runtime.api;

/**
 * Receives each pair of an interval join: a left and a right record with equal keys whose timestamps are
 * within the join's bounds. The API takes a factory (one object per instance).
 *
 * @param <A> left input type
 * @param <B> right input type
 * @param <R> result type
 */
public abstract class ProcessJoinFunction<A, B, R>
{
    /** The pair's times, and side outputs. */
    public interface Context
    {
        /** @return the left record's timestamp */
        long leftTimestamp();

        /** @return the right record's timestamp */
        long rightTimestamp();

        /** @return the result's timestamp: the later of the two */
        long timestamp();

        /**
         * @param tag   a side output
         * @param value emitted there, with the pair's timestamp
         * @param <X>   side output type
         */
        <X> void output(OutputTag<X> tag, X value);
    }

    /**
     * @param left    the left record
     * @param right   the right record
     * @param context their times
     * @param out     the output; results carry the later timestamp of the two
     * @throws Exception fails the job, with this exception as its cause
     */
    public abstract void processElement(A left, B right, Context context, Collector<R> out) throws Exception;
}
