package dev.millrace.runtime.operators;

import dev.millrace.runtime.api.AggregateFunction;
import dev.millrace.runtime.state.MapState;
import java.util.Collection;

/**
 * One accumulator per window: records are folded in as they arrive, so a window costs one accumulator
 * however many records it holds.
 *
 * @param <IN>  record type
 * @param <ACC> accumulator type
 * @param <W>   window type
 */
final class AccumulatingContents<IN, ACC, W> implements WindowContents<IN, ACC, W>
{
    private final MapState<W, ACC> state;
    private final AggregateFunction<IN, ACC, ?> aggregate;

    AccumulatingContents(final MapState<W, ACC> state, final AggregateFunction<IN, ACC, ?> aggregate)
    {
        this.state = state;
        this.aggregate = aggregate;
    }

    @Override
    public boolean add(final W window, final IN value)
    {
        final ACC current = state.get(window);
        state.put(window, aggregate.add(value, current == null ? aggregate.createAccumulator() : current));
        return current == null;
    }

    @Override
    public ACC get(final W window)
    {
        return state.get(window);
    }

    @Override
    public void clear(final W window)
    {
        state.remove(window);
    }

    @Override
    public void mergeInto(final W target, final Collection<W> sources)
    {
        ACC merged = state.get(target);
        for (final W source : sources)
        {
            final ACC accumulator = state.get(source);
            if (accumulator != null)
            {
                merged = merged == null ? accumulator : aggregate.merge(merged, accumulator);
                state.remove(source);
            }
        }
        if (merged != null)
        {
            state.put(target, merged);
        }
    }
}
