package dev.millrace.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.ToDoubleFunction;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.millrace.broker.log.FileRegion;
import dev.millrace.broker.log.Log;
import dev.millrace.broker.log.LogConfig;
import dev.millrace.broker.partition.PartitionProtocol;
import dev.millrace.broker.partition.PartitionProtocol.Appended;
import dev.millrace.broker.partition.PartitionProtocol.Fetch;
import dev.millrace.broker.partition.PartitionProtocol.FetchLocal;
import dev.millrace.broker.partition.PartitionProtocol.FetchLocalReply;
import dev.millrace.broker.partition.PartitionProtocol.FetchReply;
import dev.millrace.broker.partition.PartitionProtocol.Fetched;
import dev.millrace.broker.partition.PartitionProtocol.GetStatus;
import dev.millrace.broker.partition.PartitionProtocol.FetchedRegion;
import dev.millrace.broker.partition.PartitionProtocol.Produce;
import dev.millrace.broker.partition.PartitionProtocol.ProduceReply;
import dev.millrace.broker.partition.PartitionProtocol.Rejected;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import dev.millrace.broker.partition.PartitionReplica;
import dev.millrace.broker.partition.PartitionReplicaSettings;
import dev.millrace.serialization.batch.RecordBatchFlyweight;
import org.HdrHistogram.Histogram;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.ReceiveBuilder;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./millrace bench broker}: produce and fetch through the partition actors' API on one node beside the storage
 * engine's raw append/read rate of the same bytes, measured in one run, alternating the two sides, printed as a table of
 * medians with the ratios to raw. The question it answers: is the actor layer the bottleneck?
 *
 * <p><b>Actor side.</b> One local {@link ActorSystem} (no remoting, {@code serialize-messages} off: messages are passed
 * by reference) with {@code partitions} {@link PartitionReplica} actors, each with its own log directory. Per partition
 * one producer driver actor keeps {@code window} {@link Produce} requests ({@code acks = 1}) in flight, each carrying the
 * same {@code byte[]} batch (the replica copies it before assigning offsets, so reuse is safe), checks every
 * {@link Appended} base offset and records the latency from send to reply. Then per partition one fetch driver reads
 * everything back sequentially with {@link FetchLocal} ({@code maxBytes} = {@code --fetch-bytes}, {@code minBytes} 1,
 * {@code maxWaitMs} 0), reading each {@link FetchedRegion} into its own reused direct buffer, as the Kafka listener on
 * the node would (or it would {@code transferTo} a socket), walking the batch headers to find the next offset and
 * checking the bytes and the final offset. In the same run and system, the same data is also read back with the
 * {@code byte[]} {@link Fetch} that remote callers use (row {@code actor[]}: its append columns are the same produce;
 * the two reads alternate order by run). The replicas run on their own dispatcher ({@code millrace.broker.partition.dispatcher}), as on a node; the drivers on the default one.
 * Drivers are spawned and set up before their phase's clock starts and begin on a {@link Go} message, as the raw
 * side's threads are created before its clock and released by a latch.
 *
 * <p><b>Reads.</b> With {@code --read-passes N} every read measurement, on every side alike, reads all the data N
 * times from offset 0 (a read phase at page-cache speed lasts only tens of milliseconds). Each run also reports when
 * the last partition's reader started and when the first and the last finished, and the JIT compilation time that
 * ended during the read.
 *
 * <p><b>Raw side (the reference).</b> What the replicas do without actors: {@code partitions} single-writer logs, one
 * platform thread per log, each {@link Log#append} of its own direct-buffer copy of the batch (append rewrites the base
 * offset in place), then {@link Log#read} plus {@link FileRegion#readInto} into a reused direct buffer, same
 * {@code --fetch-bytes} per read. Its latency column is the duration of one {@code Log.append} call (no queueing).
 *
 * <p><b>Raw + copy side (diagnostic).</b> The raw side plus the copies that the {@code byte[]} protocol forces on a
 * replica, without actors: each append first copies the payload array into a reused heap buffer (and the file write
 * from a heap buffer goes through the JDK's temporary direct buffer), each read goes into a new {@code byte[]}. The
 * ratio actor / raw+copy is then the cost of the actors themselves (mailboxes, dispatcher, reply messages); raw+copy /
 * raw is the cost of the protocol's arrays.
 *
 * <p>Both sides write to the page cache (default flush policy, no fsync), so the actor layer's own costs — the
 * message hop, the copy of each produce payload into the replica's buffer, the fetch reply's fresh {@code byte[]} — show
 * as directly as they can.
 */
@Command(
    name = "broker",
    mixinStandardHelpOptions = true,
    description = "Produce/fetch through the partition actors vs raw Log append/read of the same bytes, in one run.")
public final class BrokerBenchmark implements Callable<Integer>
{
    private static final int MIB = 1024 * 1024;
    private static final String TOPIC = "bench";
    private static final long TIMEOUT_SECONDS = 600;

    @Option(names = "--dir", description = "Directory for the logs (default: ${DEFAULT-VALUE}); removed afterwards.")
    Path dir = Path.of("data", "bench-broker");

    @Option(names = "--total-mib", description = "MiB produced per measurement, over all partitions (default: ${DEFAULT-VALUE}).")
    int totalMib = 256;

    @Option(names = "--runs", description = "Measurements per side; the median is shown (default: ${DEFAULT-VALUE}).")
    int runs = 3;

    @Option(names = "--warmup-runs", description = "Unreported runs of both sides first, for the JIT (default: ${DEFAULT-VALUE}).")
    int warmupRuns = 2;

    @Option(names = "--partitions", description = "Partitions, i.e. replica actors and raw logs (default: ${DEFAULT-VALUE}).")
    int partitions = 6;

    @Option(names = "--batch-bytes", description = "Bytes per record batch, one batch per produce (default: ${DEFAULT-VALUE}).")
    int batchBytes = 64 * 1024;

    @Option(names = "--record-bytes", description = "Value bytes per record (default: ${DEFAULT-VALUE}).")
    int recordBytes = 100;

    @Option(names = "--window", description = "Produce requests in flight per partition (default: ${DEFAULT-VALUE}).")
    int window = 16;

    @Option(names = "--fetch-window", description = "Fetches in flight per partition on the actor side; 1 = each " +
        "from where the last ended, as a consumer does (default: ${DEFAULT-VALUE}).")
    int fetchWindow = 1;

    @Option(names = "--fetch-bytes", description = "maxBytes of each fetch / raw read (default: ${DEFAULT-VALUE}).")
    int fetchBytes = MIB;

    @Option(names = "--read-passes", description = "Times each read measurement reads all the data, on every side " +
        "alike (each pass from offset 0 to the end; read MB/s and CPU per MB count every pass); more than 1 lengthens a " +
        "read phase that lasts only tens of milliseconds at page-cache speed (default: ${DEFAULT-VALUE}).")
    int readPasses = 1;

    @Option(names = "--only", description = "For profiling: run only this side (actor or raw), print its runs' " +
        "throughput and CPU per MB, no table and no ratios; the actor side reads with FetchLocal only (no byte[] Fetch " +
        "pass).")
    String only;

    /** One measurement of one side. */
    private record Result(
        double appendNs, double readNs, Histogram latencyNs, double gcMs, double appendCpuNs, double readCpuNs,
        PartitionTimes readTimes, double readJitMs)
    {
        /** E.g. "raw started 0.3, done 52.1-60.4, JIT 3": the read's partition times and compiler time in ms. */
        String readDetail(final String side)
        {
            return String.format(Locale.ROOT, "%s, JIT %.0f", readTimes.describe(side), readJitMs);
        }
    }

    /**
     * When each partition's reader started its first read and ended its last, in nanoseconds after the side's read
     * clock started: shows what the wall time "until the last partition ends" is made of (a late start, a straggler).
     */
    record PartitionTimes(long[] startedNs, long[] doneNs)
    {
        long lastStartedNs()
        {
            return Arrays.stream(startedNs).max().orElse(0);
        }

        long firstDoneNs()
        {
            return Arrays.stream(doneNs).min().orElse(0);
        }

        long lastDoneNs()
        {
            return Arrays.stream(doneNs).max().orElse(0);
        }

        /** E.g. "raw started 0.3, done 52.1-60.4": the last start, the first and the last end, in milliseconds. */
        String describe(final String side)
        {
            return String.format(Locale.ROOT, "%s started %.1f, done %.1f-%.1f", side, lastStartedNs() / 1e6,
                firstDoneNs() / 1e6, lastDoneNs() / 1e6);
        }
    }

    /** CPU time of the whole process (every thread, JIT and GC included) so far, in nanoseconds. */
    private static long processCpuNs()
    {
        return ((com.sun.management.OperatingSystemMXBean)ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** Milliseconds all collectors have spent so far (pauses and, for concurrent collectors, cycles). */
    /**
     * Milliseconds the JIT compilers have spent so far: compiler threads run on the same cores as the measured work,
     * so a read phase of tens of milliseconds during which C2 still compiles the path is slowed by it.
     */
    private static long jitMs()
    {
        return ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
    }

    private static long gcMs()
    {
        long total = 0;
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            total += Math.max(0, gc.getCollectionTime());
        }
        return total;
    }

    @Override
    public Integer call() throws Exception
    {
        if (warmupRuns < 0)
        {
            System.err.println("--warmup-runs must be >= 0");
            return 2;
        }
        if (totalMib < 1 || runs < 1 || partitions < 1 || batchBytes < 1 || recordBytes < 1 || window < 1 ||
            fetchBytes < 1 || fetchWindow < 1 || readPasses < 1)
        {
            System.err.println("--total-mib, --runs, --partitions, --batch-bytes, --record-bytes, --window, " +
                "--fetch-bytes, --fetch-window and --read-passes must be positive");
            return 2;
        }
        quietReplicaLogging();
        final BenchBatches.Batch batch = BenchBatches.build(batchBytes, recordBytes, batchBytes);
        final int batchesPerPartition = Math.max(1, (int)((long)totalMib * MIB / batch.sizeInBytes() / partitions));
        final long bytes = (long)batchesPerPartition * partitions * batch.sizeInBytes();
        final long records = (long)batchesPerPartition * partitions * batch.recordCount();
        final long readBytes = bytes * readPasses;

        final PrintStream out = System.out;
        out.printf(Locale.ROOT, "Broker benchmark: %d partitions, %d-byte batches of %d %d-byte records, %d batches per " +
            "partition (%.1f MB), produce window %d, fetch %d bytes window %d, read %d pass(es), median of %d runs after %d " +
            "warm-up, dir %s%n",
            partitions, batch.sizeInBytes(), batch.recordCount(), recordBytes, batchesPerPartition, bytes / 1e6, window,
            fetchBytes, fetchWindow, readPasses, runs, warmupRuns, dir.toAbsolutePath());

        final Result[] actor = new Result[runs];
        final Result[] actorArrays = new Result[runs];
        final Result[] raw = new Result[runs];
        final Result[] copying = new Result[runs];
        // Remove on exit the topmost directory this run creates (e.g. data/ itself on a fresh checkout), else dir.
        Path created = dir.toAbsolutePath();
        while (created.getParent() != null && !Files.exists(created.getParent()))
        {
            created = created.getParent();
        }
        Files.createDirectories(dir);
        if (only != null)
        {
            try
            {
                return onlyOneSide(out, batch, batchesPerPartition, bytes, readBytes);
            }
            finally
            {
                BenchFiles.deleteRecursively(created);
            }
        }
        try
        {
            for (int run = 0; run < warmupRuns; run++)
            {
                rawRun(batch, batchesPerPartition, runs + run, false);
                rawRun(batch, batchesPerPartition, runs + run, true);
                actorRun(batch, batchesPerPartition, runs + run, true);
            }
            for (int run = 0; run < runs; run++)
            {
                // Alternate the order so that drift on a shared machine does not favour one side.
                if (run % 2 == 0)
                {
                    raw[run] = rawRun(batch, batchesPerPartition, run, false);
                    copying[run] = rawRun(batch, batchesPerPartition, run, true);
                    final Result[] both = actorRun(batch, batchesPerPartition, run, true);
                    actor[run] = both[0];
                    actorArrays[run] = both[1];
                }
                else
                {
                    final Result[] both = actorRun(batch, batchesPerPartition, run, true);
                    actor[run] = both[0];
                    actorArrays[run] = both[1];
                    copying[run] = rawRun(batch, batchesPerPartition, run, true);
                    raw[run] = rawRun(batch, batchesPerPartition, run, false);
                }
                out.printf(Locale.ROOT, "  run %d: append MB/s actor %.0f raw %.0f raw+copy %.0f, read MB/s actor %.0f " +
                    "actor[] %.0f raw %.0f raw+copy %.0f%n", run + 1,
                    mbPerSecond(bytes, actor[run].appendNs()), mbPerSecond(bytes, raw[run].appendNs()),
                    mbPerSecond(bytes, copying[run].appendNs()),
                    mbPerSecond(readBytes, actor[run].readNs()), mbPerSecond(readBytes, actorArrays[run].readNs()),
                    mbPerSecond(readBytes, raw[run].readNs()), mbPerSecond(readBytes, copying[run].readNs()));
                out.printf(Locale.ROOT, "         read (ms): %s; %s%n", actor[run].readDetail("actor"),
                    raw[run].readDetail("raw"));
            }
        }
        finally
        {
            BenchFiles.deleteRecursively(created);
        }

        out.printf(Locale.ROOT, "%-8s | %9s %12s | %29s | %9s %12s | %6s %6s | %6s %6s | %5s%n",
            "side", "append", "append", "produce latency us", "read", "read", "ratio", "ratio", "CPU", "CPU", "GC");
        out.printf(Locale.ROOT, "%-8s | %9s %12s | %9s %9s %9s | %9s %12s | %6s %6s | %6s %6s | %5s%n",
            "", "MB/s", "records/s", "p50", "p99", "p99.9", "MB/s", "records/s", "append", "read", "append", "read", "ms");
        printRow(out, "actor", actor, raw, bytes, records, readPasses);
        printRow(out, "actor[]", actorArrays, raw, bytes, records, readPasses);
        printRow(out, "raw", raw, raw, bytes, records, readPasses);
        printRow(out, "raw+copy", copying, raw, bytes, records, readPasses);
        out.printf(Locale.ROOT, "ratio actor/raw: append %.2f, read %.2f (FetchLocal; target >= 0.8), read %.2f (byte[] " +
            "Fetch); actor/raw+copy: append %.2f, read %.2f (byte[] Fetch)%n",
            pairedRatio(actor, raw, Result::appendNs), pairedRatio(actor, raw, Result::readNs),
            pairedRatio(actorArrays, raw, Result::readNs),
            pairedRatio(actor, copying, Result::appendNs), pairedRatio(actorArrays, copying, Result::readNs));
        out.printf(Locale.ROOT, "ratio = median over runs of (this side's throughput / raw's in the same run); MB/s, " +
            "records/s and latencies are medians over runs%n");
        out.printf(Locale.ROOT, "latency: actor = send to Appended, %d in flight per partition; raw = one Log.append call%n",
            window);
        out.printf(Locale.ROOT, "actor reads with FetchLocal (region read into a reused direct buffer); actor[] reads the " +
            "same data with the byte[] Fetch (append columns: the same produce)%n");
        out.printf(Locale.ROOT, "raw+copy = raw plus the copies the byte[] protocol makes (payload into a heap buffer, " +
            "each read into a new byte[]), no actors%n");
        out.printf(Locale.ROOT, "CPU = process CPU microseconds per MB (all threads, JIT and GC included); GC = collector " +
            "time during the side's append and read%n");
        out.printf(Locale.ROOT, "read (FetchLocal and raw), medians over runs, ms after the read clock started: %s; %s%n",
            medianTimes(actor, "actor"), medianTimes(raw, "raw"));
        out.printf(Locale.ROOT, "  (started = the last partition's first read, done = the first and the last partition's " +
            "end, the read time being the last; JIT = compiler time during the read)%n");
        if (readPasses > 1)
        {
            out.printf(Locale.ROOT, "read: each measurement read all the data %d times (--read-passes); read MB/s, " +
                "records/s and CPU per MB count every pass%n", readPasses);
        }
        return 0;
    }

    /** {@code --only}: warm-up and measured runs of one side, each printed; for a profiler attached to this JVM. */
    private int onlyOneSide(
        final PrintStream out, final BenchBatches.Batch batch, final int batchesPerPartition, final long bytes,
        final long readBytes) throws Exception
    {
        if (!only.equals("actor") && !only.equals("raw"))
        {
            System.err.println("--only must be actor or raw, not " + only);
            return 2;
        }
        for (int run = 0; run < warmupRuns + runs; run++)
        {
            final Result result = only.equals("actor") ? actorRun(batch, batchesPerPartition, run, false)[0] :
                rawRun(batch, batchesPerPartition, run, false);
            out.printf(Locale.ROOT, "  %s run %d%s: append %.0f MB/s, %.0f CPU us/MB; read %.0f MB/s, %.0f CPU us/MB; " +
                "read (ms): %s%n",
                only, run + 1, run < warmupRuns ? " (warm-up)" : "", mbPerSecond(bytes, result.appendNs()),
                result.appendCpuNs() / 1e3 / (bytes / 1e6), mbPerSecond(readBytes, result.readNs()),
                result.readCpuNs() / 1e3 / (readBytes / 1e6), result.readDetail(only));
        }
        return 0;
    }

    /** One row of medians; the ratios are this side's throughput over {@code reference}'s, paired by run. */
    private static void printRow(
        final PrintStream out, final String side, final Result[] results, final Result[] reference, final long bytes,
        final long records, final int readPasses)
    {
        final double appendNs = medianOf(results, Result::appendNs);
        final double readNs = medianOf(results, Result::readNs);
        final double megabytes = bytes / 1e6;
        final long readBytes = bytes * readPasses;
        out.printf(Locale.ROOT, "%-8s | %9.0f %12.0f | %9.1f %9.1f %9.1f | %9.0f %12.0f | %6.2f %6.2f | %6.0f %6.0f | %5.0f%n",
            side, mbPerSecond(bytes, appendNs), records / (appendNs / 1e9),
            medianPercentile(results, 50.0), medianPercentile(results, 99.0), medianPercentile(results, 99.9),
            mbPerSecond(readBytes, readNs), records * readPasses / (readNs / 1e9),
            pairedRatio(results, reference, Result::appendNs), pairedRatio(results, reference, Result::readNs),
            medianOf(results, Result::appendCpuNs) / 1e3 / megabytes, medianOf(results, Result::readCpuNs) / 1e3 / megabytes / readPasses,
            medianOf(results, Result::gcMs));
    }

    /**
     * The median over runs of {@code reference}'s time over {@code results}' time in the same run (i.e. the throughput
     * ratio): the sides of one run ran back to back, so pairing them cancels most of a shared machine's drift.
     */
    private static double pairedRatio(
        final Result[] results, final Result[] reference, final ToDoubleFunction<Result> time)
    {
        final double[] ratios = new double[results.length];
        for (int i = 0; i < results.length; i++)
        {
            ratios[i] = time.applyAsDouble(reference[i]) / time.applyAsDouble(results[i]);
        }
        return Percentiles.median(ratios);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Actor side
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * One actor measurement: [0] produce + FetchLocal read, [1] the same produce + byte[] Fetch read (only
     * {@code withArrays}: {@code --only actor} leaves it out, so that a profile holds the FetchLocal read alone).
     */
    private Result[] actorRun(
        final BenchBatches.Batch batch, final int batchesPerPartition, final int run, final boolean withArrays)
        throws IOException, InterruptedException, ExecutionException, TimeoutException
    {
        final Path dataDir = dir.resolve("actor-" + run);
        final byte[] payload = new byte[batch.sizeInBytes()];
        batch.buffer().getBytes(0, payload);
        final Config config = ConfigFactory.parseString(
            "pekko.loglevel = WARNING\n" +
            "pekko.stdout-loglevel = WARNING\n" +
            "pekko.actor.provider = local\n" +
            "pekko.actor.serialize-messages = off\n").withFallback(ConfigFactory.load());
        final ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench-broker-" + run, config);
        try
        {
            final LogConfig logConfig = logConfig(batch);
            final List<TopicPartition> topicPartitions = new ArrayList<>();
            final List<ActorRef<PartitionProtocol.Command>> replicas = new ArrayList<>();
            for (int p = 0; p < partitions; p++)
            {
                final TopicPartition topicPartition = new TopicPartition(TOPIC, p);
                final PartitionReplicaSettings settings = PartitionReplicaSettings.fromConfig(
                    system.settings().config(), topicPartition, dataDir, logConfig, System::currentTimeMillis, 0);
                topicPartitions.add(topicPartition);
                replicas.add(system.systemActorOf(PartitionReplica.create(settings), "replica-" + p, PartitionReplica.PROPS));
            }
            // The raw side opens its logs before its clock: wait until every replica has opened its log and answers.
            for (final ActorRef<PartitionProtocol.Command> replica : replicas)
            {
                AskPattern.<PartitionProtocol.Command, PartitionProtocol.Status>ask(replica, GetStatus::new,
                    Duration.ofSeconds(TIMEOUT_SECONDS), system.scheduler()).toCompletableFuture()
                    .get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            }

            final List<CompletableFuture<Histogram>> produced = new ArrayList<>();
            final List<ActorRef<Object>> producers = new ArrayList<>();
            for (int p = 0; p < partitions; p++)
            {
                final CompletableFuture<Histogram> done = new CompletableFuture<>();
                produced.add(done);
                producers.add(system.systemActorOf(
                    ProduceDriver.create(replicas.get(p), topicPartitions.get(p), payload, batch.recordCount(),
                        batchesPerPartition, window, done),
                    "producer-" + p, Props.empty()));
            }
            awaitStarted(producers);
            final long gcStart = gcMs();
            final long produceCpuStart = processCpuNs();
            final long produceStart = System.nanoTime();
            startAll(producers);
            final Histogram latency = new Histogram(3);
            for (final CompletableFuture<Histogram> done : produced)
            {
                latency.add(done.get(TIMEOUT_SECONDS, TimeUnit.SECONDS));
            }
            final long produceNs = System.nanoTime() - produceStart;
            final long produceCpuNs = processCpuNs() - produceCpuStart;

            final long produceGcMs = gcMs() - gcStart;

            final long expectedEnd = (long)batchesPerPartition * batch.recordCount();
            final long expectedBytes = (long)batchesPerPartition * batch.sizeInBytes();
            final long fetchStride = (long)Math.max(1, fetchBytes / batch.sizeInBytes()) * batch.recordCount();
            final Result[] results = new Result[2];
            for (int pass = 0; pass < 2; pass++)
            {
                if (!withArrays && (pass == 0) != (run % 2 == 0))
                {
                    continue;
                }
                // Alternate which fetch goes first, so that neither always reads right after the produce.
                final boolean local = (pass == 0) == (run % 2 == 0);
                final List<CompletableFuture<ReadDone>> fetched = new ArrayList<>();
                final List<ActorRef<Object>> fetchers = new ArrayList<>();
                for (int p = 0; p < partitions; p++)
                {
                    final CompletableFuture<ReadDone> done = new CompletableFuture<>();
                    fetched.add(done);
                    final FetchPlan plan = new FetchPlan(fetchBytes, expectedEnd, fetchWindow, fetchStride, readPasses, done);
                    fetchers.add(local ?
                        system.systemActorOf(
                            RegionFetchDriver.create(replicas.get(p), topicPartitions.get(p), plan,
                                Math.max(fetchBytes, batch.sizeInBytes())),
                            "region-fetcher-" + p, Props.empty()) :
                        system.systemActorOf(ArrayFetchDriver.create(replicas.get(p), topicPartitions.get(p), plan),
                            "array-fetcher-" + p, Props.empty()));
                }
                awaitStarted(fetchers);
                final long readGcStart = gcMs();
                final long fetchCpuStart = processCpuNs();
                final long fetchJitStart = jitMs();
                final long fetchStart = System.nanoTime();
                startAll(fetchers);
                final PartitionTimes readTimes = new PartitionTimes(new long[partitions], new long[partitions]);
                for (int p = 0; p < partitions; p++)
                {
                    final ReadDone done = fetched.get(p).get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
                    if (done.bytes() != expectedBytes * readPasses)
                    {
                        throw new IllegalStateException("actor fetch read " + done.bytes() + " bytes; expected " +
                            expectedBytes * readPasses);
                    }
                    readTimes.startedNs()[p] = done.startedNs() - fetchStart;
                    readTimes.doneNs()[p] = done.doneNs() - fetchStart;
                }
                final long fetchNs = System.nanoTime() - fetchStart;
                final long fetchCpuNs = processCpuNs() - fetchCpuStart;
                results[local ? 0 : 1] = new Result(
                    produceNs, fetchNs, latency, produceGcMs + gcMs() - readGcStart, produceCpuNs, fetchCpuNs, readTimes,
                    jitMs() - fetchJitStart);
            }
            return results;
        }
        finally
        {
            // Terminating the system stops the replicas, which close their logs, before the files go.
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
            BenchFiles.deleteRecursively(dataDir);
        }
    }

    /**
     * Tells each driver to begin. Drivers are spawned and set up (buffers allocated) before the clock starts and begin
     * only on {@link Go}, as the raw side's threads are created before its clock and released together by a latch;
     * the clock then covers only the work and the hand-off that starts it on either side.
     */
    private static void startAll(final List<ActorRef<Object>> drivers)
    {
        for (final ActorRef<Object> driver : drivers)
        {
            driver.tell(Go.INSTANCE);
        }
    }

    /** Waits until each driver has run its setup and answers, so that the clock starts on idle, ready drivers. */
    private static void awaitStarted(final List<ActorRef<Object>> drivers)
        throws InterruptedException, ExecutionException, TimeoutException
    {
        for (final ActorRef<Object> driver : drivers)
        {
            final CompletableFuture<Void> ready = new CompletableFuture<>();
            driver.tell(new Ready(ready));
            ready.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        }
    }

    /** Sent to a driver to begin its requests; the side's clock has started. */
    enum Go
    {
        INSTANCE
    }

    /** Asks a driver to complete {@code ready} once it has been set up (it handles messages only after its setup). */
    record Ready(CompletableFuture<Void> ready)
    {
    }

    /**
     * Keeps {@code window} produce requests in flight to one replica until {@code total} are answered, checking each
     * base offset; completes {@code done} with the send-to-reply latencies. Replies from one replica arrive in request
     * order, so a ring of send times indexed by request number is enough.
     */
    static final class ProduceDriver extends AbstractBehavior<Object>
    {
        private final ActorRef<PartitionProtocol.Command> replica;
        private final TopicPartition topicPartition;
        private final byte[] payload;
        private final int recordsPerBatch;
        private final int total;
        private final long[] sendNs;
        private final Histogram latencyNs = new Histogram(3);
        private final CompletableFuture<Histogram> done;
        private final ActorRef<ProduceReply> self;
        private final int window;
        private int sent;
        private int received;

        static Behavior<Object> create(
            final ActorRef<PartitionProtocol.Command> replica, final TopicPartition topicPartition, final byte[] payload,
            final int recordsPerBatch, final int total, final int window, final CompletableFuture<Histogram> done)
        {
            return Behaviors.setup(context ->
                new ProduceDriver(context, replica, topicPartition, payload, recordsPerBatch, total, window, done));
        }

        private ProduceDriver(
            final ActorContext<Object> context, final ActorRef<PartitionProtocol.Command> replica, final TopicPartition topicPartition,
            final byte[] payload, final int recordsPerBatch, final int total, final int window,
            final CompletableFuture<Histogram> done)
        {
            super(context);
            this.replica = replica;
            this.topicPartition = topicPartition;
            this.payload = payload;
            this.recordsPerBatch = recordsPerBatch;
            this.total = total;
            this.sendNs = new long[window];
            this.done = done;
            this.window = window;
            this.self = context.getSelf().narrow();
        }

        private void send()
        {
            sendNs[sent % sendNs.length] = System.nanoTime();
            replica.tell(new Produce(topicPartition, (short)1, payload, self));
            sent++;
        }

        @Override
        public Receive<Object> createReceive()
        {
            return newReceiveBuilder()
                .onMessage(Ready.class, this::onReady)
                .onMessageEquals(Go.INSTANCE, this::onGo)
                .onMessage(Appended.class, this::onAppended)
                .onMessage(Rejected.class, this::onRejected)
                .build();
        }

        private Behavior<Object> onReady(final Ready ready)
        {
            ready.ready().complete(null);
            return this;
        }

        private Behavior<Object> onGo()
        {
            while (sent < Math.min(window, total))
            {
                send();
            }
            return this;
        }

        private Behavior<Object> onAppended(final Appended appended)
        {
            latencyNs.recordValue(System.nanoTime() - sendNs[received % sendNs.length]);
            final long expected = (long)received * recordsPerBatch;
            if (appended.baseOffset() != expected)
            {
                done.completeExceptionally(new IllegalStateException(
                    topicPartition + ": produce " + received + " got base offset " + appended.baseOffset() + ", expected " +
                    expected));
                return Behaviors.stopped();
            }
            received++;
            if (sent < total)
            {
                send();
            }
            if (received == total)
            {
                done.complete(latencyNs);
                return Behaviors.stopped();
            }
            return this;
        }

        private Behavior<Object> onRejected(final Rejected rejected)
        {
            done.completeExceptionally(new IllegalStateException("produce rejected: " + rejected));
            return Behaviors.stopped();
        }
    }

    /**
     * What one fetch driver reads: fetches of {@code maxBytes} up to {@code endOffset}, {@code window} in flight
     * {@code stride} offsets apart, the whole range {@code passes} times; {@code done} completes at the end.
     */
    record FetchPlan(int maxBytes, long endOffset, int window, long stride, int passes, CompletableFuture<ReadDone> done)
    {
    }

    /** A fetch driver's bytes read over all passes, and its {@link System#nanoTime()} at its first fetch and at its end. */
    record ReadDone(long bytes, long startedNs, long doneNs)
    {
    }

    /**
     * Fetches one replica from offset 0 to {@code endOffset}, {@code passes} times; completes {@code done} with the bytes
     * read and its start and end times. The next
     * offset is found by walking the batch headers of each reply. With a window of 1 every fetch starts where the last
     * reply ended, as a consumer does; with more, the driver keeps {@code window} fetches in flight at offsets
     * {@code stride} apart (every batch of the run has the same record count and a fetch returns as many whole batches
     * as fit), and every reply is checked to start exactly where the previous one ended. Subclasses send the fetch
     * and hand over the bytes of each reply.
     */
    abstract static class FetchDriver extends AbstractBehavior<Object>
    {
        final ActorRef<PartitionProtocol.Command> replica;
        final TopicPartition topicPartition;
        final int maxBytes;
        private final long endOffset;
        private final int window;
        private final long stride;
        private final int passes;
        private final CompletableFuture<ReadDone> done;
        private final RecordBatchFlyweight header = new RecordBatchFlyweight();
        private long startedNs;
        private int pass;
        private long offset;
        private long requestOffset;
        private int inFlight;
        private long bytes;

        FetchDriver(
            final ActorContext<Object> context, final ActorRef<PartitionProtocol.Command> replica,
            final TopicPartition topicPartition, final FetchPlan plan)
        {
            super(context);
            this.replica = replica;
            this.topicPartition = topicPartition;
            this.maxBytes = plan.maxBytes();
            this.endOffset = plan.endOffset();
            this.window = plan.window();
            this.stride = plan.stride();
            this.passes = plan.passes();
            this.done = plan.done();
        }

        /** Answers {@link Ready} and starts on {@link Go}; the subclass adds its replies. */
        final ReceiveBuilder<Object> newDriverReceiveBuilder()
        {
            return newReceiveBuilder()
                .onMessage(Ready.class, this::onReady)
                .onMessageEquals(Go.INSTANCE, this::onGo)
                .onMessage(Rejected.class, this::onRejected);
        }

        private Behavior<Object> onReady(final Ready ready)
        {
            ready.ready().complete(null);
            return this;
        }

        /** Sends the first fetches; this reader's start time is taken here. */
        private Behavior<Object> onGo()
        {
            startedNs = System.nanoTime();
            fillWindow();
            return this;
        }

        /** Sends one fetch from {@code fetchOffset}. */
        abstract void send(long fetchOffset);

        final void fillWindow()
        {
            if (inFlight == 0)
            {
                requestOffset = offset;
            }
            while (inFlight < window && requestOffset < endOffset)
            {
                send(requestOffset);
                requestOffset += stride;
                inFlight++;
            }
        }

        /** Checks the whole batches in {@code buffer[0, length)} of one reply and fetches on, or stops when done. */
        final Behavior<Object> onRecords(final DirectBuffer buffer, final int length)
        {
            inFlight--;
            if (length == 0)
            {
                return failed(new IllegalStateException(
                    topicPartition + ": empty fetch at offset " + offset + ", expected records up to " + endOffset));
            }
            int position = 0;
            while (position < length)
            {
                header.wrap(buffer, position);
                if (header.baseOffset() != offset)
                {
                    return failed(new IllegalStateException(
                        topicPartition + ": batch at base offset " + header.baseOffset() + ", expected " + offset +
                        (window > 1 ? " (with --fetch-window > 1 each fetch must return exactly the predicted batches)" : "")));
                }
                offset = header.nextOffset();
                position += header.sizeInBytes();
            }
            bytes += length;
            if (offset >= endOffset && inFlight == 0)
            {
                if (++pass == passes)
                {
                    done.complete(new ReadDone(bytes, startedNs, System.nanoTime()));
                    return Behaviors.stopped();
                }
                offset = 0;
            }
            fillWindow();
            return this;
        }

        final Behavior<Object> onRejected(final Rejected rejected)
        {
            return failed(new IllegalStateException("fetch rejected: " + rejected));
        }

        final Behavior<Object> failed(final Throwable failure)
        {
            done.completeExceptionally(failure);
            return Behaviors.stopped();
        }
    }

    /** {@link FetchDriver} with the {@code byte[]} {@link Fetch}: each reply is a new array, wrapped to walk it. */
    static final class ArrayFetchDriver extends FetchDriver
    {
        private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
        private final ActorRef<FetchReply> self;

        static Behavior<Object> create(
            final ActorRef<PartitionProtocol.Command> replica, final TopicPartition topicPartition, final FetchPlan plan)
        {
            return Behaviors.setup(context -> new ArrayFetchDriver(context, replica, topicPartition, plan));
        }

        private ArrayFetchDriver(
            final ActorContext<Object> context, final ActorRef<PartitionProtocol.Command> replica,
            final TopicPartition topicPartition, final FetchPlan plan)
        {
            super(context, replica, topicPartition, plan);
            self = context.getSelf().narrow();
        }

        @Override
        void send(final long fetchOffset)
        {
            replica.tell(new Fetch(topicPartition, fetchOffset, maxBytes, 1, 0, self));
        }

        @Override
        public Receive<Object> createReceive()
        {
            return newDriverReceiveBuilder()
                .onMessage(Fetched.class, this::onFetched)
                .build();
        }

        private Behavior<Object> onFetched(final Fetched fetched)
        {
            view.wrap(fetched.records());
            return onRecords(view, fetched.records().length);
        }
    }

    /**
     * {@link FetchDriver} with the local {@link FetchLocal}: each {@link FetchedRegion} is read into one reused direct
     * buffer (grown only for a first batch above it), as a local consumer of the regions would.
     */
    static final class RegionFetchDriver extends FetchDriver
    {
        private final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
        private final ActorRef<FetchLocalReply> self;
        private ByteBuffer readBuffer;

        static Behavior<Object> create(
            final ActorRef<PartitionProtocol.Command> replica, final TopicPartition topicPartition, final FetchPlan plan,
            final int bufferBytes)
        {
            return Behaviors.setup(context -> new RegionFetchDriver(context, replica, topicPartition, plan, bufferBytes));
        }

        private RegionFetchDriver(
            final ActorContext<Object> context, final ActorRef<PartitionProtocol.Command> replica,
            final TopicPartition topicPartition, final FetchPlan plan, final int bufferBytes)
        {
            super(context, replica, topicPartition, plan);
            self = context.getSelf().narrow();
            readBuffer = ByteBuffer.allocateDirect(bufferBytes);
        }

        @Override
        void send(final long fetchOffset)
        {
            replica.tell(new FetchLocal(topicPartition, fetchOffset, maxBytes, 1, 0, self));
        }

        @Override
        public Receive<Object> createReceive()
        {
            return newDriverReceiveBuilder()
                .onMessage(FetchedRegion.class, this::onFetchedRegion)
                .build();
        }

        private Behavior<Object> onFetchedRegion(final FetchedRegion region)
        {
            final int length = region.length();
            if (readBuffer.capacity() < length)
            {
                readBuffer = ByteBuffer.allocateDirect(length);
            }
            readBuffer.clear();
            try
            {
                final int read = region.readInto(readBuffer);
                if (read != length)
                {
                    return failed(new IOException(topicPartition + ": short read of " + read + " of " + region));
                }
            }
            catch (final IOException ex)
            {
                return failed(ex);
            }
            view.wrap(readBuffer, 0, length);
            return onRecords(view, length);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Raw side
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * One raw measurement; with {@code copying}, each append first copies a {@code byte[]} payload into a reused heap
     * buffer and each read goes into a new {@code byte[]}, as the replica does with the protocol's arrays.
     */
    private Result rawRun(final BenchBatches.Batch batch, final int batchesPerPartition, final int run, final boolean copying)
        throws IOException, InterruptedException
    {
        final Path runDir = dir.resolve((copying ? "copy-" : "raw-") + run);
        final LogConfig logConfig = logConfig(batch);
        final List<Log> logs = new ArrayList<>();
        try
        {
            for (int p = 0; p < partitions; p++)
            {
                logs.add(Log.open(runDir.resolve(TOPIC + "-" + p), logConfig, System::currentTimeMillis));
            }
            final Histogram[] latencies = new Histogram[partitions];
            // Buffers are made before the clock, as the actor side's drivers make theirs in their setup.
            final int size = batch.sizeInBytes();
            final byte[] payload = new byte[size];
            batch.buffer().getBytes(0, payload);
            final UnsafeBuffer[] sources = new UnsafeBuffer[partitions];
            final ByteBuffer[] readBuffers = new ByteBuffer[partitions];
            for (int p = 0; p < partitions; p++)
            {
                // Append rewrites the base offset in place: every writer needs its own copy of the batch.
                sources[p] = copying ? new UnsafeBuffer(new byte[size]) : new UnsafeBuffer(ByteBuffer.allocateDirect(size));
                sources[p].putBytes(0, payload);
                readBuffers[p] = ByteBuffer.allocateDirect(Math.max(fetchBytes, size));
            }
            final long gcStart = gcMs();
            final long appendCpuStart = processCpuNs();
            final long appendNs = inParallel(p ->
            {
                final UnsafeBuffer source = sources[p];
                final Log log = logs.get(p);
                final Histogram latency = new Histogram(3);
                for (int i = 0; i < batchesPerPartition; i++)
                {
                    final long start = System.nanoTime();
                    if (copying)
                    {
                        source.putBytes(0, payload);
                    }
                    log.append(source, 0, size, 0);
                    latency.recordValue(System.nanoTime() - start);
                }
                latencies[p] = latency;
            });

            final long expectedEnd = (long)batchesPerPartition * batch.recordCount();
            final long expectedBytes = (long)batchesPerPartition * batch.sizeInBytes();
            final long appendCpuNs = processCpuNs() - appendCpuStart;
            final long readCpuStart = processCpuNs();
            final long readJitStart = jitMs();
            final PartitionTimes readTimes = new PartitionTimes(new long[partitions], new long[partitions]);
            final long readNs = inParallel(p ->
            {
                final Log log = logs.get(p);
                final FileRegion region = new FileRegion();
                final ByteBuffer readBuffer = readBuffers[p];
                for (int pass = 0; pass < readPasses; pass++)
                {
                    long offset = 0;
                    long read = 0;
                    while (log.read(offset, fetchBytes, Long.MAX_VALUE, region))
                    {
                        if (copying)
                        {
                            read += region.readInto(ByteBuffer.wrap(new byte[region.length()]));
                        }
                        else
                        {
                            readBuffer.clear();
                            read += region.readInto(readBuffer);
                        }
                        offset = region.nextOffset();
                    }
                    if (offset != expectedEnd || read != expectedBytes)
                    {
                        throw new IllegalStateException("raw read of " + log.directory() + " ended at offset " + offset +
                            " after " + read + " bytes; expected " + expectedEnd + " and " + expectedBytes);
                    }
                }
            }, readTimes);
            final Histogram latency = new Histogram(3);
            for (final Histogram h : latencies)
            {
                latency.add(h);
            }
            final long readCpuNs = processCpuNs() - readCpuStart;
            return new Result(appendNs, readNs, latency, gcMs() - gcStart, appendCpuNs, readCpuNs, readTimes,
                jitMs() - readJitStart);
        }
        finally
        {
            for (final Log log : logs)
            {
                log.close();
            }
            BenchFiles.deleteRecursively(runDir);
        }
    }

    /** A task for one partition's thread. */
    @FunctionalInterface
    private interface PartitionTask
    {
        void run(int partition) throws IOException;
    }

    /** Runs {@code task} on one thread per partition, all released at once; returns the wall time until the last ends. */
    private long inParallel(final PartitionTask task) throws InterruptedException
    {
        return inParallel(task, new PartitionTimes(new long[partitions], new long[partitions]));
    }

    /**
     * {@link #inParallel(PartitionTask)}, noting in {@code times} when each thread started its task and ended it, after
     * the release.
     */
    private long inParallel(final PartitionTask task, final PartitionTimes times) throws InterruptedException
    {
        final CountDownLatch ready = new CountDownLatch(partitions);
        final CountDownLatch go = new CountDownLatch(1);
        final Throwable[] failures = new Throwable[partitions];
        final Thread[] threads = new Thread[partitions];
        for (int p = 0; p < partitions; p++)
        {
            final int partition = p;
            threads[p] = new Thread(() ->
            {
                ready.countDown();
                try
                {
                    go.await();
                    times.startedNs()[partition] = System.nanoTime();
                    task.run(partition);
                }
                catch (final Throwable ex)
                {
                    failures[partition] = ex;
                }
                times.doneNs()[partition] = System.nanoTime();
            }, "raw-" + p);
            threads[p].start();
        }
        ready.await();
        final long start = System.nanoTime();
        go.countDown();
        for (final Thread thread : threads)
        {
            thread.join();
        }
        final long elapsed = System.nanoTime() - start;
        for (int p = 0; p < partitions; p++)
        {
            times.startedNs()[p] -= start;
            times.doneNs()[p] -= start;
        }
        for (final Throwable failure : failures)
        {
            if (failure != null)
            {
                throw new IllegalStateException("raw side failed", failure);
            }
        }
        return elapsed;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------------------------

    private static LogConfig logConfig(final BenchBatches.Batch batch)
    {
        return LogConfig.fromMap(Map.of(
            LogConfig.MAX_MESSAGE_BYTES, Integer.toString(Math.max(batch.sizeInBytes(), LogConfig.DEFAULT_MAX_MESSAGE_BYTES))));
    }

    /** The replicas log their recovery and Pekko its start at INFO on every run: keep the table readable. */
    private static void quietReplicaLogging()
    {
        for (final String name : new String[]{ "dev.millrace.broker", "org.apache.pekko" })
        {
            if (LoggerFactory.getLogger(name) instanceof ch.qos.logback.classic.Logger logger)
            {
                logger.setLevel(ch.qos.logback.classic.Level.WARN);
            }
        }
    }

    private static double medianOf(final Result[] results, final ToDoubleFunction<Result> field)
    {
        final double[] values = new double[results.length];
        for (int i = 0; i < results.length; i++)
        {
            values[i] = field.applyAsDouble(results[i]);
        }
        return Percentiles.median(values);
    }

    /** The medians over runs of the read's last partition start, first and last partition end, in milliseconds. */
    private static String medianTimes(final Result[] results, final String side)
    {
        return String.format(Locale.ROOT, "%s started %.1f, done %.1f-%.1f, JIT %.0f", side,
            medianOf(results, r -> r.readTimes().lastStartedNs()) / 1e6,
            medianOf(results, r -> r.readTimes().firstDoneNs()) / 1e6,
            medianOf(results, r -> r.readTimes().lastDoneNs()) / 1e6,
            medianOf(results, Result::readJitMs));
    }

    private static double medianPercentile(final Result[] results, final double percentile)
    {
        return medianOf(results, r -> r.latencyNs().getValueAtPercentile(percentile) / 1e3);
    }

    private static double mbPerSecond(final long bytes, final double nanos)
    {
        return bytes / (nanos / 1e9) / 1e6;
    }
}
