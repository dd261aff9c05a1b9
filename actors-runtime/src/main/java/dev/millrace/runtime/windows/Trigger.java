package dev.millrace.runtime.windows;

import dev.millrace.runtime.state.ValueState;
import dev.millrace.runtime.state.ValueStateDescriptor;
import java.util.function.BinaryOperator;

/**
 * Decides when a window is evaluated and when its contents are dropped. Called for each record added to a
 * window and for each timer it registered, always with the window's key as the current key. A trigger
 * keeps nothing in fields (one object may serve all instances); what it must remember per key and window
 * lives in {@link TriggerContext#getPartitionedState}, and it forgets it in {@link #clear}.
 *
 * @param <T> record type
 * @param <W> window type
 */
public abstract class Trigger<T, W extends Window>
{
    /** Time, timers and state, scoped to the current key and window. */
    public interface TriggerContext
    {
        /** @return the instance's processing time */
        long currentProcessingTime();

        /** @return the operator's event time */
        long currentWatermark();

        /** @param timeMs calls {@link #onEventTime} for this window when the watermark reaches it */
        void registerEventTimeTimer(long timeMs);

        /** @param timeMs calls {@link #onProcessingTime} for this window when the clock reaches it */
        void registerProcessingTimeTimer(long timeMs);

        /** @param timeMs an event-time timer of this window to forget */
        void deleteEventTimeTimer(long timeMs);

        /** @param timeMs a processing-time timer of this window to forget */
        void deleteProcessingTimeTimer(long timeMs);

        /**
         * @param descriptor names the state
         * @param <S>        value type
         * @return the state of the current key and window
         */
        <S> ValueState<S> getPartitionedState(ValueStateDescriptor<S> descriptor);
    }

    /** The context while windows merge; the current window is the merge result. */
    public interface OnMergeContext extends TriggerContext
    {
        /**
         * Combines the merged windows' values of a state into the result window's (the merged windows' own
         * state is cleared by {@link #clear} afterwards).
         *
         * @param descriptor names the state
         * @param merge      combines two values
         * @param <S>        value type
         */
        <S> void mergePartitionedState(ValueStateDescriptor<S> descriptor, BinaryOperator<S> merge);
    }

    /**
     * @param element     the record just added to the window
     * @param timestampMs its event time
     * @param window      the window
     * @param context     time, timers and state
     * @return what to do with the window
     * @throws Exception fails the job
     */
    public abstract TriggerResult onElement(T element, long timestampMs, W window, TriggerContext context)
        throws Exception;

    /**
     * @param timeMs  the time of an event-time timer this trigger registered
     * @param window  the window
     * @param context time, timers and state
     * @return what to do with the window
     * @throws Exception fails the job
     */
    public TriggerResult onEventTime(final long timeMs, final W window, final TriggerContext context) throws Exception
    {
        return TriggerResult.CONTINUE;
    }

    /**
     * @param timeMs  the time of a processing-time timer this trigger registered
     * @param window  the window
     * @param context time, timers and state
     * @return what to do with the window
     * @throws Exception fails the job
     */
    public TriggerResult onProcessingTime(final long timeMs, final W window, final TriggerContext context)
        throws Exception
    {
        return TriggerResult.CONTINUE;
    }

    /** @return whether this trigger can be used with merging (session) windows */
    public boolean canMerge()
    {
        return false;
    }

    /**
     * Windows merged into {@code window}: register its timers and merge state.
     *
     * @param window  the merge result
     * @param context time, timers and state of the merge result
     * @throws Exception fails the job
     */
    public void onMerge(final W window, final OnMergeContext context) throws Exception
    {
        throw new UnsupportedOperationException(getClass().getSimpleName() + " does not support merging windows");
    }

    /**
     * The window is gone (cleaned up or merged away): delete its timers and state.
     *
     * @param window  the window
     * @param context time, timers and state
     * @throws Exception fails the job
     */
    public void clear(final W window, final TriggerContext context) throws Exception
    {
    }
}
