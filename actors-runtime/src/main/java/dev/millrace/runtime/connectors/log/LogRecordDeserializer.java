package dev.millrace.runtime.connectors.log;

import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * Turns a log record into a stream record. Called on the source instance's thread; may be shared by the
 * instances, so it must be stateless or thread-safe. An exception, or a null result, fails the job with a
 * {@link LogConnectorException} naming the topic, partition and offset.
 *
 * @param <T> record type
 */
@FunctionalInterface
public interface LogRecordDeserializer<T>
{
    /**
     * @param record the log record
     * @return the stream record, never null
     * @throws Exception fails the job
     */
    T deserialize(LogRecord record) throws Exception;

    /**
     * @param valueDeserializer reads a record's value bytes (null for a tombstone)
     * @param <T>               record type
     * @return a deserializer of values only
     */
    static <T> LogRecordDeserializer<T> values(final Function<byte[], T> valueDeserializer)
    {
        return record -> valueDeserializer.apply(record.value());
    }

    /** @return a deserializer of UTF-8 string values (a tombstone fails the job) */
    static LogRecordDeserializer<String> utf8Values()
    {
        return record -> record.value() == null ? null : new String(record.value(), StandardCharsets.UTF_8);
    }
}
