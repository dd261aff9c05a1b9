package dev.millrace.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The parts of bench nexmark that run without a child: the result line, the median rate, the option checks. */
class NexmarkBenchmarkTest
{
    @Test
    void shouldParseTheChildsResultLineAndRateTheMedianRun()
    {
        final var measured = NexmarkBenchmark.parse("NEXMARK-RESULT q5 events=1000 results=42 ns=4000000,1000000,2000000");

        assertEquals(42, measured.results());
        assertEquals(List.of(4_000_000L, 1_000_000L, 2_000_000L), measured.nanos());
        // Median run 2 ms for 1000 events.
        assertEquals(500_000.0, measured.eventsPerSecond(), 1e-6);
    }

    @Test
    void shouldRateAnEvenNumberOfRunsByTheMeanOfTheMiddleTwo()
    {
        assertEquals(1000 * 1e9 / 1_500_000, NexmarkBenchmark.parse(
            "NEXMARK-RESULT q0 events=1000 results=1 ns=1000000,2000000").eventsPerSecond(), 1e-6);
    }

    @Test
    void shouldRejectALineWithoutTheFigures()
    {
        assertThrows(NumberFormatException.class, () -> NexmarkBenchmark.parse("NEXMARK-RESULT q0 events=1000"));
    }

    @Test
    void shouldRefuseEventsThatAreNotAMultipleOfTheParallelismAndUnknownQueries()
    {
        assertEquals(2, new CommandLine(new NexmarkBenchmark()).execute("--events", "1001", "--parallelism", "2"));
        assertEquals(2, new CommandLine(new NexmarkBenchmark()).execute("--queries", "q0,q3"));
        assertEquals(2, new CommandLine(new NexmarkBenchmark()).execute("--only", "kafka"));
        assertNotEquals(0, new CommandLine(new NexmarkBenchmark()).execute("--rounds", "0"));
    }
}
