package dev.millrace.runtime.connectors.log;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * Turns a stream record into a log record's key and value. May be shared by the sink's instances, so it must be
 * stateless or thread-safe; an exception fails the job.
 *
 * @param <T> record type
 */
public interface LogRecordSerializer<T>
{
    /**
     * @param element the record
     * @return its key (which chooses the partition), or null for none (records then go round-robin)
     * @throws Exception fails the job
     */
    byte[] serializeKey(T element) throws Exception;

    /**
     * @param element the record
     * @return its value, or null (a tombstone)
     * @throws Exception fails the job
     */
    byte[] serializeValue(T element) throws Exception;

    /**
     * @param key   the key of a record (may return null)
     * @param value the value of a record
     * @param <T>   record type
     * @return a serializer of both
     */
    static <T> LogRecordSerializer<T> of(final Function<T, byte[]> key, final Function<T, byte[]> value)
    {
        return new LogRecordSerializer<>()
        {
            @Override
            public byte[] serializeKey(final T element)
            {
                return key.apply(element);
            }

            @Override
            public byte[] serializeValue(final T element)
            {
                return value.apply(element);
            }
        };
    }

    /**
     * @param key   the key of a record, as a string (may return null)
     * @param value the value of a record, as a string
     * @param <T>   record type
     * @return a serializer writing both in UTF-8
     */
    static <T> LogRecordSerializer<T> utf8(final Function<T, String> key, final Function<T, String> value)
    {
        return of(element ->
        {
            final String k = key.apply(element);
            return k == null ? null : k.getBytes(StandardCharsets.UTF_8);
        }, element ->
        {
            final String v = value.apply(element);
            return v == null ? null : v.getBytes(StandardCharsets.UTF_8);
        });
    }
}
