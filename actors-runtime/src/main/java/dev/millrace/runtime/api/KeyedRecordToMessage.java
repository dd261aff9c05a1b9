package dev.millrace.runtime.api;

/**
 * Turns a record of a keyed stream into a message of its key's behavior, typically a record constructor of
 * the behavior's protocol ({@code TransactionSeen::new}).
 *
 * @param <K> key type
 * @param <T> record type
 * @param <M> the behavior's message type
 */
@FunctionalInterface
public interface KeyedRecordToMessage<K, T, M>
{
    /**
     * @param key         the record's key
     * @param record      the record
     * @param timestampMs its event time, or {@code Long.MIN_VALUE}
     * @return the message, never null
     */
    M toMessage(K key, T record, long timestampMs);
}
