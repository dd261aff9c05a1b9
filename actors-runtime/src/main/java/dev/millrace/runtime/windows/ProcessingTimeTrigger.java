package dev.millrace.runtime.windows;

/** Fires a window when the instance's processing-time clock passes its end. */
public final class ProcessingTimeTrigger extends Trigger<Object, Window>
{
    private static final ProcessingTimeTrigger INSTANCE = new ProcessingTimeTrigger();

    private ProcessingTimeTrigger()
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
        context.registerProcessingTimeTimer(window.maxTimestamp());
        return TriggerResult.CONTINUE;
    }

    @Override
    public TriggerResult onProcessingTime(final long timeMs, final Window window, final TriggerContext context)
    {
        return TriggerResult.FIRE;
    }

    @Override
    public boolean canMerge()
    {
        return true;
    }

    @Override
    public void onMerge(final Window window, final OnMergeContext context)
    {
        if (window.maxTimestamp() > context.currentProcessingTime())
        {
            context.registerProcessingTimeTimer(window.maxTimestamp());
        }
    }

    @Override
    public void clear(final Window window, final TriggerContext context)
    {
        context.deleteProcessingTimeTimer(window.maxTimestamp());
    }
}
