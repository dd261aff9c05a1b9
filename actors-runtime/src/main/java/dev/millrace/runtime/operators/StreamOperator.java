package dev.millrace.runtime.operators;

import dev.millrace.runtime.time.Watermarks;

/**
 * One step of a chain, inside one operator instance: called with plain method calls by the operator before
 * it (or by the instance for the head), emits to its {@link Output}. The runtime makes a new object per
 * instance (operators come from factories).
 *
 * <p>Lifecycle: {@link #setup} → {@link #restoreState} (when restoring) → {@link #open} → records,
 * watermarks, statuses, batch ends → {@link #finish} (end of input) → {@link #snapshotState} at any point
 * between two calls → {@link #close} when the instance stops, whether it finished, failed or was cancelled.
 *
 * <p>Threading: confined to the instance's actor.
 *
 * @param <IN>  input type
 * @param <OUT> output type
 */
public abstract class StreamOperator<IN, OUT>
{
    /** Where this operator emits. */
    protected Output<OUT> output;
    /** This instance's context. */
    protected OperatorContext context;
    /** The last watermark this operator received. */
    protected long currentWatermark = Watermarks.INITIAL;

    /**
     * @param operatorContext the instance
     * @param operatorOutput  where to emit
     */
    public void setup(final OperatorContext operatorContext, final Output<OUT> operatorOutput)
    {
        this.context = operatorContext;
        this.output = operatorOutput;
    }

    /**
     * Called once before the first record.
     *
     * @throws Exception fails the job
     */
    public void open() throws Exception
    {
    }

    /**
     * @param value       a record
     * @param timestampMs its event time, or {@code Long.MIN_VALUE}
     * @throws Exception fails the job
     */
    public abstract void processElement(IN value, long timestampMs) throws Exception;

    /**
     * Advances event time; keyed operators fire their due timers first. Forwards the watermark.
     *
     * @param watermarkMs the new watermark
     * @throws Exception fails the job
     */
    public void processWatermark(final long watermarkMs) throws Exception
    {
        currentWatermark = watermarkMs;
        output.emitWatermark(watermarkMs);
    }

    /**
     * @param idle whether the input went idle
     */
    public void processStatus(final boolean idle)
    {
        output.emitStatus(idle);
    }

    /**
     * Called after each input buffer (or source batch) the instance processed.
     *
     * @throws Exception fails the job
     */
    public void onBatchEnd() throws Exception
    {
    }

    /**
     * The input is complete (after the final watermark): emit what is still held.
     *
     * @throws Exception fails the job
     */
    public void finish() throws Exception
    {
    }

    /**
     * @return the operator's state as a tree of plain objects, or null when it has none
     */
    public Object snapshotState()
    {
        return null;
    }

    /**
     * @param state a tree from {@link #snapshotState()}
     */
    public void restoreState(final Object state)
    {
    }

    /**
     * Releases what the operator holds (a keyed operator's state backend: RocksDB's native memory and
     * directory). Called once when the instance stops, also after a failure; must not throw for a
     * half-set-up operator.
     */
    public void close()
    {
    }
}
