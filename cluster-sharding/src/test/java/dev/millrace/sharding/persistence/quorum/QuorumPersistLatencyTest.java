package dev.millrace.sharding.persistence.quorum;

import com.typesafe.config.ConfigFactory;
import dev.millrace.sharding.persistence.JournalProtocolClient;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A measurement, not a check: the latency of persisting one small event at a time through the quorum journal on three
 * voters on loopback in this JVM, printed as percentiles. Runs only with {@code -Dmillrace.measure=true}:
 * <pre>
 * ./mvnw -o -q -B -ntp -pl cluster-sharding -am verify -DskipITs -Dtest=QuorumPersistLatencyTest \
 *     -Dsurefire.failIfNoSpecifiedTests=false -Dmillrace.measure=true
 * </pre>
 */
@EnabledIfSystemProperty(named = "millrace.measure", matches = "true")
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class QuorumPersistLatencyTest
{
    private static final int WARM_UP = 500;
    private static final int MEASURED = 2_000;

    @TempDir
    Path dataDir;

    @Test
    void shouldPrintPersistLatencyPercentiles()
    {
        // The embedded journal (RocksDB, fsync per write batch) in the same run, as the reference.
        final String embeddedId = "millrace.persistence.embedded.journal";
        final ActorTestKit embedded = ActorTestKit.create("embedded-latency", ConfigFactory.parseMap(java.util.Map.of(
                embeddedId + ".dir", dataDir.resolve("embedded").toString()))
            .withFallback(ConfigFactory.parseString("pekko.loglevel = WARNING"))
            .withFallback(ConfigFactory.load()));
        try
        {
            run("embedded journal (sync-writes = on)", new JournalProtocolClient(embedded, embeddedId));
        }
        finally
        {
            embedded.shutdownTestKit();
        }
        for (final String maxPark : List.of("1ms", "100us"))
        {
            try (QuorumTestCluster cluster = QuorumTestCluster.start(
                dataDir.resolve("quorum-" + maxPark), java.util.Map.of("backoff-max-park-period", maxPark)))
            {
                final ActorTestKit testKit =
                    ActorTestKit.create("quorum-latency", cluster.systemConfig().withFallback(ConfigFactory.load()));
                try
                {
                    run("quorum journal, 3 voters on loopback, backoff max park " + maxPark,
                        new JournalProtocolClient(testKit, QuorumTestCluster.JOURNAL_ID));
                }
                finally
                {
                    testKit.shutdownTestKit();
                }
            }
        }
    }

    private void run(final String what, final JournalProtocolClient journal)
    {
        for (int i = 1; i <= WARM_UP; i++)
        {
            journal.writeEvents("warm-up", i, i);
        }
        final long[] latenciesNs = new long[MEASURED];
        final long startNs = System.nanoTime();
        for (int i = 1; i <= MEASURED; i++)
        {
            final long beforeNs = System.nanoTime();
            journal.writeEvents("measured", i, i);
            latenciesNs[i - 1] = System.nanoTime() - beforeNs;
        }
        final long elapsedNs = System.nanoTime() - startNs;
        Arrays.sort(latenciesNs);
        System.out.printf(
            "%s, %d sequential 1-event writes " +
            "(journal protocol round trip incl. test probe): p50 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, " +
            "max %.2f ms, %.0f writes/s%n",
            what, MEASURED, ms(latenciesNs, 0.50), ms(latenciesNs, 0.99), ms(latenciesNs, 0.999),
            latenciesNs[MEASURED - 1] / 1e6, MEASURED / (elapsedNs / 1e9));
        assertEquals(MEASURED, journal.replayAll("measured").events().size());
        throughput(what, journal);
    }

    /**
     * Many persistent actors at once, each writing batches of events and waiting for each batch (as Pekko does).
     */
    private static void throughput(final String what, final JournalProtocolClient journal)
    {
        final int writers = 40;
        final int batches = 25;
        final int eventsPerBatch = 10;
        final ExecutorService threads = Executors.newFixedThreadPool(writers);
        final List<CompletableFuture<Void>> done = new ArrayList<>();
        final long startNs = System.nanoTime();
        for (int w = 0; w < writers; w++)
        {
            final String persistenceId = "throughput-" + w;
            done.add(CompletableFuture.runAsync(
                () ->
                {
                    for (int b = 0; b < batches; b++)
                    {
                        final long from = 1L + (long)b * eventsPerBatch;
                        journal.writeEvents(persistenceId, from, from + eventsPerBatch - 1);
                    }
                },
                threads));
        }
        try
        {
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(240, TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            throw new AssertionError(ex);
        }
        finally
        {
            threads.shutdownNow();
        }
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        final int events = writers * batches * eventsPerBatch;
        System.out.printf("%s, %d writers x %d batches of %d events: %d events in %.2f s = %.0f events/s%n",
            what, writers, batches, eventsPerBatch, events, seconds, events / seconds);
    }

    private static double ms(final long[] sorted, final double percentile)
    {
        return sorted[Math.min(sorted.length - 1, (int)Math.ceil(percentile * sorted.length) - 1)] / 1e6;
    }
}
