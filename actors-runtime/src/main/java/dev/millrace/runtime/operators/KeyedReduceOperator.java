package dev.millrace.runtime.operators;

import dev.millrace.runtime.api.KeySelector;
import dev.millrace.runtime.api.ReduceFunction;
import dev.millrace.runtime.state.ValueState;
import dev.millrace.runtime.state.ValueStateDescriptor;

/**
 * A rolling reduce per key: every record is combined with the key's value so far and the new value is
 * emitted.
 *
 * @param <K> key type
 * @param <T> record type
 */
public final class KeyedReduceOperator<K, T> extends AbstractKeyedOperator<K, T, T>
{
    private final ReduceFunction<T> function;
    private ValueState<T> state;

    /**
     * @param keySelector the stream's key
     * @param function    combines values
     */
    public KeyedReduceOperator(final KeySelector<T, K> keySelector, final ReduceFunction<T> function)
    {
        super(keySelector);
        this.function = function;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void open()
    {
        state = backend.getValueState(new ValueStateDescriptor<>("reduce", (Class<T>) (Class<?>) Object.class));
    }

    @Override
    protected void processKeyed(final K key, final T value, final long timestampMs) throws Exception
    {
        final T current = state.value();
        final T reduced = current == null ? value : function.reduce(current, value);
        state.update(reduced);
        output.collect(reduced, timestampMs);
    }
}
