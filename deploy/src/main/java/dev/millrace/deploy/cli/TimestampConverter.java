package dev.millrace.deploy.cli;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a point in time as epoch milliseconds ({@code 1764000000000}) or ISO-8601 ({@code 2026-11-24T20:00:00Z},
 * {@code 2026-11-24T20:00:00+01:00}, or without an offset, read as UTC); gives epoch milliseconds.
 */
public final class TimestampConverter implements ITypeConverter<Long>
{
    @Override
    public Long convert(final String value)
    {
        final String text = value.trim();
        if (text.chars().allMatch(Character::isDigit) && !text.isEmpty())
        {
            return Long.parseLong(text);
        }
        try
        {
            return OffsetDateTime.parse(text).toInstant().toEpochMilli();
        }
        catch (final DateTimeParseException notOffset)
        {
            try
            {
                return Instant.parse(text).toEpochMilli();
            }
            catch (final DateTimeParseException notInstant)
            {
                try
                {
                    return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC).toEpochMilli();
                }
                catch (final DateTimeParseException notLocal)
                {
                    throw new TypeConversionException("'" + value +
                        "' is not a timestamp: give epoch milliseconds or ISO-8601 such as 2026-11-24T20:00:00Z");
                }
            }
        }
    }
}
