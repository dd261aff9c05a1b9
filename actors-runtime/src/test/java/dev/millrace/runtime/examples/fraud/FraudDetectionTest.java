package dev.millrace.runtime.examples.fraud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.ConfigFactory;
import dev.millrace.runtime.api.CollectingSink;
import dev.millrace.runtime.api.JobBuilder;
import dev.millrace.runtime.execution.JobResult;
import dev.millrace.runtime.execution.JobState;
import dev.millrace.runtime.execution.LocalJobRunner;
import dev.millrace.runtime.state.StateBackends;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fraud-detection example (a behavior per card) against a plain-Java computation of the same rule, at
 * parallelism 2, on the heap and on RocksDB, and with one detector in memory per instance so that nearly every
 * payment rebuilds its card's detector from keyed state.
 */
@Timeout(120)
class FraudDetectionTest
{
    private static final long TRANSACTIONS = 30_000;
    private static final int CARDS = 300;

    @TempDir
    static Path rocksDirectory;
    private static ActorTestKit testKit;

    @BeforeAll
    static void start()
    {
        testKit = ActorTestKit.create(ConfigFactory.parseString(
                "millrace.runtime.state.rocksdb.directory = \"" + rocksDirectory.toString().replace("\\", "/") + "\"\n"
                    + "millrace.runtime.state.rocksdb.block-cache-size = 1 MiB\n")
            .withFallback(ConfigFactory.load()));
    }

    @AfterAll
    static void shutdown()
    {
        testKit.shutdownTestKit();
    }

    /** The rule, per card in time order, without the engine. */
    static List<Alert> expectedAlerts()
    {
        final Map<String, Long> armedAt = new HashMap<>();
        final List<Alert> alerts = new ArrayList<>();
        for (long i = 0; i < TRANSACTIONS; i++)
        {
            final Transaction payment = Transaction.generate(i, CARDS);
            final Long since = armedAt.get(payment.cardId());
            if (since != null && payment.timeMs() > since + FraudDetector.WINDOW_MS)
            {
                armedAt.remove(payment.cardId());
            }
            if (payment.amountCents() < FraudDetector.SMALL_BELOW_CENTS)
            {
                armedAt.put(payment.cardId(), payment.timeMs());
            }
            else if (payment.amountCents() > FraudDetector.LARGE_ABOVE_CENTS && armedAt.containsKey(payment.cardId()))
            {
                alerts.add(new Alert(payment.cardId(), armedAt.remove(payment.cardId()), payment.timeMs(),
                    payment.amountCents()));
            }
        }
        return sorted(alerts);
    }

    private static List<Alert> sorted(final List<Alert> alerts)
    {
        final List<Alert> copy = new ArrayList<>(alerts);
        copy.sort(Comparator.comparing(Alert::cardId).thenComparingLong(Alert::largeTimeMs));
        return copy;
    }

    /** Equal lists, or a failure that shows the first differences rather than both lists. */
    private static void assertSameAlerts(final List<Alert> expected, final List<Alert> actual)
    {
        final List<Alert> missing = new ArrayList<>(expected);
        missing.removeAll(actual);
        final List<Alert> extra = new ArrayList<>(actual);
        extra.removeAll(expected);
        if (!missing.isEmpty() || !extra.isEmpty())
        {
            fail(expected.size() + " alerts expected, " + actual.size() + " raised; missing (first 5): "
                + missing.subList(0, Math.min(5, missing.size())) + "; extra (first 5): "
                + extra.subList(0, Math.min(5, extra.size())));
        }
        assertEquals(expected, actual);
    }

    private static List<Alert> run(final JobBuilder job, final int inMemory) throws Exception
    {
        final CollectingSink<Alert> sink = new CollectingSink<>();
        FraudDetectionJob.alerts(job.setParallelism(2), TRANSACTIONS, CARDS, inMemory).sinkTo(sink);
        final JobResult result = LocalJobRunner.submit(testKit.system(), job.build("fraud"))
            .await(Duration.ofSeconds(90));
        assertEquals(JobState.FINISHED, result.state(), String.valueOf(result.failure()));
        return sorted(sink.results());
    }

    @Test
    void shouldRaiseExactlyThePlainJavaAlertsOnTheHeap() throws Exception
    {
        final List<Alert> expected = expectedAlerts();
        assertTrue(expected.size() > 100, "the generator makes alerts: " + expected.size());
        assertSameAlerts(expected, run(JobBuilder.create(), 10_000));
    }

    @Test
    void shouldRaiseTheSameAlertsWhenDetectorsAreRebuiltFromStateAtEveryPayment() throws Exception
    {
        assertSameAlerts(expectedAlerts(), run(JobBuilder.create(), 1));
    }

    @Test
    void shouldRaiseTheSameAlertsOnRocksDb() throws Exception
    {
        assertSameAlerts(expectedAlerts(), run(JobBuilder.create().stateBackend(StateBackends.rocksDb()), 10_000));
    }
}
