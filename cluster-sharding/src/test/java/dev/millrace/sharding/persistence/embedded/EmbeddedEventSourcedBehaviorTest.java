package dev.millrace.sharding.persistence.embedded;

import com.typesafe.config.ConfigFactory;
import dev.millrace.sharding.persistence.JournalProtocolClient;
import dev.millrace.sharding.persistence.SnapshotProtocolClient;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Real {@code EventSourcedBehavior}s (pekko-persistence-typed) on the embedded journal and snapshot store:
 * what a Millrace coordinator sees.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EmbeddedEventSourcedBehaviorTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(15);

    @TempDir
    Path dataDir;

    private ActorTestKit testKit;

    @BeforeEach
    void startSystem()
    {
        testKit = ActorTestKit.create("es-test", EmbeddedTestConfig.forDir(dataDir).withFallback(ConfigFactory.load()));
    }

    @AfterEach
    void stopSystem()
    {
        if (testKit != null)
        {
            testKit.shutdownTestKit();
        }
    }

    private void restart()
    {
        testKit.shutdownTestKit();
        testKit = null;
        startSystem();
    }

    private void append(final ActorRef<AppendOnlyEntity.Command> entity, final String prefix, final int count)
    {
        final TestProbe<Long> acks = testKit.createTestProbe();
        for (int i = 1; i <= count; i++)
        {
            entity.tell(new AppendOnlyEntity.Append(prefix + i, acks.ref()));
            assertEquals(i, acks.receiveMessage(TIMEOUT));
        }
    }

    private String log(final String persistenceId, final int snapshotEvery)
    {
        final ActorRef<AppendOnlyEntity.Command> entity =
            testKit.spawn(AppendOnlyEntity.create(persistenceId, snapshotEvery));
        final TestProbe<String> probe = testKit.createTestProbe();
        entity.tell(new AppendOnlyEntity.GetLog(probe.ref()));
        return probe.receiveMessage(TIMEOUT);
    }

    private static String expectedLog(final String prefix, final int count)
    {
        return IntStream.rangeClosed(1, count).mapToObj((i) -> prefix + i).collect(Collectors.joining(","));
    }

    @Test
    void shouldRecoverStateFromEventsAfterRestart()
    {
        append(testKit.spawn(AppendOnlyEntity.create("entity-1", 0)), "e", 12);

        restart();

        assertEquals(expectedLog("e", 12), log("entity-1", 0));
    }

    @Test
    void shouldRecoverStateFromSnapshotAndEventsAfterRestart()
    {
        append(testKit.spawn(AppendOnlyEntity.create("entity-1", 5)), "e", 12);

        restart();

        assertEquals(expectedLog("e", 12), log("entity-1", 5));
        final SnapshotProtocolClient snapshots = new SnapshotProtocolClient(testKit, EmbeddedTestConfig.SNAPSHOT_ID);
        assertEquals(
            10L,
            snapshots.load("entity-1", SnapshotSelectionCriteria.latest()).orElseThrow().metadata().sequenceNr());
    }

    @Test
    void shouldPersistEventsOfManyConcurrentEntities()
    {
        final int entities = 20;
        final int eventsPerEntity = 50;
        final TestProbe<Long> acks = testKit.createTestProbe();
        final List<ActorRef<AppendOnlyEntity.Command>> refs = new ArrayList<>();
        for (int e = 0; e < entities; e++)
        {
            refs.add(testKit.spawn(AppendOnlyEntity.create("concurrent-" + e, 0)));
        }
        // All commands at once: the entities persist side by side, each stashing while its write is in flight.
        for (int i = 1; i <= eventsPerEntity; i++)
        {
            for (final ActorRef<AppendOnlyEntity.Command> ref : refs)
            {
                ref.tell(new AppendOnlyEntity.Append("e" + i, acks.ref()));
            }
        }
        final List<Long> received = acks.receiveSeveralMessages(entities * eventsPerEntity, Duration.ofSeconds(60));
        assertEquals(entities * eventsPerEntity, received.size());

        restart();

        final JournalProtocolClient journal = new JournalProtocolClient(testKit, EmbeddedTestConfig.JOURNAL_ID);
        for (int e = 0; e < entities; e++)
        {
            final JournalProtocolClient.Replay replay = journal.replayAll("concurrent-" + e);
            assertEquals(LongStream.rangeClosed(1, eventsPerEntity).boxed().toList(), replay.sequenceNrs());
            assertEquals(expectedLog("e", eventsPerEntity), String.join(",", replay.payloads().stream()
                .map(Object::toString).toList()));
        }
        assertTrue(log("concurrent-7", 0).endsWith(",e50"));
    }
}
