package dev.millrace.runtime.api;

/**
 * What a behavior running as a stream operator ({@link DataStream#processWithBehavior},
 * {@link KeyedStream#processWithBehavior}) is given by its factory: where it emits, and, through
 * {@link RuntimeContext}, the instance and (on a keyed stream) keyed state. It is valid only on the instance's
 * thread, while the behavior handles a message or is being created; emitting at any other time fails.
 *
 * <p>A behavior's own fields, and which behavior it currently is, are <em>not</em> state: they are not in
 * snapshots and are rebuilt by the factory whenever the engine needs to (see
 * {@link KeyedStream#processWithBehavior}). What must survive goes in state from this context.
 *
 * @param <OUT> output type
 */
public interface BehaviorContext<OUT> extends RuntimeContext
{
    /**
     * Emits a record with the timestamp of the message being handled (a record's own, an event-time timer's
     * time, none for a processing-time timer).
     *
     * @param record the record
     */
    void emit(OUT record);

    /**
     * @param tag    a side output
     * @param record its record, with the timestamp of the message being handled
     * @param <X>    its type
     */
    <X> void output(OutputTag<X> tag, X record);

    /** @return the event time of the record being handled, or {@code Long.MIN_VALUE} */
    long timestamp();

    /** @return the operator's current event time ({@code Long.MIN_VALUE} before the first watermark) */
    long currentWatermark();

    /** @return the instance's processing-time clock */
    long currentProcessingTime();
}
