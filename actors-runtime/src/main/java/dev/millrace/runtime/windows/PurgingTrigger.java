package dev.millrace.runtime.windows;

/**
 * Turns every {@link TriggerResult#FIRE} of another trigger into {@link TriggerResult#FIRE_AND_PURGE}, so
 * each firing sees only the records since the previous one.
 *
 * @param <T> record type
 * @param <W> window type
 */
public final class PurgingTrigger<T, W extends Window> extends Trigger<T, W>
{
    private final Trigger<T, W> nested;

    private PurgingTrigger(final Trigger<T, W> nested)
    {
        this.nested = nested;
    }

    /**
     * @param nested the trigger deciding when to fire
     * @param <T>    record type
     * @param <W>    window type
     * @return the purging trigger
     */
    public static <T, W extends Window> PurgingTrigger<T, W> of(final Trigger<T, W> nested)
    {
        return new PurgingTrigger<>(nested);
    }

    private static TriggerResult purging(final TriggerResult result)
    {
        return result.isFire() ? TriggerResult.FIRE_AND_PURGE : result;
    }

    @Override
    public TriggerResult onElement(final T element, final long timestampMs, final W window,
        final TriggerContext context) throws Exception
    {
        return purging(nested.onElement(element, timestampMs, window, context));
    }

    @Override
    public TriggerResult onEventTime(final long timeMs, final W window, final TriggerContext context) throws Exception
    {
        return purging(nested.onEventTime(timeMs, window, context));
    }

    @Override
    public TriggerResult onProcessingTime(final long timeMs, final W window, final TriggerContext context)
        throws Exception
    {
        return purging(nested.onProcessingTime(timeMs, window, context));
    }

    @Override
    public boolean canMerge()
    {
        return nested.canMerge();
    }

    @Override
    public void onMerge(final W window, final OnMergeContext context) throws Exception
    {
        nested.onMerge(window, context);
    }

    @Override
    public void clear(final W window, final TriggerContext context) throws Exception
    {
        nested.clear(window, context);
    }
}
