package dev.millrace.runtime.windows;

import dev.millrace.runtime.state.ValueState;
import dev.millrace.runtime.state.ValueStateDescriptor;

/**
 * Fires a window at every {@code count}-th record added to it (the count is per key and window, and starts
 * again after each firing). Keeps the contents: wrap it in a {@link PurgingTrigger} to drop them.
 *
 * @param <W> window type
 */
public final class CountTrigger<W extends Window> extends Trigger<Object, W>
{
    private static final ValueStateDescriptor<Long> COUNT = new ValueStateDescriptor<>("count", Long.class);

    private final long count;

    private CountTrigger(final long count)
    {
        if (count < 1)
        {
            throw new IllegalArgumentException("a count trigger needs a count of at least 1: " + count);
        }
        this.count = count;
    }

    /**
     * @param count records per firing
     * @param <W>   window type
     * @return the trigger
     */
    public static <W extends Window> CountTrigger<W> of(final long count)
    {
        return new CountTrigger<>(count);
    }

    @Override
    public TriggerResult onElement(final Object element, final long timestampMs, final W window,
        final TriggerContext context)
    {
        final ValueState<Long> state = context.getPartitionedState(COUNT);
        final Long current = state.value();
        final long seen = (current == null ? 0 : current) + 1;
        if (seen >= count)
        {
            state.clear();
            return TriggerResult.FIRE;
        }
        state.update(seen);
        return TriggerResult.CONTINUE;
    }

    @Override
    public boolean canMerge()
    {
        return true;
    }

    @Override
    public void onMerge(final W window, final OnMergeContext context)
    {
        context.mergePartitionedState(COUNT, Long::sum);
    }

    @Override
    public void clear(final W window, final TriggerContext context)
    {
        context.getPartitionedState(COUNT).clear();
    }
}
