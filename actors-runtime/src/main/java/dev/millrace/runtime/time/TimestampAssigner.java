package dev.millrace.runtime.time;

/**
 * Reads a record's event time.
 *
 * @param <T> record type
 */
@FunctionalInterface
public interface TimestampAssigner<T>
{
    /**
     * @param element         the record
     * @param recordTimestamp the timestamp it already carries ({@link Watermarks#NO_TIMESTAMP} if none)
     * @return its event time in epoch milliseconds; a negative value fails the job
     */
    long extractTimestamp(T element, long recordTimestamp);
}
