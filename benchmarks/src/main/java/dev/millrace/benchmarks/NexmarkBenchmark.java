package dev.millrace.benchmarks;

import java.io.PrintStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./millrace bench nexmark}: Nexmark queries on Apache Flink and on Millrace's processor side by side, in one
 * run, printed as one table with the ratios and both result counts.
 *
 * <p><b>The two systems.</b> Each query runs in a fresh child JVM per system, both with the same heap and GC flags
 * ({@link BrokerUnderTest#jvmFlags}): Flink as a local mini cluster ({@code dev.millrace.benchmarks.flink.FlinkNexmarkMain},
 * class path {@code flink-lib/}: Flink's jars, actors-runtime and the Flink job's thin jar, copied there at package time
 * and never inside benchmarks.jar), Millrace through {@code LocalJobRunner} ({@link MillraceNexmarkMain}, class path
 * benchmarks.jar). Both use the same generator ({@code NexmarkGenerator.defaults()}), the same parallelism, heap state,
 * the same watermarks (200 ms bounded out-of-orderness) and each query written with the system's own DataStream API
 * with the same keys, windows and outputs, so the result counts should agree; a difference is printed as a warning.
 *
 * <p><b>Measurement.</b> In each child: one warm-up run of {@code --warmup-events} (not reported), then
 * {@code --rounds} runs of {@code --events}; a run is a whole bounded job, from submission to its end (Flink: the
 * job's net runtime, which leaves out the mini cluster's start). The queries alternate between the systems
 * (Flink q0, Millrace q0, Flink q1, ...), so that drift and outside load hit both. Events/s is the events over the
 * median run time; the ratio is Millrace's events/s over Flink's.
 */
@Command(
    name = "nexmark",
    mixinStandardHelpOptions = true,
    description = "Nexmark queries on Apache Flink vs Millrace's processor, same generator and parallelism, in one run.")
public final class NexmarkBenchmark implements Callable<Integer>
{
    private static final String FLINK = "Flink";
    private static final String MILLRACE = "Millrace";
    private static final String FLINK_MAIN = "dev.millrace.benchmarks.flink.FlinkNexmarkMain";
    private static final String Q5_ROCKSDB = "q5/rdb";
    private static final List<String> KNOWN_QUERIES = List.of("q0", "q1", "q2", "q5", "q7", "q8");

    @Option(names = "--events", description = "Events per measured run (default: ${DEFAULT-VALUE}).")
    long events = 10_000_000;

    @Option(names = "--parallelism", description = "Parallelism of every operator on both systems (default: ${DEFAULT-VALUE}).")
    int parallelism = 2;

    @Option(names = "--queries", split = ",", description = "Queries, comma separated (default: q0,q1,q2,q5,q7,q8).")
    List<String> queries = new ArrayList<>(KNOWN_QUERIES);

    @Option(names = "--rounds", description = "Measured runs per query and system; the median is shown (default: ${DEFAULT-VALUE}).")
    int rounds = 3;

    @Option(names = "--warmup-events", description = "Events of the unreported warm-up run in each child (default: ${DEFAULT-VALUE}).")
    long warmupEvents = 1_000_000;

    @Option(names = "--heap", description = "Heap of each child JVM, -Xms and -Xmx (default: ${DEFAULT-VALUE}).")
    String heap = "1g";

    @Option(names = "--jvm-flag", description = "An extra flag for both child JVMs, repeatable; e.g. to profile one " +
        "with --only: --jvm-flag=-XX:StartFlightRecording=filename=/tmp/millrace.jfr")
    List<String> extraJvmFlags = new ArrayList<>();

    @Option(names = "--q5-rocksdb", negatable = true, defaultValue = "true", fallbackValue = "true",
        description = "Also run q5 on Millrace with RocksDB keyed state, when q5 and Millrace run (default: " +
            "${DEFAULT-VALUE}; --no-q5-rocksdb to skip). Flink's RocksDB backend is not on flink-lib: Millrace only.")
    boolean q5RocksDb = true;

    @Option(names = "--only", description = "Run one system only: millrace or flink.")
    String only;

    @Option(names = "--flink-lib", description = "Flink's jars and the Flink job (default: flink-lib next to benchmarks.jar).")
    Path flinkLib;

    @Option(names = "--dir", description = "Directory for the children's logs (default: ${DEFAULT-VALUE}); removed afterwards.")
    Path dir = Path.of("data", "bench-nexmark");

    @Option(names = "--timeout", description = "Seconds one child (warm-up and all rounds of one query) may take (default: ${DEFAULT-VALUE}).")
    int timeoutSeconds = 1800;

    /** One child's figures. */
    record Measured(long events, long results, List<Long> nanos)
    {
        double eventsPerSecond()
        {
            final List<Long> sorted = new ArrayList<>(nanos);
            sorted.sort(null);
            final int n = sorted.size();
            final double median = n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2.0;
            return events * 1e9 / median;
        }
    }

    @Override
    public Integer call() throws Exception
    {
        final String problem = validate();
        if (problem != null)
        {
            System.err.println(problem);
            return 2;
        }
        final boolean runFlink = only == null || only.equals("flink");
        final boolean runMillrace = only == null || only.equals("millrace");
        final Path lib = flinkLib != null ? flinkLib : besideJar("flink-lib");
        if (runFlink && !Files.isDirectory(lib))
        {
            System.err.println("no Flink jars in " + lib + ": build the benchmarks module " +
                "(./mvnw -pl benchmarks -am package -DskipTests), which copies them there");
            return 2;
        }
        final List<String> jvmFlags = new ArrayList<>(BrokerUnderTest.jvmFlags(heap));
        jvmFlags.addAll(extraJvmFlags);
        final PrintStream out = System.out;
        out.printf(Locale.ROOT, "Nexmark on Flink %s vs Millrace: %,d events, parallelism %d, heap state, object reuse " +
            "(Flink); median of %d runs after a %,d-event warm-up, per query and system, each in its own JVM (heap %s)%n",
            flinkVersion(lib), events, parallelism, rounds, warmupEvents, heap);

        Path created = dir.toAbsolutePath();
        while (created.getParent() != null && !Files.exists(created.getParent()))
        {
            created = created.getParent();
        }
        Files.createDirectories(dir);
        final Map<String, Map<String, Measured>> measured = new LinkedHashMap<>();
        try
        {
            for (final String query : queries)
            {
                final Map<String, Measured> bySystem = new LinkedHashMap<>();
                measured.put(query, bySystem);
                if (runFlink)
                {
                    bySystem.put(FLINK, runChild(out, FLINK, query, "heap", jvmFlags, lib.toAbsolutePath() + "/*",
                        FLINK_MAIN, List.of("--add-opens", "java.base/java.util=ALL-UNNAMED", "--add-opens",
                            "java.base/java.lang=ALL-UNNAMED")));
                }
                if (runMillrace)
                {
                    bySystem.put(MILLRACE, runChild(out, MILLRACE, query, "heap", jvmFlags,
                        Path.of(System.getProperty("java.class.path")).toAbsolutePath().toString(),
                        MillraceNexmarkMain.class.getName(), List.of()));
                }
            }
            if (q5RocksDb && runMillrace && queries.contains("q5"))
            {
                measured.put(Q5_ROCKSDB, new LinkedHashMap<>(Map.of(MILLRACE, runChild(out, MILLRACE, "q5", "rocksdb",
                    jvmFlags, Path.of(System.getProperty("java.class.path")).toAbsolutePath().toString(),
                    MillraceNexmarkMain.class.getName(), List.of()))));
            }
        }
        finally
        {
            BenchFiles.deleteRecursively(created);
        }
        printTable(out, measured);
        return 0;
    }

    private String validate()
    {
        if (only != null && !only.equals("flink") && !only.equals("millrace"))
        {
            return "--only must be flink or millrace";
        }
        if (events < 1 || parallelism < 1 || rounds < 1 || warmupEvents < 0 || timeoutSeconds < 1)
        {
            return "--events, --parallelism, --rounds and --timeout must be positive, --warmup-events not negative";
        }
        if (events % parallelism != 0 || warmupEvents % parallelism != 0)
        {
            return "--events and --warmup-events must be multiples of --parallelism (the Flink source splits them evenly)";
        }
        for (final String query : queries)
        {
            if (!KNOWN_QUERIES.contains(query))
            {
                return "--queries: unknown query " + query + " (known: " + String.join(",", KNOWN_QUERIES) + ")";
            }
        }
        return null;
    }

    /** Runs one query on one system in a child JVM (bounded) and parses its result line. */
    private Measured runChild(final PrintStream out, final String system, final String query, final String state,
        final List<String> jvmFlags, final String classPath, final String mainClass, final List<String> moreFlags)
        throws Exception
    {
        final List<String> flags = new ArrayList<>(jvmFlags);
        flags.addAll(moreFlags);
        final Path log = dir.toAbsolutePath().resolve(system.toLowerCase(Locale.ROOT) + "-" + query + "-" + state + ".log");
        final Duration timeout = Duration.ofSeconds(timeoutSeconds);
        final List<String> args = new ArrayList<>(List.of(query, Long.toString(events), Integer.toString(parallelism),
            Integer.toString(rounds), Long.toString(warmupEvents)));
        if (!state.equals("heap"))
        {
            args.add(state);
        }
        try (ChildJvm child = ChildJvm.start(system + " " + query, dir.toAbsolutePath(), flags, classPath, mainClass, args,
            log, MillraceNexmarkMain.RESULT_PREFIX))
        {
            final String line = child.awaitLine(timeout);
            if (!child.awaitExit().thenApply(Process::exitValue).get(60, TimeUnit.SECONDS).equals(0))
            {
                throw new IllegalStateException(system + " " + query + " failed after its result: " + ChildJvm.tail(log));
            }
            final Measured result = parse(line);
            out.printf(Locale.ROOT, "  %-8s %-3s %-7s %,14.0f events/s  %,d results  runs %s ms%n", system, query, state,
                result.eventsPerSecond(), result.results(),
                result.nanos().stream().map(ns -> Long.toString(ns / 1_000_000)).toList());
            return result;
        }
    }

    /** {@code NEXMARK-RESULT q0 events=1000 results=920 ns=1,2,3} */
    static Measured parse(final String line)
    {
        final Map<String, String> fields = new LinkedHashMap<>();
        for (final String part : line.substring(MillraceNexmarkMain.RESULT_PREFIX.length()).trim().split(" "))
        {
            final int eq = part.indexOf('=');
            if (eq > 0)
            {
                fields.put(part.substring(0, eq), part.substring(eq + 1));
            }
        }
        return new Measured(Long.parseLong(fields.get("events")), Long.parseLong(fields.get("results")),
            Arrays.stream(fields.get("ns").split(",")).map(Long::valueOf).toList());
    }

    private static void printTable(final PrintStream out, final Map<String, Map<String, Measured>> measured)
    {
        out.println();
        out.printf(Locale.ROOT, "%-6s %16s %16s %16s %14s %14s%n", "query", "Flink events/s", "Millrace events/s",
            "Millrace/Flink", "Flink results", "Millrace res.");
        final List<String> warnings = new ArrayList<>();
        for (final Map.Entry<String, Map<String, Measured>> entry : measured.entrySet())
        {
            final Measured flink = entry.getValue().get(FLINK);
            final Measured millrace = entry.getValue().get(MILLRACE);
            final String ratio = flink != null && millrace != null
                ? String.format(Locale.ROOT, "%.2fx", millrace.eventsPerSecond() / flink.eventsPerSecond()) : "-";
            out.printf(Locale.ROOT, "%-6s %16s %16s %16s %14s %14s%n", entry.getKey(), rate(flink), rate(millrace),
                ratio, flink == null ? "-" : String.format(Locale.ROOT, "%,d", flink.results()),
                millrace == null ? "-" : String.format(Locale.ROOT, "%,d", millrace.results()));
            if (flink != null && millrace != null && flink.results() != millrace.results())
            {
                warnings.add(String.format(Locale.ROOT, "WARNING %s: result counts differ (Flink %,d, Millrace %,d)",
                    entry.getKey(), flink.results(), millrace.results()));
            }
        }
        warnings.forEach(out::println);
        if (measured.containsKey(Q5_ROCKSDB))
        {
            out.println(Q5_ROCKSDB + ": q5 with Millrace's RocksDB state backend (Flink's RocksDB backend is not on " +
                "flink-lib; Flink 2.3 measured ~78 K events/s on this kind of machine).");
        }
    }

    private static String rate(final Measured measured)
    {
        return measured == null ? "-" : String.format(Locale.ROOT, "%,.0f", measured.eventsPerSecond());
    }

    /** The Flink version, from the flink-core jar's name in the lib directory. */
    private static String flinkVersion(final Path lib)
    {
        try (var files = Files.list(lib))
        {
            return files.map(path -> path.getFileName().toString())
                .filter(name -> name.startsWith("flink-core-") && !name.startsWith("flink-core-api") && name.endsWith(".jar"))
                .map(name -> name.substring("flink-core-".length(), name.length() - ".jar".length()))
                .findFirst().orElse("?");
        }
        catch (final java.io.IOException ex)
        {
            return "? (" + lib + ")";
        }
    }

    /** A directory next to benchmarks.jar (or next to target/classes when run from an IDE). */
    private static Path besideJar(final String name) throws URISyntaxException
    {
        final Path codeSource = Path.of(NexmarkBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return codeSource.getParent().resolve(name);
    }
}
