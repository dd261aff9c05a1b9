package dev.millrace.runtime.windows;

/**
 * Fires a window once the watermark passes its end, and again for each late record that arrives within
 * the allowed lateness (the watermark is then already past the end).
 */
public final class EventTimeTrigger extends Trigger<Object, Window>
{
    private static final EventTimeTrigger INSTANCE = new EventTimeTrigger();

    private EventTimeTrigger()
    {
    }

    /**
     * @param <W> window type
     * @return the trigger
     */
    @SuppressWarnings("unchecked")
    public static <W extends Window> Trigger<Object, W> create()
    {
        return (Trigger<Object, W>) (Trigger<Object, ?>) INSTANCE;
    }

    @Override
    public TriggerResult onElement(final Object element, final long timestampMs, final Window window,
        final TriggerContext context)
    {
        if (window.maxTimestamp() <= context.currentWatermark())
        {
            return TriggerResult.FIRE;
        }
        context.registerEventTimeTimer(window.maxTimestamp());
        return TriggerResult.CONTINUE;
    }

    @Override
    public TriggerResult onEventTime(final long timeMs, final Window window, final TriggerContext context)
    {
        return timeMs == window.maxTimestamp() ? TriggerResult.FIRE : TriggerResult.CONTINUE;
    }

    @Override
    public boolean canMerge()
    {
        return true;
    }

    @Override
    public void onMerge(final Window window, final OnMergeContext context)
    {
        if (window.maxTimestamp() > context.currentWatermark())
        {
            context.registerEventTimeTimer(window.maxTimestamp());
        }
    }

    @Override
    public void clear(final Window window, final TriggerContext context)
    {
        context.deleteEventTimeTimer(window.maxTimestamp());
    }
}
