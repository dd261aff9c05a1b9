package dev.millrace.runtime.operators;

import dev.millrace.runtime.api.OutputTag;
import dev.millrace.runtime.api.ProcessFunction;
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
 * Runs a {@link ProcessFunction} on a non-keyed stream. Keyed state is refused with a message that says to
 * {@code keyBy} first.
 *
 * @param <I> input type
 * @param <O> output type
 */
public final class ProcessOperator<I, O> extends StreamOperator<I, O> implements ProcessFunction.Context
{
    private final ProcessFunction<I, O> function;
    private TimestampedCollector<O> collector;
    private long timestampMs;

    /** @param function the user function, this instance's own object */
    public ProcessOperator(final ProcessFunction<I, O> function)
    {
        this.function = function;
    }

    @Override
    public void open() throws Exception
    {
        collector = new TimestampedCollector<>(output);
        function.open(new NonKeyedContext());
    }

    @Override
    public void processElement(final I value, final long timestamp) throws Exception
    {
        timestampMs = timestamp;
        collector.setTimestamp(timestamp);
        function.processElement(value, this, collector);
    }

    @Override
    public long timestamp()
    {
        return timestampMs;
    }

    @Override
    public long currentWatermark()
    {
        return currentWatermark;
    }

    @Override
    public long currentProcessingTime()
    {
        return context.processingTime().currentTimeMillis();
    }

    @Override
    public <X> void output(final OutputTag<X> tag, final X value)
    {
        output.collect(tag, value, timestampMs);
    }

    private final class NonKeyedContext implements RuntimeContext
    {
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
            return new IllegalStateException("operator " + context.operatorName() + " asked for keyed state '" + name
                + "' on a non-keyed stream; keyed state is only available after keyBy(...)");
        }
    }
}
