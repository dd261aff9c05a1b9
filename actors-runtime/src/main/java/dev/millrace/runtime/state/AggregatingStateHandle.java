package dev.millrace.runtime.state;

import dev.millrace.runtime.api.AggregateFunction;

/**
 * {@link AggregatingState} over a {@link ValueStore}: the stored object is the accumulator, or a
 * {@link TtlValue}; an expired accumulator is replaced by a new one on the next add.
 *
 * @param <IN>  input type
 * @param <ACC> accumulator type
 * @param <OUT> result type
 */
final class AggregatingStateHandle<IN, ACC, OUT> extends AbstractStateHandle implements AggregatingState<IN, OUT>
{
    private final ValueStore store;
    private final AggregateFunction<IN, ACC, OUT> function;

    AggregatingStateHandle(final AggregatingStateDescriptor<IN, ACC, OUT> descriptor,
        final AbstractKeyedStateBackend backend, final ValueStore store)
    {
        super(descriptor, backend);
        this.store = store;
        this.function = descriptor.aggregateFunction();
    }

    @Override
    @SuppressWarnings("unchecked")
    public OUT get()
    {
        final ACC accumulator = (ACC) (ttl == null ? store.get(namespace) : ttl.read(store, namespace));
        return accumulator == null ? null : function.getResult(accumulator);
    }

    @Override
    @SuppressWarnings("unchecked")
    public void add(final IN value)
    {
        final ACC current = (ACC) (ttl == null ? store.get(namespace) : ttl.readForUpdate(store, namespace));
        final ACC accumulator = function.add(value, current == null ? function.createAccumulator() : current);
        checkValue(accumulator);
        store.put(namespace, wrap(accumulator));
    }

    @Override
    public void clear()
    {
        store.put(namespace, null);
    }
}
