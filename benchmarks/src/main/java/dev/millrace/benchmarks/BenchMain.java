package dev.millrace.benchmarks;

import java.util.concurrent.Callable;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * Entry point of {@code ./millrace bench}: whole-system comparisons that print a table, and the JMH
 * micro-benchmarks. Benchmarks run only on demand, never as part of the test command.
 */
@Command(
    name = "millrace bench",
    mixinStandardHelpOptions = true,
    description = "Millrace benchmarks: each prints ours beside the reference, measured in the same run.",
    subcommands = { StorageBenchmark.class, BrokerBenchmark.class, KafkaComparisonBenchmark.class, NexmarkBenchmark.class,
        JournalBenchmark.class, TransportBenchmark.class, BenchMain.Jmh.class })
public final class BenchMain implements Callable<Integer>
{
    public static void main(final String[] args)
    {
        final CommandLine commandLine = new CommandLine(new BenchMain());
        // JMH's own options (-prof, -f, -wi, ...) are passed through untouched.
        commandLine.getSubcommands().get("jmh").setUnmatchedOptionsArePositionalParams(true);
        System.exit(commandLine.execute(args));
    }

    @Override
    public Integer call()
    {
        CommandLine.usage(this, System.out);
        return 2;
    }

    /** Hands its arguments to JMH's own command line, so every JMH option (-prof gc, -f, -wi, a regex) works. */
    @Command(name = "jmh", description = "Run JMH micro-benchmarks, e.g. 'jmh -prof gc LogAppend'.")
    static final class Jmh implements Callable<Integer>
    {
        @Parameters(arity = "0..*", description = "JMH arguments (see 'jmh -h').")
        String[] jmhArgs = new String[0];

        @Override
        public Integer call() throws Exception
        {
            org.openjdk.jmh.Main.main(jmhArgs);
            return 0;
        }
    }
}
