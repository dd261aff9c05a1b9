package dev.millrace.runtime.operators;

import dev.millrace.runtime.api.OutputTag;

/**
 * Where an operator emits: to the next operator of its chain (a method call) and/or to exchanges towards
 * other instances. Records, watermarks and idle status flow through the same output, in order.
 *
 * @param <T> main output type
 */
public interface Output<T>
{
    /**
     * @param record      a main-output record
     * @param timestampMs its event time, or {@code Long.MIN_VALUE}
     */
    void collect(T record, long timestampMs);

    /**
     * @param tag         the side output
     * @param record      a side-output record
     * @param timestampMs its event time, or {@code Long.MIN_VALUE}
     * @param <X>         side output type
     */
    <X> void collect(OutputTag<X> tag, X record, long timestampMs);

    /** @param watermarkMs the operator's new event time */
    void emitWatermark(long watermarkMs);

    /** @param idle whether this output has gone idle (or active again) */
    void emitStatus(boolean idle);
}
