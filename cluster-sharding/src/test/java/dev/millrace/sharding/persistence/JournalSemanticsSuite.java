package dev.millrace.sharding.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.journal.Tagged;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The journal contract every Millrace journal plugin must keep, in the spirit of Pekko's {@code JournalSpec}
 * (which is ScalaTest-based): it talks to the plugin only through Pekko's {@link JournalProtocol}. A plugin's test
 * extends this class and says how to configure it; the quorum journal will run the same suite.
 * <p>
 * Each test gets a fresh data directory and a fresh actor system, shut down afterwards (which stops the plugin
 * and releases its files); {@link #restart()} starts a new system on the same directory.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class JournalSemanticsSuite
{
    private static final String PID = "pid-1";

    @TempDir
    protected Path dataDir;

    private ActorTestKit testKit;
    private JournalProtocolClient journal;

    /**
     * @param dataDir this test's own directory.
     * @return the configuration that defines the plugin {@link #journalPluginId()} storing under {@code dataDir}.
     */
    protected abstract Config storeConfig(Path dataDir);

    /**
     * @return the plugin id under test.
     */
    protected abstract String journalPluginId();

    @BeforeEach
    void startSystem()
    {
        testKit = ActorTestKit.create("journal-suite", storeConfig(dataDir).withFallback(ConfigFactory.load()));
        journal = new JournalProtocolClient(testKit, journalPluginId());
    }

    @AfterEach
    void stopSystem()
    {
        if (testKit != null)
        {
            testKit.shutdownTestKit();
        }
    }

    /**
     * @return the protocol client of the current actor system, for plugin-specific tests.
     */
    protected JournalProtocolClient journal()
    {
        return journal;
    }

    /**
     * @return the current actor system's test kit, for plugin-specific tests.
     */
    protected ActorTestKit testKit()
    {
        return testKit;
    }

    /**
     * Stops the actor system (closing the store) and starts a new one on the same directory.
     */
    protected void restart()
    {
        testKit.shutdownTestKit();
        testKit = null;
        startSystem();
    }

    @Test
    void shouldReplayAllWrittenEventsInOrder()
    {
        journal.writeEvents(PID, 1, 5);

        final JournalProtocolClient.Replay replay = journal.replayAll(PID);

        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), replay.sequenceNrs());
        assertEquals(List.of("pid-1-1", "pid-1-2", "pid-1-3", "pid-1-4", "pid-1-5"), replay.payloads());
        assertEquals(5L, replay.highestSequenceNr());
        assertEquals(JournalProtocolClient.WRITER_UUID, replay.events().get(0).writerUuid());
    }

    @Test
    void shouldReplayFromLowerBound()
    {
        journal.writeEvents(PID, 1, 5);

        assertEquals(List.of(3L, 4L, 5L), journal.replay(PID, 3, Long.MAX_VALUE, Long.MAX_VALUE).sequenceNrs());
    }

    @Test
    void shouldReplayUpToUpperBound()
    {
        journal.writeEvents(PID, 1, 5);

        assertEquals(List.of(1L, 2L, 3L), journal.replay(PID, 1, 3, Long.MAX_VALUE).sequenceNrs());
    }

    @Test
    void shouldReplayAtMostMaxEvents()
    {
        journal.writeEvents(PID, 1, 5);

        assertEquals(List.of(1L, 2L), journal.replay(PID, 1, Long.MAX_VALUE, 2).sequenceNrs());
        assertEquals(List.of(2L, 3L), journal.replay(PID, 2, 4, 2).sequenceNrs());
        assertEquals(List.of(), journal.replay(PID, 1, Long.MAX_VALUE, 0).sequenceNrs());
    }

    @Test
    void shouldReplayASingleEventWhenLowerAndUpperBoundMeet()
    {
        journal.writeEvents(PID, 1, 5);

        assertEquals(List.of(3L), journal.replay(PID, 3, 3, Long.MAX_VALUE).sequenceNrs());
    }

    @Test
    void shouldReplayNothingWhenLowerBoundIsAboveHighest()
    {
        journal.writeEvents(PID, 1, 5);

        final JournalProtocolClient.Replay replay = journal.replay(PID, 6, Long.MAX_VALUE, Long.MAX_VALUE);

        assertEquals(List.of(), replay.sequenceNrs());
        assertEquals(5L, replay.highestSequenceNr());
    }

    @Test
    void shouldReplayNothingForUnknownPersistenceId()
    {
        journal.writeEvents(PID, 1, 5);

        final JournalProtocolClient.Replay replay = journal.replayAll("unknown");

        assertEquals(List.of(), replay.sequenceNrs());
        assertEquals(0L, replay.highestSequenceNr());
    }

    @Test
    void shouldReportHighestSequenceNr()
    {
        assertEquals(0L, journal.highestSequenceNr(PID));
        journal.writeEvents(PID, 1, 5);
        assertEquals(5L, journal.highestSequenceNr(PID));
        journal.writeEvents(PID, 6, 7);
        assertEquals(7L, journal.highestSequenceNr(PID));
    }

    @Test
    void shouldNotReplayDeletedEvents()
    {
        journal.writeEvents(PID, 1, 5);

        journal.deleteTo(PID, 3);

        final JournalProtocolClient.Replay replay = journal.replayAll(PID);
        assertEquals(List.of(4L, 5L), replay.sequenceNrs());
        assertEquals(5L, replay.highestSequenceNr());
    }

    @Test
    void shouldKeepHighestSequenceNrAfterDeletingEverything()
    {
        journal.writeEvents(PID, 1, 5);

        journal.deleteTo(PID, Long.MAX_VALUE);

        final JournalProtocolClient.Replay replay = journal.replayAll(PID);
        assertEquals(List.of(), replay.sequenceNrs());
        assertEquals(5L, replay.highestSequenceNr());
        assertEquals(5L, journal.highestSequenceNr(PID));
    }

    @Test
    void shouldKeepHighestSequenceNrAfterDeletingEverythingAndRestarting()
    {
        journal.writeEvents(PID, 1, 5);
        journal.deleteTo(PID, 5);

        restart();

        assertEquals(5L, journal.highestSequenceNr(PID));
        journal.writeEvents(PID, 6, 6);
        assertEquals(List.of(6L), journal.replayAll(PID).sequenceNrs());
    }

    @Test
    void shouldNotDeleteEventsWrittenAfterADeleteBeyondHighest()
    {
        journal.writeEvents(PID, 1, 3);
        journal.deleteTo(PID, 10);

        journal.writeEvents(PID, 4, 5);

        assertEquals(List.of(4L, 5L), journal.replayAll(PID).sequenceNrs());
    }

    @Test
    void shouldAcceptDeleteOfUnknownPersistenceId()
    {
        journal.deleteTo("unknown", 10);

        assertEquals(0L, journal.highestSequenceNr("unknown"));
    }

    @Test
    void shouldWriteAtomicWriteOfSeveralEventsTogether()
    {
        final AtomicWrite write = JournalProtocolClient.atomic(
            JournalProtocolClient.repr(PID, 1, "a"),
            JournalProtocolClient.repr(PID, 2, "b"),
            JournalProtocolClient.repr(PID, 3, "c"));

        final List<Object> replies = journal.write(List.of(write));

        assertEquals(3, replies.size());
        replies.forEach((reply) -> assertInstanceOf(JournalProtocol.WriteMessageSuccess.class, reply));
        assertEquals(List.of("a", "b", "c"), journal.replayAll(PID).payloads());
        assertEquals(3L, journal.highestSequenceNr(PID));
    }

    @Test
    void shouldRejectUnserializableAtomicWriteAndStoreTheOthers()
    {
        final List<AtomicWrite> writes = List.of(
            JournalProtocolClient.atomic(JournalProtocolClient.repr(PID, 1, "good-1")),
            JournalProtocolClient.atomic(
                JournalProtocolClient.repr(PID, 2, "would-be-stored"),
                JournalProtocolClient.repr(PID, 3, new Object())),
            JournalProtocolClient.atomic(JournalProtocolClient.repr(PID, 4, "good-4")));

        final List<Object> replies = journal.write(writes);

        assertEquals(4, replies.size());
        assertInstanceOf(JournalProtocol.WriteMessageSuccess.class, replies.get(0));
        assertInstanceOf(JournalProtocol.WriteMessageRejected.class, replies.get(1));
        assertInstanceOf(JournalProtocol.WriteMessageRejected.class, replies.get(2));
        assertInstanceOf(JournalProtocol.WriteMessageSuccess.class, replies.get(3));
        final JournalProtocolClient.Replay replay = journal.replayAll(PID);
        assertEquals(List.of(1L, 4L), replay.sequenceNrs());
        assertEquals(List.of("good-1", "good-4"), replay.payloads());
    }

    @Test
    void shouldReplayUntaggedPayloadOfTaggedEvent()
    {
        final List<Object> replies = journal.write(List.of(
            JournalProtocolClient.atomic(JournalProtocolClient.repr(PID, 1, new Tagged("tagged", Set.of("t1", "t2"))))));

        assertInstanceOf(JournalProtocol.WriteMessageSuccess.class, replies.get(0));
        assertEquals(List.of("tagged"), journal.replayAll(PID).payloads());
    }

    @Test
    void shouldKeepPersistenceIdsApart()
    {
        journal.writeEvents("p-1", 1, 3);
        journal.writeEvents("p-10", 1, 2);
        journal.writeEvents("p-2", 1, 1);

        assertEquals(List.of("p-1-1", "p-1-2", "p-1-3"), journal.replayAll("p-1").payloads());
        assertEquals(List.of("p-10-1", "p-10-2"), journal.replayAll("p-10").payloads());
        assertEquals(List.of("p-2-1"), journal.replayAll("p-2").payloads());
    }

    @Test
    void shouldReproduceEverythingAfterRestart()
    {
        journal.writeEvents("a", 1, 10);
        journal.writeEvents("b", 1, 4);
        journal.deleteTo("b", 2);

        restart();

        assertEquals(LongStream.rangeClosed(1, 10).boxed().toList(), journal.replayAll("a").sequenceNrs());
        assertEquals(List.of(3L, 4L), journal.replayAll("b").sequenceNrs());
        assertEquals(4L, journal.highestSequenceNr("b"));
        // A persistence id first written after the restart must not collide with the earlier ones.
        journal.writeEvents("c", 1, 2);
        journal.writeEvents("a", 11, 11);
        assertEquals(List.of("c-1", "c-2"), journal.replayAll("c").payloads());
        assertEquals(11, journal.replayAll("a").events().size());
    }

    @Test
    void shouldKeepEventsOfConcurrentWritersApartAndInOrder() throws Exception
    {
        final int writers = 20;
        final int eventsPerWriter = 50;
        final int eventsPerBatch = 10;
        final List<CompletableFuture<Void>> done = new ArrayList<>();
        // Own threads: the common pool has one thread on a two-core machine, which would serialize the writers.
        final ExecutorService threads = Executors.newFixedThreadPool(writers);
        for (int w = 0; w < writers; w++)
        {
            final String persistenceId = "concurrent-" + w;
            // Each writer waits for its previous batch, like a persistent actor; writers run side by side.
            done.add(CompletableFuture.runAsync(
                () ->
                {
                    for (long from = 1; from <= eventsPerWriter; from += eventsPerBatch)
                    {
                        journal.writeEvents(persistenceId, from, from + eventsPerBatch - 1);
                    }
                },
                threads));
        }
        try
        {
            CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).get(45, TimeUnit.SECONDS);
        }
        finally
        {
            threads.shutdownNow();
            assertTrue(threads.awaitTermination(10, TimeUnit.SECONDS));
        }

        for (int w = 0; w < writers; w++)
        {
            final String persistenceId = "concurrent-" + w;
            final JournalProtocolClient.Replay replay = journal.replayAll(persistenceId);
            assertEquals(LongStream.rangeClosed(1, eventsPerWriter).boxed().toList(), replay.sequenceNrs());
            assertTrue(replay.payloads().stream().allMatch((p) -> ((String)p).startsWith(persistenceId + "-")));
            assertEquals(eventsPerWriter, replay.highestSequenceNr());
        }
    }
}
