package dev.millrace.runtime.connectors.log;

import java.util.List;

/**
 * One record read from the log, as given to a {@link LogRecordDeserializer}. The arrays are the reader's own
 * copies: a deserializer may keep them.
 *
 * @param topic       the topic
 * @param partition   the partition
 * @param offset      the record's offset
 * @param timestampMs the record's timestamp (create or log-append time), or -1 when it has none
 * @param key         the key, or null
 * @param value       the value, or null (a tombstone)
 * @param headers     the headers, in order
 */
public record LogRecord(String topic, int partition, long offset, long timestampMs, byte[] key, byte[] value,
                        List<LogHeader> headers)
{
}
