package dev.millrace.sharding.persistence.quorum;

import com.typesafe.config.Config;
import dev.millrace.sharding.persistence.JournalProtocolClient;
import dev.millrace.sharding.persistence.JournalSemanticsSuite;
import dev.millrace.sharding.persistence.SnapshotProtocolClient;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs the journal contract against the quorum journal on three voters in this JVM. Each test gets fresh voters
 * (in its own directory), started with the test's actor system; {@code restart()} restarts only the actor system,
 * so the client reconnects to the same voters.
 */
class QuorumJournalSemanticsTest extends JournalSemanticsSuite
{
    private QuorumTestCluster cluster;

    @Override
    protected Config storeConfig(final Path dataDir)
    {
        if (cluster == null)
        {
            cluster = QuorumTestCluster.start(dataDir.resolve("voters"));
        }
        return cluster.systemConfig();
    }

    @Override
    protected String journalPluginId()
    {
        return QuorumTestCluster.JOURNAL_ID;
    }

    @Test
    void shouldRefuseAWriteWhoseSequenceNumberIsNotTheNext()
    {
        journal().writeEvents("fenced", 1, 3);

        // A stale incarnation of the writer, still believing 2 is next.
        final Optional<Throwable> stale = journal().tryWriteEvents("fenced", 2, 2);
        // A writer that skipped ahead.
        final Optional<Throwable> ahead = journal().tryWriteEvents("fenced", 5, 5);

        assertTrue(stale.isPresent());
        assertTrue(stale.get().getMessage().contains("next sequence number is 4"), stale.get().getMessage());
        assertTrue(ahead.isPresent());
        final JournalProtocolClient.Replay replay = journal().replayAll("fenced");
        assertEquals(List.of("fenced-1", "fenced-2", "fenced-3"), replay.payloads());
        assertEquals(3L, replay.highestSequenceNr());
    }

    @Test
    void shouldReplayManyLargeEventsInChunks()
    {
        // 400 events of 1 KiB: about 25 replay chunks of at most 16 KiB (max-chunk-bytes in the test cluster).
        final String kilobyte = "x".repeat(1024);
        final List<AtomicWrite> writes = new ArrayList<>();
        for (long s = 1; s <= 400; s++)
        {
            writes.add(JournalProtocolClient.atomic(JournalProtocolClient.repr("large", s, s + kilobyte)));
            if (writes.size() == 10)
            {
                assertTrue(journal().tryWrite(writes).isEmpty());
                writes.clear();
            }
        }

        final JournalProtocolClient.Replay replay = journal().replayAll("large");

        assertEquals(LongStream.rangeClosed(1, 400).boxed().toList(), replay.sequenceNrs());
        assertEquals("400" + kilobyte, replay.payloads().get(399));
    }

    @Test
    void shouldFailAWriteTooLargeForTheTermWithoutBlockingOthers()
    {
        // The test cluster's term is 256 KiB, so a message may take at most 32 KiB.
        final Optional<Throwable> tooLarge = journal().tryWrite(List.of(
            JournalProtocolClient.atomic(JournalProtocolClient.repr("big", 1, "y".repeat(100_000)))));

        assertTrue(tooLarge.isPresent());
        assertTrue(tooLarge.get().getMessage().contains("term-length"), tooLarge.get().getMessage());
        journal().writeEvents("big", 1, 2);
        assertEquals(List.of(1L, 2L), journal().replayAll("big").sequenceNrs());
    }

    @Test
    void shouldRecoverAPersistentActorFromSnapshotAndEvents()
    {
        final TestProbe<Done> done = testKit().createTestProbe();
        final TestProbe<String> state = testKit().createTestProbe();
        ActorRef<JoinedStringEntity.Command> entity = testKit().spawn(JoinedStringEntity.create("entity-1"));
        for (final String text : List.of("a", "b", "c", "d", "e"))
        {
            entity.tell(new JoinedStringEntity.Append(text, done.ref()));
            done.expectMessage(Done.getInstance());
        }
        testKit().stop(entity);

        restart();

        final TestProbe<String> recovered = testKit().createTestProbe();
        entity = testKit().spawn(JoinedStringEntity.create("entity-1"));
        entity.tell(new JoinedStringEntity.Get(recovered.ref()));
        assertEquals("a,b,c,d,e", recovered.receiveMessage());
        state.stop();
        // The actor snapshotted at 3 (snapshotEvery(3, 2)); recovery started from it and replayed 4 and 5.
        final SnapshotProtocolClient snapshots = new SnapshotProtocolClient(testKit(), QuorumTestCluster.SNAPSHOT_ID);
        assertEquals("a,b,c",
            snapshots.load("entity-1", SnapshotSelectionCriteria.latest()).orElseThrow().snapshot());
    }

    @AfterEach
    void stopVoters()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }
}
