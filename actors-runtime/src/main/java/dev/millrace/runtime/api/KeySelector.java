package dev.millrace.runtime.api;

/**
 * Extracts the key of a record. It must be deterministic and the key must have a stable
 * {@code hashCode()}/{@code equals} (records, strings, boxed numbers): the key decides the key group, hence
 * the instance that holds the key's state. It runs both where records are partitioned and in the keyed
 * operator.
 *
 * @param <T> record type
 * @param <K> key type
 */
@FunctionalInterface
public interface KeySelector<T, K>
{
    /**
     * @param value the record
     * @return its key, not null
     * @throws Exception fails the job, with this exception as its cause
     */
    K getKey(T value) throws Exception;
}
