package dev.millrace.runtime.operators;

import dev.millrace.runtime.api.RuntimeContext;
import dev.millrace.runtime.state.AggregatingState;
import dev.millrace.runtime.state.AggregatingStateDescriptor;
import dev.millrace.runtime.state.ListState;
import dev.millrace.runtime.state.ListStateDescriptor;
import dev.millrace.runtime.state.MapState;
import dev.millrace.runtime.state.MapStateDescriptor;
import dev.millrace.runtime.state.ReducingState;
import dev.millrace.runtime.state.ReducingStateDescriptor;
import dev.millrace.runtime.state.ValueState;
import dev.millrace.runtime.state.ValueStateDescriptor;

/**
 * The {@link RuntimeContext} of a function on a non-keyed stream: the operator's name and place, and a refusal of
 * keyed state, which exists only after {@code keyBy}, with a message that says so.
 *
 * <p>Threading: confined to its instance.
 */
final class NonKeyedRuntimeContext implements RuntimeContext
{
    private final OperatorContext context;
    private final String asker;

    /**
     * @param context the operator's context
     * @param asker   who asks, named in the refusal before the operator's name ("operator ", "the behavior of
     *                operator ")
     */
    NonKeyedRuntimeContext(final OperatorContext context, final String asker)
    {
        this.context = context;
        this.asker = asker;
    }

    @Override
    public String operatorName()
    {
        return context.operatorName();
    }

    @Override
    public int subtaskIndex()
    {
        return context.subtaskIndex();
    }

    @Override
    public int parallelism()
    {
        return context.parallelism();
    }

    @Override
    public <T> ValueState<T> getState(final ValueStateDescriptor<T> descriptor)
    {
        throw noKeyedState(descriptor.name());
    }

    @Override
    public <T> ListState<T> getListState(final ListStateDescriptor<T> descriptor)
    {
        throw noKeyedState(descriptor.name());
    }

    @Override
    public <K, V> MapState<K, V> getMapState(final MapStateDescriptor<K, V> descriptor)
    {
        throw noKeyedState(descriptor.name());
    }

    @Override
    public <T> ReducingState<T> getReducingState(final ReducingStateDescriptor<T> descriptor)
    {
        throw noKeyedState(descriptor.name());
    }

    @Override
    public <A, B, C> AggregatingState<A, C> getAggregatingState(final AggregatingStateDescriptor<A, B, C> descriptor)
    {
        throw noKeyedState(descriptor.name());
    }

    private IllegalStateException noKeyedState(final String name)
    {
        return new IllegalStateException(asker + context.operatorName() + " asked for keyed state '" + name
            + "' on a non-keyed stream; keyed state is only available after keyBy(...)");
    }
}
