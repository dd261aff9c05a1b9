package dev.millrace.runtime.connectors.log;

/**
 * A record header as stored in the log.
 *
 * @param key   the header's name
 * @param value its value, or null
 */
public record LogHeader(String key, byte[] value)
{
}
