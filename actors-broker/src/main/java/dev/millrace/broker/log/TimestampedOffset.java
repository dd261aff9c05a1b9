package dev.millrace.broker.log;

/**
 * A record found by its timestamp: its offset and its own timestamp (for a log-append-time batch, the time the log
 * appended it).
 */
public record TimestampedOffset(long timestamp, long offset)
{
}
