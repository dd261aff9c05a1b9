package dev.millrace.deploy.cli;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Reads durations as people write them: {@code 500ms}, {@code 10s}, {@code 2m}, {@code 1h}, or ISO-8601 {@code PT10S}. */
public final class DurationConverter implements ITypeConverter<Duration>
{
    private static final Pattern SIMPLE = Pattern.compile("(\\d+)\\s*(ms|s|m|h)");

    @Override
    public Duration convert(final String value)
    {
        final Matcher matcher = SIMPLE.matcher(value.trim());
        if (matcher.matches())
        {
            final long amount = Long.parseLong(matcher.group(1));
            return switch (matcher.group(2))
            {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
        }
        try
        {
            return Duration.parse(value.trim());
        }
        catch (final RuntimeException ex)
        {
            throw new TypeConversionException("'" + value + "' is not a duration (e.g. 500ms, 10s, 2m, 1h)");
        }
    }

    /** {@code 10s}, {@code 1500ms}: how a duration is shown in messages. */
    public static String format(final Duration duration)
    {
        final long ms = duration.toMillis();
        return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
    }
}
