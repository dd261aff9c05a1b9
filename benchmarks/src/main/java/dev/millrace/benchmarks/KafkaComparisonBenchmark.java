package dev.millrace.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.ToDoubleFunction;

import org.HdrHistogram.Histogram;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./millrace bench kafka}: a real Apache Kafka broker and a Millrace node side by side under the same
 * {@code kafka-clients} load, in one run, printed as one table with the ratios.
 *
 * <p><b>The two systems.</b> Each runs as a child JVM with the same heap and GC flags
 * ({@link BrokerUnderTest#jvmFlags}), on its own directory under {@code --dir}, both started before the first
 * measurement and stopped (SIGTERM by pid, then SIGKILL after a bounded wait) at the end: Kafka in KRaft mode, one
 * combined broker and controller ({@link KafkaBroker}); Millrace, one broker node with its Kafka listener
 * ({@link MillraceNode}). Both stay up through the whole run, so the idle one costs the machine a little while the other
 * is measured. With {@code --nodes} N > 1 each system is a cluster of N processes on loopback ({@link KafkaCluster}:
 * every node broker and KRaft controller; {@link MillraceCluster}: every node a quorum-journal voter), topics get
 * replication factor min(N, 3) and {@code min.insync.replicas} 2 (from 3 nodes), and after the rounds (or instead of
 * them, {@code --failover-only}) {@code --failover-probes} failover runs ({@link FailoverProbe}) per system, each after
 * the first on a freshly started cluster, kill the leader of a fresh partition, on the active controller's node or
 * another ({@code --failover-target}), and report the time to the first acknowledged acks=all send after the kill.
 *
 * <p><b>The load</b> ({@link KafkaLoad}), from this JVM, per round and system: a fresh topic ({@code --partitions}
 * partitions, replication factor 1) filled with {@code --records} records of {@code --record-bytes} bytes by one
 * producer with {@code acks=1}, then another with {@code acks=all} (client defaults otherwise: idempotence off for
 * acks=1, on for acks=all; {@code batch.size} 64 KiB, {@code linger.ms} 5, no compression); then the acks=1 topic read
 * from the start by one consumer; then a latency run: {@code --latency-rate} records a second for
 * {@code --latency-seconds} with {@code linger.ms} 0 and acks=all, reporting send→ack and send→consume.
 *
 * <p><b>Fairness on a shared machine.</b> Warm-up rounds (smaller) run first on both systems and are not reported.
 * Within a round each phase runs on one system and then on the other before the next phase starts, and the order
 * alternates by round (Kafka first in odd rounds, Millrace first in even ones), so that drift and outside load hit both.
 * Throughput figures are medians over rounds, and the ratios are medians of the per-round ratios (the two runs of a
 * ratio ran back to back); latency percentiles come from the histograms of all measured rounds merged.
 */
@Command(
    name = "kafka",
    mixinStandardHelpOptions = true,
    description = "A real Apache Kafka broker vs a Millrace node under the same kafka-clients load, in one run.")
public final class KafkaComparisonBenchmark implements Callable<Integer>
{
    @Option(names = "--records", description = "Records per produce run (default: ${DEFAULT-VALUE}).")
    long records = 5_000_000;

    @Option(names = "--record-bytes", description = "Value bytes per record, no key (default: ${DEFAULT-VALUE}).")
    int recordBytes = 100;

    @Option(names = "--partitions", description = "Partitions of each topic (default: ${DEFAULT-VALUE}).")
    int partitions = 6;

    @Option(names = "--nodes", description = "Nodes of each system (default: ${DEFAULT-VALUE}). With more than one, " +
        "topics get replication factor min(nodes, 3) and min.insync.replicas 2 (from 3 nodes), and a failover run " +
        "follows the rounds.")
    int nodes = 1;

    @Option(names = "--failover-timeout", description = "Seconds the failover run waits for the first acknowledged " +
        "send after the leader's SIGKILL (default: ${DEFAULT-VALUE}).")
    int failoverTimeoutSeconds = 60;

    @Option(names = "--failover-probes", description = "Failover runs per system (default: ${DEFAULT-VALUE}); each on a " +
        "freshly started cluster.")
    int failoverProbes = 2;

    @Option(names = "--failover-target", description = "Whose leader a failover run kills: controller (a leader on the " +
        "node of the active controller), other (a leader elsewhere), both (alternately, starting with controller) or any " +
        "(default: ${DEFAULT-VALUE}).")
    String failoverTarget = "both";

    @Option(names = "--failover-only", description = "Skip the throughput and latency rounds: start the clusters and " +
        "run the failover probes only.")
    boolean failoverOnly;

    @Option(names = "--failover-client-defaults", description = "Failover producer with kafka-clients' default " +
        "backoffs instead of the probe's (FailoverProbe.CLIENT_SETTINGS).")
    boolean failoverClientDefaults;

    @Option(names = "--failover-logs", description = "Keep every node's log of each failover run (Millrace at INFO, " +
        "Kafka's controller at INFO) in this directory, for the timeline.")
    Path failoverLogs;

    @Option(names = "--rounds", description = "Measured rounds; medians are shown (default: ${DEFAULT-VALUE}).")
    int rounds = 3;

    // Two: after one warm-up round of 1 M records a node's consume rate still rose round over round (1.4, 3.2, 4.6 M
    // records/s in three measured rounds), i.e. the measured rounds were partly JIT warm-up.
    @Option(names = "--warmup-rounds", description = "Unreported rounds first, for the JITs (default: ${DEFAULT-VALUE}).")
    int warmupRounds = 2;

    @Option(names = "--warmup-records", description = "Records per produce run in a warm-up round (default: ${DEFAULT-VALUE}).")
    long warmupRecords = 1_000_000;

    @Option(names = "--latency-rate", description = "Records per second of the latency run (default: ${DEFAULT-VALUE}).")
    int latencyRate = 10_000;

    @Option(names = "--latency-seconds", description = "Length of each measured latency run (default: ${DEFAULT-VALUE}).")
    int latencySeconds = 20;

    @Option(names = "--warmup-latency-seconds", description = "Length of a warm-up latency run (default: ${DEFAULT-VALUE}).")
    int warmupLatencySeconds = 5;

    @Option(names = "--heap", description = "Heap of each broker JVM, -Xms and -Xmx (default: ${DEFAULT-VALUE}).")
    String heap = "1g";

    @Option(names = "--jvm-flag", description = "An extra flag for both broker JVMs, repeatable; e.g. to profile one " +
        "with --only: --jvm-flag=-XX:StartFlightRecording=filename=/tmp/node.jfr")
    List<String> extraJvmFlags = new ArrayList<>();

    @Option(names = "--only", description = "Run one system only, for debugging: millrace or kafka.")
    String only;

    @Option(names = "--dir", description = "Directory for both brokers' data (default: ${DEFAULT-VALUE}); removed afterwards.")
    Path dir = Path.of("data", "bench-kafka");

    @Option(names = "--kafka-lib", description = "The Kafka broker's jars (default: kafka-broker-lib next to benchmarks.jar).")
    Path kafkaLib;

    @Option(names = "--start-timeout", description = "Seconds each broker may take to start (default: ${DEFAULT-VALUE}).")
    int startTimeoutSeconds = 120;

    @Option(names = "--phase-timeout", description = "Seconds any one produce, consume or latency run may take (default: ${DEFAULT-VALUE}).")
    int phaseTimeoutSeconds = 600;

    /** The measured steps of a round, in order. */
    private enum Phase
    {
        PRODUCE_ACKS_1("produce acks=1"),
        PRODUCE_ACKS_ALL("produce acks=all"),
        CONSUME("consume"),
        LATENCY("latency run");

        final String label;

        Phase(final String label)
        {
            this.label = label;
        }
    }

    /** Starts a system under test (again, for every failover run after the first). */
    @FunctionalInterface
    private interface Starter
    {
        SystemUnderTest start() throws IOException, InterruptedException;
    }

    /** One system under test and everything measured on it. */
    private static final class Side
    {
        final Starter starter;
        SystemUnderTest broker;
        final KafkaLoad load;
        final Map<Phase, List<Double>> elapsedNs = new EnumMap<>(Phase.class);
        final Map<Phase, List<Double>> brokerCpuNs = new EnumMap<>(Phase.class);
        final Map<Phase, List<Double>> clientCpuNs = new EnumMap<>(Phase.class);
        final Histogram sendToAckNs = new Histogram(3);
        final Histogram sendToConsumeNs = new Histogram(3);
        long maxScheduleLagNs;

        final List<FailoverProbe.Failover> failovers = new ArrayList<>();

        Side(final Starter starter, final SystemUnderTest broker, final KafkaLoad load)
        {
            this.starter = starter;
            this.broker = broker;
            this.load = load;
            for (final Phase phase : Phase.values())
            {
                elapsedNs.put(phase, new ArrayList<>());
                brokerCpuNs.put(phase, new ArrayList<>());
                clientCpuNs.put(phase, new ArrayList<>());
            }
        }

        String name()
        {
            return broker.name();
        }
    }

    @Override
    public Integer call() throws Exception
    {
        if (records < 1 || warmupRecords < 1 || partitions < 1 || rounds < 1 || warmupRounds < 0 || latencyRate < 1 ||
            latencySeconds < 1 || warmupLatencySeconds < 1 || startTimeoutSeconds < 1 || phaseTimeoutSeconds < 1 ||
            nodes < 1 || failoverTimeoutSeconds < 1 || failoverProbes < 1)
        {
            System.err.println("--records, --warmup-records, --partitions, --nodes, --rounds, --latency-rate, " +
                "--latency-seconds, --warmup-latency-seconds and the timeouts must be positive, --warmup-rounds >= 0");
            return 2;
        }
        if (recordBytes < 16)
        {
            System.err.println("--record-bytes must be at least 16 (the latency run's stamp)");
            return 2;
        }
        if (!List.of("both", "controller", "other", "any").contains(failoverTarget))
        {
            System.err.println("--failover-target must be both, controller, other or any");
            return 2;
        }
        if (failoverOnly && nodes < 2)
        {
            System.err.println("--failover-only needs --nodes 2 or more");
            return 2;
        }
        if (only != null && !only.equals("kafka") && !only.equals("millrace"))
        {
            System.err.println("--only must be kafka or millrace");
            return 2;
        }
        quietClientLogging();
        final boolean runKafka = only == null || only.equals("kafka");
        final boolean runMillrace = only == null || only.equals("millrace");
        final Path root = dir.toAbsolutePath();
        final Path lib = kafkaLib != null ? kafkaLib : defaultKafkaLib();
        final List<String> jvmFlags = new ArrayList<>(BrokerUnderTest.jvmFlags(heap));
        jvmFlags.addAll(extraJvmFlags);
        final Duration startTimeout = Duration.ofSeconds(startTimeoutSeconds);
        final Duration phaseTimeout = Duration.ofSeconds(phaseTimeoutSeconds);
        final PrintStream out = System.out;
        final short replicationFactor = (short)Math.min(nodes, 3);
        final int minInsync = nodes >= 3 ? 2 : 1;
        out.printf(Locale.ROOT, "Kafka %s vs Millrace, %d node(s) each: %,d records of %d bytes, %d partitions, RF %d, " +
            "min.insync.replicas %d; latency %,d records/s for %d s; median of %d rounds after %d warm-up; heap %s; " +
            "dir %s%n", KafkaBroker.kafkaVersion(), nodes, records, recordBytes, partitions, replicationFactor, minInsync,
            latencyRate, latencySeconds, rounds, warmupRounds, heap, dir.toAbsolutePath());
        final Map<String, String> topicConfigs = Map.of("min.insync.replicas", Integer.toString(minInsync));

        // Remove on exit the topmost directory this run creates (e.g. data/ itself on a fresh checkout), else dir.
        Path created = dir.toAbsolutePath();
        while (created.getParent() != null && !Files.exists(created.getParent()))
        {
            created = created.getParent();
        }
        Files.createDirectories(dir);
        final List<Side> sides = new ArrayList<>();
        try
        {
            final boolean verboseLogs = failoverLogs != null;
            if (runKafka)
            {
                final Starter starter = () -> nodes == 1 ?
                    KafkaBroker.start(root.resolve("kafka"), lib, jvmFlags, startTimeout) :
                    KafkaCluster.start(root.resolve("kafka"), lib, nodes, jvmFlags, verboseLogs, startTimeout);
                final SystemUnderTest kafka = starter.start();
                sides.add(new Side(starter, kafka,
                    new KafkaLoad(kafka.bootstrapServers(), recordBytes, phaseTimeout, replicationFactor, topicConfigs)));
                out.printf("  %s up: %s%n", kafka.name(), kafka.describe());
            }
            if (runMillrace)
            {
                final Starter starter = () -> nodes == 1 ?
                    MillraceNode.start(root.resolve("millrace"), Path.of(System.getProperty("java.class.path")), jvmFlags,
                        startTimeout) :
                    MillraceCluster.start(nodes, jvmFlags, verboseLogs, startTimeout);
                final SystemUnderTest node = starter.start();
                sides.add(new Side(starter, node,
                    new KafkaLoad(node.bootstrapServers(), recordBytes, phaseTimeout, replicationFactor, topicConfigs)));
                out.printf("  %s up: %s%n", node.name(), node.describe());
            }
            if (!failoverOnly)
            {
                for (int round = -warmupRounds; round < rounds; round++)
                {
                    runRound(out, sides, round);
                }
            }
            if (nodes > 1)
            {
                for (int probe = 0; probe < failoverProbes; probe++)
                {
                    for (final Side side : sides)
                    {
                        runFailover(out, side, probe, replicationFactor, minInsync);
                    }
                }
            }
        }
        finally
        {
            for (final Side side : sides)
            {
                try
                {
                    side.broker.close();
                }
                catch (final IOException ex)
                {
                    // Still stop the other broker; the directory removal below retries the files.
                    System.err.println(side.name() + ": " + ex);
                }
            }
            BenchFiles.deleteRecursively(created);
        }
        printTable(out, sides);
        return 0;
    }

    /**
     * One failover run on {@code side}: on a freshly started system for every run after the first (the previous one
     * killed a node), the leader chosen by {@code --failover-target}; the nodes' logs kept if asked.
     */
    private void runFailover(
        final PrintStream out, final Side side, final int probe, final short replicationFactor, final int minInsync)
        throws Exception
    {
        if (probe > 0)
        {
            side.broker.close();
            side.broker = side.starter.start();
            out.printf("  %s restarted: %s%n", side.name(), side.broker.describe());
        }
        final FailoverProbe.Target target = switch (failoverTarget)
        {
            case "controller" -> FailoverProbe.Target.CONTROLLER;
            case "other" -> FailoverProbe.Target.OTHER;
            case "any" -> FailoverProbe.Target.ANY;
            default -> probe % 2 == 0 ? FailoverProbe.Target.CONTROLLER : FailoverProbe.Target.OTHER;
        };
        final FailoverProbe.Failover failover = FailoverProbe.measure(side.broker, "bench-failover-" + probe, target,
            replicationFactor, minInsync, failoverClientDefaults, Duration.ofSeconds(failoverTimeoutSeconds));
        side.failovers.add(failover);
        out.printf(Locale.ROOT, "  %s failover %d: SIGKILL of node %d (%s) at %s UTC → %s%n", side.name(), probe + 1,
            failover.killedNode(), failover.controllerKilled() ? "the controller's node" : "not the controller's node",
            FailoverProbe.timeOfDay(failover.killedAt()), failover.measured() ?
                String.format(Locale.ROOT, "first acknowledged acks=all send after %.0f ms", failover.killToFirstAckNs() / 1e6) :
                failover.failure());
        if (failover.timeline() != null)
        {
            out.printf("      %s%n", failover.timeline().describe());
        }
        if (failoverLogs != null)
        {
            final Path logs = failoverLogs.resolve(side.name().toLowerCase(Locale.ROOT) + "-failover-" + (probe + 1));
            side.broker.copyLogs(logs);
            out.printf("      logs in %s%n", logs.toAbsolutePath());
        }
    }

    /** One round (negative: warm-up): every phase on each side in turn, then its topics are deleted. */
    private void runRound(final PrintStream out, final List<Side> sides, final int round) throws Exception
    {
        final boolean warmup = round < 0;
        final long count = warmup ? Math.min(warmupRecords, records) : records;
        final int seconds = warmup ? Math.min(warmupLatencySeconds, latencySeconds) : latencySeconds;
        final String label = warmup ? "warm-up " + (round + warmupRounds + 1) : "round " + (round + 1);
        final String prefix = "bench-" + (warmup ? "w" + (round + warmupRounds) : "r" + round);
        final String acks1Topic = prefix + "-acks1";
        final String acksAllTopic = prefix + "-acksall";
        final String latencyTopic = prefix + "-latency";
        final List<Side> order = new ArrayList<>(sides);
        if (Math.floorMod(round, 2) == 1)
        {
            Collections.reverse(order);
        }
        for (final Side side : order)
        {
            side.load.createTopic(acks1Topic, partitions);
            side.load.createTopic(acksAllTopic, partitions);
            side.load.createTopic(latencyTopic, partitions);
        }
        for (final Phase phase : Phase.values())
        {
            for (final Side side : order)
            {
                final long brokerCpuStart = side.broker.cpuNanos();
                final long clientCpuStart = clientCpuNanos();
                final String result;
                final double elapsedNs;
                switch (phase)
                {
                    case PRODUCE_ACKS_1, PRODUCE_ACKS_ALL ->
                    {
                        final KafkaLoad.Throughput produced = phase == Phase.PRODUCE_ACKS_1 ?
                            side.load.produce(acks1Topic, count, "1") : side.load.produce(acksAllTopic, count, "all");
                        elapsedNs = produced.elapsedNs();
                        result = String.format(Locale.ROOT, "%,.0f rec/s, %.0f MB/s", produced.recordsPerSecond(),
                            produced.megabytesPerSecond());
                    }
                    case CONSUME ->
                    {
                        final KafkaLoad.Consumed consumed = side.load.consume(acks1Topic, count);
                        elapsedNs = consumed.throughput().elapsedNs();
                        result = String.format(Locale.ROOT, "%,.0f rec/s, %.0f MB/s, 99 %% of the records after %.2f " +
                            "of %.2f s", consumed.throughput().recordsPerSecond(), consumed.throughput().megabytesPerSecond(),
                            consumed.ninetyNinePercentNs() / 1e9, elapsedNs / 1e9);
                    }
                    default ->
                    {
                        final long start = System.nanoTime();
                        final KafkaLoad.Latency latency = side.load.latency(latencyTopic, latencyRate, seconds);
                        elapsedNs = System.nanoTime() - start;
                        if (!warmup)
                        {
                            side.sendToAckNs.add(latency.sendToAckNs());
                            side.sendToConsumeNs.add(latency.sendToConsumeNs());
                            side.maxScheduleLagNs = Math.max(side.maxScheduleLagNs, latency.maxScheduleLagNs());
                        }
                        result = String.format(Locale.ROOT, "send→ack p50/p99/p99.9 %s µs, send→consume %s µs",
                            percentiles(latency.sendToAckNs()), percentiles(latency.sendToConsumeNs()));
                    }
                }
                final long brokerCpu = side.broker.cpuNanos() - brokerCpuStart;
                final long clientCpu = clientCpuNanos() - clientCpuStart;
                if (!warmup)
                {
                    side.elapsedNs.get(phase).add(elapsedNs);
                    side.brokerCpuNs.get(phase).add((double)brokerCpu);
                    side.clientCpuNs.get(phase).add((double)clientCpu);
                }
                out.printf(Locale.ROOT, "  %s %-8s %-16s %s (CPU s: broker %.1f, client %.1f)%n", label, side.name(),
                    phase.label, result, brokerCpu / 1e9, clientCpu / 1e9);
            }
        }
        for (final Side side : order)
        {
            try
            {
                side.load.deleteTopics(List.of(acks1Topic, acksAllTopic, latencyTopic));
            }
            catch (final Exception ex)
            {
                // The data is removed with the directory at the end anyway; only disk space is at stake meanwhile.
                out.printf("  %s: deleting the topics of %s failed: %s%n", side.name(), label, ex);
            }
        }
    }

    private void printTable(final PrintStream out, final List<Side> sides)
    {
        final Side kafka = sides.stream().filter(s -> s.name().equals(KafkaBroker.NAME)).findFirst().orElse(null);
        final Side millrace = sides.stream().filter(s -> s.name().equals(MillraceNode.NAME)).findFirst().orElse(null);
        out.println();
        out.printf(Locale.ROOT, "%-30s %12s %12s %8s%n", "", KafkaBroker.NAME, MillraceNode.NAME, "ratio");
        if (failoverOnly)
        {
            latencyRow(out, "failover, controller's node ms", kafka, millrace, s -> failoverMs(s, true));
            latencyRow(out, "failover, other node    ms", kafka, millrace, s -> failoverMs(s, false));
            out.println("failover: median SIGKILL→first acknowledged acks=all send over the runs of each kind; " +
                "ratio Kafka/Millrace.");
            return;
        }
        throughputRow(out, "produce acks=1    records/s", kafka, millrace, Phase.PRODUCE_ACKS_1, records);
        throughputRow(out, "produce acks=all  records/s", kafka, millrace, Phase.PRODUCE_ACKS_ALL, records);
        throughputRow(out, "consume           records/s", kafka, millrace, Phase.CONSUME, records);
        throughputRow(out, "consume           MB/s", kafka, millrace, Phase.CONSUME, records * recordBytes / 1e6);
        for (final double percentile : new double[]{ 50.0, 99.0, 99.9 })
        {
            latencyRow(out, String.format(Locale.ROOT, "send→ack      p%-5s µs", trim(percentile)),
                kafka, millrace, s -> s.sendToAckNs.getValueAtPercentile(percentile) / 1e3);
        }
        for (final double percentile : new double[]{ 50.0, 99.0, 99.9 })
        {
            latencyRow(out, String.format(Locale.ROOT, "send→consume  p%-5s µs", trim(percentile)),
                kafka, millrace, s -> s.sendToConsumeNs.getValueAtPercentile(percentile) / 1e3);
        }
        if (nodes > 1)
        {
            latencyRow(out, "failover, controller's node ms", kafka, millrace, s -> failoverMs(s, true));
            latencyRow(out, "failover, other node    ms", kafka, millrace, s -> failoverMs(s, false));
        }
        out.println("ratio: throughput Millrace/Kafka, latency Kafka/Millrace — above 1 means Millrace is better.");
        out.println("Throughput: median over rounds; its ratio: median of the per-round ratios (runs back to back).");
        out.printf(Locale.ROOT, "Latency: %,d records/s, linger.ms 0, acks=all; histograms of all rounds merged " +
            "(%,d samples per system); the paced sender fell behind its schedule by at most %s.%n",
            latencyRate, (long)latencyRate * latencySeconds * rounds, lagSummary(kafka, millrace));

        out.println();
        out.printf(Locale.ROOT, "%-30s %12s %12s %12s %12s%n", "process CPU s (median)", "Kafka", "Millrace",
            "client→Kafka", "client→Millr.");
        for (final Phase phase : Phase.values())
        {
            out.printf(Locale.ROOT, "%-30s %12s %12s %12s %12s%n", phase.label,
                cpu(kafka, s -> median(s.brokerCpuNs.get(phase))), cpu(millrace, s -> median(s.brokerCpuNs.get(phase))),
                cpu(kafka, s -> median(s.clientCpuNs.get(phase))), cpu(millrace, s -> median(s.clientCpuNs.get(phase))));
        }
        out.println("broker = the broker JVM's user+system CPU during the phase; client = this JVM's (producer/consumer).");
    }

    private static void throughputRow(
        final PrintStream out, final String label, final Side kafka, final Side millrace, final Phase phase,
        final double units)
    {
        final String ratio;
        if (kafka != null && millrace != null)
        {
            final List<Double> k = kafka.elapsedNs.get(phase);
            final List<Double> m = millrace.elapsedNs.get(phase);
            final double[] ratios = new double[k.size()];
            for (int i = 0; i < ratios.length; i++)
            {
                ratios[i] = k.get(i) / m.get(i);
            }
            ratio = ratio(Percentiles.median(ratios));
        }
        else
        {
            ratio = "-";
        }
        out.printf(Locale.ROOT, "%-30s %12s %12s %8s%n", label,
            format(kafka, s -> units / (median(s.elapsedNs.get(phase)) / 1e9), "%,.0f"),
            format(millrace, s -> units / (median(s.elapsedNs.get(phase)) / 1e9), "%,.0f"), ratio);
    }

    private static void latencyRow(
        final PrintStream out, final String label, final Side kafka, final Side millrace, final ToDoubleFunction<Side> micros)
    {
        final String ratio = kafka != null && millrace != null ?
            ratio(micros.applyAsDouble(kafka) / micros.applyAsDouble(millrace)) : "-";
        out.printf(Locale.ROOT, "%-30s %12s %12s %8s%n", label,
            format(kafka, micros, "%,.0f"), format(millrace, micros, "%,.0f"), ratio);
    }

    /** Median SIGKILL→first ack over the measured failover runs that killed (or not) the controller's node. */
    private static double failoverMs(final Side side, final boolean controllerKilled)
    {
        final double[] ms = side.failovers.stream().filter(f -> f.measured() && f.controllerKilled() == controllerKilled)
            .mapToDouble(f -> f.killToFirstAckNs() / 1e6).toArray();
        return ms.length == 0 ? Double.NaN : Percentiles.median(ms);
    }

    /** Two decimals, or four below 0.1 so that a small ratio does not print as 0.00. */
    private static String ratio(final double value)
    {
        return String.format(Locale.ROOT, value >= 0.1 ? "%.2f" : "%.4f", value);
    }

    private static String format(final Side side, final ToDoubleFunction<Side> value, final String pattern)
    {
        return side == null ? "-" : String.format(Locale.ROOT, pattern, value.applyAsDouble(side));
    }

    private static String cpu(final Side side, final ToDoubleFunction<Side> nanos)
    {
        return side == null ? "-" : String.format(Locale.ROOT, "%.1f", nanos.applyAsDouble(side) / 1e9);
    }

    private static String lagSummary(final Side kafka, final Side millrace)
    {
        final StringBuilder summary = new StringBuilder();
        for (final Side side : new Side[]{ kafka, millrace })
        {
            if (side != null)
            {
                summary.append(summary.length() == 0 ? "" : ", ")
                    .append(String.format(Locale.ROOT, "%.1f ms (%s)", side.maxScheduleLagNs / 1e6, side.name()));
            }
        }
        return summary.toString();
    }

    private static String percentiles(final Histogram ns)
    {
        return String.format(Locale.ROOT, "%.0f/%.0f/%.0f", ns.getValueAtPercentile(50.0) / 1e3,
            ns.getValueAtPercentile(99.0) / 1e3, ns.getValueAtPercentile(99.9) / 1e3);
    }

    private static String trim(final double percentile)
    {
        return percentile == Math.rint(percentile) ? Integer.toString((int)percentile) : Double.toString(percentile);
    }

    private static double median(final List<Double> values)
    {
        return Percentiles.median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** CPU time of this JVM (the producers and consumers, JIT and GC included) so far, in nanoseconds. */
    private static long clientCpuNanos()
    {
        return ((com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** kafka-broker-lib next to benchmarks.jar (or next to target/classes when run from an IDE). */
    private static Path defaultKafkaLib() throws URISyntaxException
    {
        final Path codeSource = Path.of(
            KafkaComparisonBenchmark.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        return codeSource.getParent().resolve("kafka-broker-lib");
    }

    /**
     * kafka-clients logs every client's configuration at INFO, and its network client warns about every refused
     * connection while a broker starts (the readiness check retries those by design); the benchmark prints its own lines.
     */
    private static void quietClientLogging()
    {
        for (final String name : new String[]{ "org.apache.kafka", "dev.millrace", "org.apache.pekko" })
        {
            setLevel(name, ch.qos.logback.classic.Level.WARN);
        }
        setLevel("org.apache.kafka.clients.NetworkClient", ch.qos.logback.classic.Level.ERROR);
        // The failover run retries through the killed leader by design; the client warns about every retried batch.
        setLevel("org.apache.kafka.clients.producer.internals.Sender", ch.qos.logback.classic.Level.ERROR);
    }

    private static void setLevel(final String loggerName, final ch.qos.logback.classic.Level level)
    {
        if (LoggerFactory.getLogger(loggerName) instanceof ch.qos.logback.classic.Logger logger)
        {
            logger.setLevel(level);
        }
    }
}
