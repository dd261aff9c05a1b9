package dev.millrace.runtime.api;

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
 * What a function learns about the instance it runs in, and where it gets keyed state. State handles are
 * obtained once (in {@code open}) and always act on the key of the record or timer being processed. Keyed
 * state exists only after {@code keyBy}; asking for it elsewhere fails with {@link IllegalStateException}.
 */
public interface RuntimeContext
{
    /** @return the operator's name */
    String operatorName();

    /** @return this instance's index, 0-based */
    int subtaskIndex();

    /** @return the operator's parallelism */
    int parallelism();

    /** @param descriptor the state @param <T> value type @return its handle */
    <T> ValueState<T> getState(ValueStateDescriptor<T> descriptor);

    /** @param descriptor the state @param <T> element type @return its handle */
    <T> ListState<T> getListState(ListStateDescriptor<T> descriptor);

    /** @param descriptor the state @param <K> user key @param <V> user value @return its handle */
    <K, V> MapState<K, V> getMapState(MapStateDescriptor<K, V> descriptor);

    /** @param descriptor the state @param <T> value type @return its handle */
    <T> ReducingState<T> getReducingState(ReducingStateDescriptor<T> descriptor);

    /**
     * @param descriptor the state
     * @param <IN>       input type
     * @param <ACC>      accumulator type
     * @param <OUT>      result type
     * @return its handle
     */
    <IN, ACC, OUT> AggregatingState<IN, OUT> getAggregatingState(AggregatingStateDescriptor<IN, ACC, OUT> descriptor);
}
