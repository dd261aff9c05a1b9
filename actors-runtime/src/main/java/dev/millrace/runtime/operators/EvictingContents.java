package dev.millrace.runtime.operators;

import dev.millrace.runtime.api.AggregateFunction;
import dev.millrace.runtime.state.MapState;
import dev.millrace.runtime.windows.Evictor;
import dev.millrace.runtime.windows.Window;
import java.util.ArrayList;
import java.util.Collection;

/**
 * All records of each window, for evictors: before each evaluation the evictor trims the list (for good),
 * then the remaining records are folded into a fresh accumulator.
 *
 * @param <IN>  record type
 * @param <ACC> accumulator type
 * @param <W>   window type
 */
final class EvictingContents<IN, ACC, W extends Window> implements WindowContents<IN, ACC, W>
{
    private final MapState<W, ArrayList<IN>> state;
    private final AggregateFunction<IN, ACC, ?> aggregate;
    private final Evictor<? super IN, ? super W> evictor;

    EvictingContents(final MapState<W, ArrayList<IN>> state, final AggregateFunction<IN, ACC, ?> aggregate,
        final Evictor<? super IN, ? super W> evictor)
    {
        this.state = state;
        this.aggregate = aggregate;
        this.evictor = evictor;
    }

    @Override
    public boolean add(final W window, final IN value)
    {
        ArrayList<IN> elements = state.get(window);
        final boolean first = elements == null;
        if (first)
        {
            elements = new ArrayList<>();
        }
        elements.add(value);
        state.put(window, elements);
        return first;
    }

    @Override
    @SuppressWarnings("unchecked")
    public ACC get(final W window)
    {
        final ArrayList<IN> elements = state.get(window);
        if (elements == null)
        {
            return null;
        }
        ((Evictor<IN, W>) evictor).evictBefore(elements, window);
        if (elements.isEmpty())
        {
            state.remove(window);
            return null;
        }
        state.put(window, elements);
        ACC accumulator = aggregate.createAccumulator();
        for (final IN element : elements)
        {
            accumulator = aggregate.add(element, accumulator);
        }
        return accumulator;
    }

    @Override
    public void clear(final W window)
    {
        state.remove(window);
    }

    @Override
    public void mergeInto(final W target, final Collection<W> sources)
    {
        ArrayList<IN> merged = state.get(target);
        for (final W source : sources)
        {
            final ArrayList<IN> elements = state.get(source);
            if (elements != null)
            {
                if (merged == null)
                {
                    merged = new ArrayList<>();
                }
                merged.addAll(elements);
                state.remove(source);
            }
        }
        if (merged != null)
        {
            state.put(target, merged);
        }
    }
}
