package dev.millrace.runtime.windows;

import java.util.Collection;
import java.util.List;

/**
 * Puts all of a key's records into the {@link GlobalWindow}. Its default trigger never fires: give one with
 * {@code trigger(...)} (count windows use {@link CountTrigger}).
 */
public final class GlobalWindows implements WindowAssigner<GlobalWindow>
{
    private GlobalWindows()
    {
    }

    /** @return the assigner */
    public static GlobalWindows create()
    {
        return new GlobalWindows();
    }

    @Override
    public Collection<GlobalWindow> assignWindows(final Object element, final long timestampMs,
        final long processingTimeMs)
    {
        return List.of(GlobalWindow.INSTANCE);
    }

    @Override
    public Trigger<Object, GlobalWindow> defaultTrigger()
    {
        return new NeverTrigger();
    }

    @Override
    public boolean isEventTime()
    {
        return false;
    }

    /** Never fires; the window's contents stay until a custom trigger purges them. */
    private static final class NeverTrigger extends Trigger<Object, GlobalWindow>
    {
        @Override
        public TriggerResult onElement(final Object element, final long timestampMs, final GlobalWindow window,
            final TriggerContext context)
        {
            return TriggerResult.CONTINUE;
        }
    }
}
