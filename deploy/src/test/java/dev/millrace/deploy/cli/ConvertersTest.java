package dev.millrace.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;

import org.junit.jupiter.api.Test;
import picocli.CommandLine.TypeConversionException;

/** The option converters and the progress line, without a node. */
class ConvertersTest
{
    @Test
    void shouldReadDurationsAsPeopleWriteThem()
    {
        final DurationConverter converter = new DurationConverter();
        assertEquals(Duration.ofMillis(500), converter.convert("500ms"));
        assertEquals(Duration.ofSeconds(10), converter.convert("10s"));
        assertEquals(Duration.ofMinutes(2), converter.convert("2m"));
        assertEquals(Duration.ofHours(1), converter.convert("1h"));
        assertEquals(Duration.ofSeconds(90), converter.convert("PT1M30S"));
        assertThrows(TypeConversionException.class, () -> converter.convert("soon"));
        assertEquals("2s", DurationConverter.format(Duration.ofSeconds(2)));
        assertEquals("1500ms", DurationConverter.format(Duration.ofMillis(1500)));
    }

    @Test
    void shouldReadTimestampsAsEpochMillisOrIso8601()
    {
        final TimestampConverter converter = new TimestampConverter();
        assertEquals(1_764_000_000_000L, converter.convert("1764000000000"));
        assertEquals(1_795_550_400_000L, converter.convert("2026-11-24T20:00:00Z"));
        assertEquals(1_795_550_400_000L, converter.convert("2026-11-24T21:00:00+01:00"));
        assertEquals(1_795_550_400_000L, converter.convert("2026-11-24T20:00:00"));
        assertThrows(TypeConversionException.class, () -> converter.convert("yesterday"));
    }

    @Test
    void shouldDrawTheProgressBarFromBytesReadAndTheRateFromRecords()
    {
        final StringWriter text = new StringWriter();
        final Progress progress = new Progress(new PrintWriter(text), 1_048_576);
        assertEquals("[###############---------------]  50%  1000 records  0.5 MiB  500 records/s  0.3 MiB/s",
            progress.line(524_288, 1_000, 2_000_000_000L));
        progress.update(1_048_576, 2_000, true);
        assertTrue(text.toString().startsWith("\r[##############################] 100%  2000 records"));
        assertTrue(text.toString().endsWith(System.lineSeparator()));
    }
}
