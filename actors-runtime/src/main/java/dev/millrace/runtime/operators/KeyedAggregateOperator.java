package dev.millrace.runtime.operators;

import dev.millrace.runtime.api.AggregateFunction;
import dev.millrace.runtime.api.KeySelector;
import dev.millrace.runtime.state.AggregatingState;
import dev.millrace.runtime.state.AggregatingStateDescriptor;

/**
 * A rolling aggregate per key: every record is added to the key's accumulator and the new result emitted.
 *
 * @param <K>   key type
 * @param <IN>  input type
 * @param <ACC> accumulator type
 * @param <OUT> result type
 */
public final class KeyedAggregateOperator<K, IN, ACC, OUT> extends AbstractKeyedOperator<K, IN, OUT>
{
    private final AggregateFunction<IN, ACC, OUT> function;
    private AggregatingState<IN, OUT> state;

    /**
     * @param keySelector the stream's key
     * @param function    the aggregation
     */
    public KeyedAggregateOperator(final KeySelector<IN, K> keySelector, final AggregateFunction<IN, ACC, OUT> function)
    {
        super(keySelector);
        this.function = function;
    }

    @Override
    public void open()
    {
        state = backend.getAggregatingState(new AggregatingStateDescriptor<>("aggregate", function));
    }

    @Override
    protected void processKeyed(final K key, final IN value, final long timestampMs)
    {
        state.add(value);
        output.collect(state.get(), timestampMs);
    }
}
