package dev.millrace.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Short smoke runs of bench broker: both sides produce and read back all the data (every driver and raw thread checks
 * its bytes and final offset, so a wrong read fails the run), with the per-partition read times and the read passes.
 */
class BrokerBenchmarkTest
{
    private static final Pattern READ_TIMES = Pattern.compile(
        "actor started ([0-9.]+), done ([0-9.]+)-([0-9.]+), JIT [0-9]+; raw started ([0-9.]+), done ([0-9.]+)-([0-9.]+)");

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldReadAllTheDataAsManyTimesAsAskedOnBothSidesAndReportEachPartitionsTimes(@TempDir final Path temp)
    {
        final Path dir = temp.resolve("bench");
        final Run run = run("--dir", dir.toString(), "--total-mib", "6", "--runs", "1", "--warmup-runs", "0",
            "--read-passes", "3");

        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("read 3 pass(es)"), run.output());
        assertTrue(run.output().contains("each measurement read all the data 3 times"), run.output());
        assertTrue(run.output().contains("ratio actor/raw: append "), run.output());
        final Matcher times = READ_TIMES.matcher(run.output());
        assertTrue(times.find(), run.output());
        for (final int side : new int[]{ 1, 4 })
        {
            final double started = Double.parseDouble(times.group(side));
            final double firstDone = Double.parseDouble(times.group(side + 1));
            final double lastDone = Double.parseDouble(times.group(side + 2));
            assertTrue(started >= 0 && firstDone > 0 && firstDone <= lastDone, times.group());
        }
        assertFalse(Files.exists(dir), "the benchmark removes its directory");
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldRunTheActorSideAloneWithSeveralReadPasses(@TempDir final Path temp)
    {
        final Run run = run("--dir", temp.resolve("bench").toString(), "--total-mib", "6", "--runs", "1",
            "--warmup-runs", "0", "--read-passes", "2", "--only", "actor");

        assertEquals(0, run.exitCode(), run.output());
        assertTrue(run.output().contains("actor run 1: append "), run.output());
        assertTrue(run.output().contains("read (ms): actor started "), run.output());
    }

    @Test
    void shouldRefuseReadPassesBelowOne(@TempDir final Path temp)
    {
        assertEquals(2, run("--dir", temp.resolve("bench").toString(), "--read-passes", "0").exitCode());
    }

    @Test
    void shouldTellTheLastStartAndTheFirstAndLastEndOfThePartitions()
    {
        final BrokerBenchmark.PartitionTimes times = new BrokerBenchmark.PartitionTimes(
            new long[]{ 100_000, 300_000, 200_000 }, new long[]{ 52_100_000, 60_400_000, 55_000_000 });

        assertEquals(300_000, times.lastStartedNs());
        assertEquals(52_100_000, times.firstDoneNs());
        assertEquals(60_400_000, times.lastDoneNs());
        assertEquals("raw started 0.3, done 52.1-60.4", times.describe("raw"));
    }

    private record Run(int exitCode, String output)
    {
    }

    /** Runs the command with System.out captured (the benchmark prints its table there). */
    private static Run run(final String... args)
    {
        final PrintStream original = System.out;
        final ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try
        {
            final int exitCode = new CommandLine(new BrokerBenchmark()).execute(args);
            return new Run(exitCode, captured.toString(StandardCharsets.UTF_8));
        }
        finally
        {
            System.setOut(original);
        }
    }
}
