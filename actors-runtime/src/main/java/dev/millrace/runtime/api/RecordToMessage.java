package dev.millrace.runtime.api;

/**
 * Turns a record of a non-keyed stream into a message of the behavior that processes it, typically a record
 * constructor of the behavior's protocol ({@code Received::new}).
 *
 * @param <T> record type
 * @param <M> the behavior's message type
 */
@FunctionalInterface
public interface RecordToMessage<T, M>
{
    /**
     * @param record      the record
     * @param timestampMs its event time, or {@code Long.MIN_VALUE}
     * @return the message, never null
     */
    M toMessage(T record, long timestampMs);
}
