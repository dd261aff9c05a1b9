package dev.millrace.benchmarks;

import java.io.IOException;
import java.io.PrintStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.millrace.sharding.persistence.quorum.QuorumConfig;
import dev.millrace.sharding.persistence.quorum.QuorumVoter;
import io.aeron.cluster.service.Cluster;
import org.HdrHistogram.Histogram;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./millrace bench journal}: persist latency and throughput of small events through real
 * {@code EventSourcedBehavior}s, on the quorum journal (three voters on loopback in this JVM, Raft on Aeron Cluster)
 * beside the embedded journal (RocksDB, fsync per write batch), in one run, alternating the two by round.
 *
 * <p>Latency: one persistent actor, one event per command, the next command sent when the previous was persisted (the
 * time from ask to reply is what a coordinator waits for). Throughput: {@code --writers} persistent actors at once, each
 * persisting its events one at a time. Events are 16-character strings.
 */
@Command(
    name = "journal",
    mixinStandardHelpOptions = true,
    description = "Persist latency and throughput: the quorum journal (3 voters on loopback) vs the embedded journal.")
public final class JournalBenchmark implements Callable<Integer>
{
    private static final String QUORUM_JOURNAL = "millrace.persistence.quorum.journal";
    private static final String QUORUM_SNAPSHOT = "millrace.persistence.quorum.snapshot";
    private static final String EMBEDDED_JOURNAL = "millrace.persistence.embedded.journal";
    private static final String EMBEDDED_SNAPSHOT = "millrace.persistence.embedded.snapshot";
    private static final int VOTERS = 3;
    private static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);

    @Option(names = "--events", description = "Events persisted one at a time by one actor, per round (default: ${DEFAULT-VALUE}).")
    int events = 5_000;

    @Option(names = "--writers", description = "Persistent actors writing at once in the throughput run (default: ${DEFAULT-VALUE}).")
    int writers = 40;

    @Option(names = "--events-per-writer", description = "Events each writer persists in the throughput run (default: ${DEFAULT-VALUE}).")
    int eventsPerWriter = 500;

    @Option(names = "--rounds", description = "Measured rounds per journal; medians are shown (default: ${DEFAULT-VALUE}).")
    int rounds = 3;

    @Option(names = "--backoff-max-park", description = "The quorum's backoff-max-park-period (default: the configured one).")
    String backoffMaxPark;

    @Option(names = "--dir", description = "Where both journals write; removed afterwards (default: ${DEFAULT-VALUE}).")
    Path dir = Path.of("data", "bench-journal");

    private final PrintStream out = System.out;

    @Override
    public Integer call() throws Exception
    {
        if (events < 1 || writers < 1 || eventsPerWriter < 1 || rounds < 1)
        {
            throw new IllegalArgumentException("--events, --writers, --events-per-writer and --rounds must be positive");
        }
        Files.createDirectories(dir);
        final List<Result> embedded = new ArrayList<>();
        final List<Result> quorum = new ArrayList<>();
        try
        {
            out.printf(Locale.ROOT, "bench journal: %,d sequential events, %d writers x %,d events, %d rounds (+1 warm-up)%n",
                events, writers, eventsPerWriter, rounds);
            for (int round = 0; round <= rounds; round++)
            {
                final boolean warmUp = round == 0;
                final boolean embeddedFirst = round % 2 == 0;
                for (int side = 0; side < 2; side++)
                {
                    final boolean isEmbedded = (side == 0) == embeddedFirst;
                    final Result result = isEmbedded ? runEmbedded(round) : runQuorum(round);
                    out.printf(Locale.ROOT, "  %s %-8s p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, %,.0f events/s sequential, " +
                            "%,.0f events/s with %d writers%n", warmUp ? "warm-up " : "round " + round,
                        isEmbedded ? "embedded" : "quorum", result.p50Ms(), result.p99Ms(), result.p999Ms(),
                        result.sequentialPerSecond(), result.concurrentPerSecond(), writers);
                    if (!warmUp)
                    {
                        (isEmbedded ? embedded : quorum).add(result);
                    }
                }
            }
        }
        finally
        {
            BenchFiles.deleteRecursively(dir);
        }
        out.println();
        out.printf(Locale.ROOT, "%-44s %9s %9s %9s %14s %16s%n", "journal", "p50 ms", "p99 ms", "p99.9 ms",
            "sequential/s", writers + " writers ev/s");
        print("embedded (RocksDB, fsync per write batch)", embedded);
        print("quorum (3 voters on loopback, Aeron Cluster)", quorum);
        out.println("Latency: one persistent actor, ask -> persist -> reply, one event at a time; medians over rounds.");
        out.println("Targets of issue 5 for the quorum journal: p99 <= 5 ms and >= 20,000 events/s.");
        return 0;
    }

    private void print(final String name, final List<Result> results)
    {
        out.printf(Locale.ROOT, "%-44s %9.2f %9.2f %9.2f %,14.0f %,16.0f%n", name,
            median(results, Result::p50Ms), median(results, Result::p99Ms), median(results, Result::p999Ms),
            median(results, Result::sequentialPerSecond), median(results, Result::concurrentPerSecond));
    }

    private Result runEmbedded(final int round) throws Exception
    {
        final Path roundDir = dir.resolve("embedded-" + round);
        final Config config = ConfigFactory.parseMap(Map.of(
            EMBEDDED_JOURNAL + ".dir", roundDir.resolve("journal").toString(),
            "millrace.persistence.embedded.snapshot.dir", roundDir.resolve("snapshots").toString()));
        try
        {
            return measure("bench-embedded-" + round, config, EMBEDDED_JOURNAL, EMBEDDED_SNAPSHOT);
        }
        finally
        {
            BenchFiles.deleteRecursively(roundDir);
        }
    }

    private Result runQuorum(final int round) throws Exception
    {
        final Path roundDir = dir.resolve("quorum-" + round);
        final List<String> voters = freeVoters();
        final Map<String, Object> block = new HashMap<>();
        block.put("voters", voters);
        block.put("member-id", -1);
        if (backoffMaxPark != null)
        {
            block.put("backoff-max-park-period", backoffMaxPark);
        }
        final Config client = ConfigFactory.parseMap(Map.of(QuorumConfig.PATH, block));
        final List<QuorumVoter> running = new ArrayList<>();
        try
        {
            for (int id = 0; id < VOTERS; id++)
            {
                final Config voter = ConfigFactory.parseMap(Map.of(
                    QuorumConfig.PATH + ".member-id", id,
                    QuorumConfig.PATH + ".dir", roundDir.resolve("voter-" + id).toString()));
                running.add(QuorumVoter.start(
                    QuorumConfig.fromRoot(voter.withFallback(client).withFallback(ConfigFactory.load()).resolve())));
            }
            awaitLeader(running, Duration.ofSeconds(30));
            return measure("bench-quorum-" + round, client, QUORUM_JOURNAL, QUORUM_SNAPSHOT);
        }
        finally
        {
            for (final QuorumVoter voter : running)
            {
                voter.close();
            }
            BenchFiles.deleteRecursively(roundDir);
        }
    }

    private Result measure(final String name, final Config config, final String journal, final String snapshot)
        throws Exception
    {
        final ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), name, config
            .withFallback(ConfigFactory.parseString("pekko.loglevel = WARNING\npekko.actor.provider = local"))
            .withFallback(ConfigFactory.load()));
        try
        {
            final ActorRef<Persist> single = system.systemActorOf(
                PersistingActor.create("latency", journal, snapshot), "latency", org.apache.pekko.actor.typed.Props.empty());
            final Histogram latency = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
            final long start = System.nanoTime();
            for (int i = 0; i < events; i++)
            {
                final long sent = System.nanoTime();
                persist(system, single, i);
                latency.recordValue(System.nanoTime() - sent);
            }
            final double sequentialPerSecond = events / ((System.nanoTime() - start) / 1e9);

            final List<CompletableFuture<Void>> done = new ArrayList<>();
            final long concurrentStart = System.nanoTime();
            for (int w = 0; w < writers; w++)
            {
                final ActorRef<Persist> writer = system.systemActorOf(
                    PersistingActor.create("writer-" + w, journal, snapshot), "writer-" + w,
                    org.apache.pekko.actor.typed.Props.empty());
                done.add(writeSequentially(system, writer, eventsPerWriter));
            }
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(300, TimeUnit.SECONDS);
            final double concurrentPerSecond = (double)writers * eventsPerWriter /
                ((System.nanoTime() - concurrentStart) / 1e9);
            return new Result(latency.getValueAtPercentile(50) / 1e6, latency.getValueAtPercentile(99) / 1e6,
                latency.getValueAtPercentile(99.9) / 1e6, sequentialPerSecond, concurrentPerSecond);
        }
        finally
        {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private static void persist(final ActorSystem<?> system, final ActorRef<Persist> actor, final int i) throws Exception
    {
        AskPattern.<Persist, Done>ask(actor, replyTo -> new Persist(String.format("event-%010d", i), replyTo),
            ASK_TIMEOUT, system.scheduler()).toCompletableFuture().get(ASK_TIMEOUT.toMillis() + 1_000, TimeUnit.MILLISECONDS);
    }

    /** One writer's events, each sent when the previous one was persisted. */
    private static CompletableFuture<Void> writeSequentially(
        final ActorSystem<?> system, final ActorRef<Persist> writer, final int count)
    {
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (int i = 0; i < count; i++)
        {
            final int n = i;
            chain = chain.thenCompose(previous -> onDispatcher(system, AskPattern.<Persist, Done>ask(writer,
                replyTo -> new Persist(String.format("event-%010d", n), replyTo), ASK_TIMEOUT, system.scheduler())));
        }
        return chain;
    }

    /**
     * The ask's outcome as a plain future completed on the dispatcher: Pekko's ask future runs dependent stages on the
     * JDK's default executor, a new thread per stage on a machine with fewer than three cores, which would measure
     * thread starts instead of the journal.
     */
    private static CompletableFuture<Void> onDispatcher(final ActorSystem<?> system, final CompletionStage<Done> asked)
    {
        final CompletableFuture<Void> done = new CompletableFuture<>();
        asked.whenCompleteAsync((persisted, failure) ->
        {
            if (failure != null)
            {
                done.completeExceptionally(failure);
            }
            else
            {
                done.complete(null);
            }
        }, system.executionContext());
        return done;
    }

    private static void awaitLeader(final List<QuorumVoter> voters, final Duration timeout) throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0)
        {
            for (final QuorumVoter voter : voters)
            {
                if (voter.role() == Cluster.Role.LEADER)
                {
                    return;
                }
            }
            TimeUnit.MILLISECONDS.sleep(20); // polling a voter's role; Aeron offers no election callback here
        }
        throw new IllegalStateException("no quorum leader elected among " + voters.size() + " voters within " + timeout);
    }

    /** Voters "id:127.0.0.1:base" whose five UDP ports (and the TCP archive port) are free right now. */
    private static List<String> freeVoters() throws IOException
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            final int base = ThreadLocalRandom.current().nextInt(20_000, 60_000);
            if (portsFree(base, VOTERS * 10))
            {
                final List<String> voters = new ArrayList<>();
                for (int id = 0; id < VOTERS; id++)
                {
                    voters.add(id + ":127.0.0.1:" + (base + id * 10));
                }
                return voters;
            }
        }
        throw new IOException("no free range of " + VOTERS * 10 + " ports found for the quorum voters");
    }

    private static boolean portsFree(final int base, final int count)
    {
        for (int port = base; port < base + count; port++)
        {
            try (DatagramSocket udp = new DatagramSocket(port, InetAddress.getLoopbackAddress());
                ServerSocket tcp = new ServerSocket(port, 1, InetAddress.getLoopbackAddress()))
            {
                udp.getLocalPort();
                tcp.getLocalPort();
            }
            catch (final IOException ex)
            {
                return false;
            }
        }
        return true;
    }

    private static double median(final List<Result> results, final java.util.function.ToDoubleFunction<Result> field)
    {
        final double[] values = results.stream().mapToDouble(field).sorted().toArray();
        return values[values.length / 2];
    }

    private record Result(double p50Ms, double p99Ms, double p999Ms, double sequentialPerSecond, double concurrentPerSecond)
    {
    }

    /** A command to persist one event; replied to once it is persisted. Local only. */
    record Persist(String event, ActorRef<Done> replyTo)
    {
    }

    /** Persists every event it is sent and replies when the journal confirmed it; its state counts them. */
    static final class PersistingActor extends EventSourcedBehavior<Persist, String, Long>
    {
        private final String journal;
        private final String snapshot;

        private PersistingActor(final String persistenceId, final String journal, final String snapshot)
        {
            super(PersistenceId.ofUniqueId(persistenceId));
            this.journal = journal;
            this.snapshot = snapshot;
        }

        static Behavior<Persist> create(final String persistenceId, final String journal, final String snapshot)
        {
            return new PersistingActor(persistenceId, journal, snapshot);
        }

        @Override
        public Long emptyState()
        {
            return 0L;
        }

        @Override
        public CommandHandler<Persist, String, Long> commandHandler()
        {
            return newCommandHandlerBuilder().forAnyState().onCommand(Persist.class, (state, command) ->
                Effect().persist(command.event()).thenRun(persisted -> command.replyTo().tell(Done.getInstance()))).build();
        }

        @Override
        public EventHandler<Long, String> eventHandler()
        {
            return newEventHandlerBuilder().forAnyState().onEvent(String.class, (state, event) -> state + 1).build();
        }

        @Override
        public String journalPluginId()
        {
            return journal;
        }

        @Override
        public String snapshotPluginId()
        {
            return snapshot;
        }
    }
}
