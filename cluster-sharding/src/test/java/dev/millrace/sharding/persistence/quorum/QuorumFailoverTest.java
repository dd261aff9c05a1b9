package dev.millrace.sharding.persistence.quorum;

import com.typesafe.config.ConfigFactory;
import dev.millrace.sharding.persistence.JournalProtocolClient;
import dev.millrace.sharding.persistence.SnapshotProtocolClient;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The quorum journal when voters fail, with three voters in this JVM: without a majority writes fail cleanly and
 * resume by themselves when a voter returns; when the leader stops a new one is elected and no acknowledged event is
 * lost or duplicated; a restart of every voter recovers everything from the Aeron Cluster snapshot and the log.
 * <p>
 * The writer behaves like a persistent actor: after a failed write (whose fate is unknown) it reads the highest
 * sequence number again and goes on from there.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QuorumFailoverTest
{
    private static final String PID = "failover-1";
    private static final Duration RESUME_WITHIN = Duration.ofSeconds(40);

    @TempDir
    Path dataDir;

    private QuorumTestCluster cluster;
    private ActorTestKit testKit;
    private JournalProtocolClient journal;

    private void start(final Map<String, Object> overrides)
    {
        cluster = QuorumTestCluster.start(dataDir.resolve("voters"), overrides);
        startSystem();
    }

    private void startSystem()
    {
        testKit = ActorTestKit.create("quorum-failover", cluster.systemConfig().withFallback(ConfigFactory.load()));
        journal = new JournalProtocolClient(testKit, QuorumTestCluster.JOURNAL_ID);
    }

    @AfterEach
    void stop()
    {
        if (testKit != null)
        {
            testKit.shutdownTestKit();
        }
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void shouldRefuseWritesWithoutMajorityAndResumeWhenAVoterReturns()
    {
        start(Map.of("client.request-timeout", "3s"));
        journal.writeEvents(PID, 1, 5);
        final int leader = cluster.awaitLeader(Duration.ofSeconds(10));
        final int follower = (leader + 1) % QuorumTestCluster.VOTERS;
        cluster.stopVoter(leader);
        cluster.stopVoter(follower);

        final long startNs = System.nanoTime();
        final Optional<Throwable> failure = journal.tryWriteEvents(PID, 6, 6);
        final long failedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);

        assertTrue(failure.isPresent(), "a write without a majority must fail");
        assertTrue(failure.get().getMessage().contains("quorum journal"), failure.get().toString());
        assertTrue(failure.get().getMessage().contains(cluster.clientConfig().getStringList(
            QuorumConfig.PATH + ".voters").get(0)), "the error names the voters: " + failure.get().getMessage());
        assertTrue(failedAfterMs < 8_000, "failed after " + failedAfterMs + " ms, request-timeout is 3 s");

        cluster.startVoter(follower);

        final long highest = writeUntilAccepted(PID, 6, 10);
        final JournalProtocolClient.Replay replay = journal.replayAll(PID);
        assertContiguousFromOne(replay.sequenceNrs(), highest);
        assertTrue(highest >= 10);
    }

    @Test
    void shouldElectNewLeaderAndKeepEveryAcknowledgedEventOnceAndInOrder()
    {
        start(Map.of("client.request-timeout", "3s"));
        final int oldLeader = cluster.awaitLeader(Duration.ofSeconds(10));
        final TreeSet<Long> acknowledged = new TreeSet<>();
        long next = 1;
        final int total = 60;
        final long deadline = System.nanoTime() + RESUME_WITHIN.toNanos();
        boolean stopped = false;
        while (acknowledged.size() < total && System.nanoTime() - deadline < 0)
        {
            if (!stopped && acknowledged.size() == 20)
            {
                cluster.stopVoter(oldLeader);
                stopped = true;
            }
            final Optional<Throwable> failure = tryWrite(PID, next, next + 1);
            if (failure.isEmpty())
            {
                acknowledged.add(next);
                acknowledged.add(next + 1);
                next += 2;
            }
            else
            {
                // Like a restarted persistent actor: the failed write may or may not be stored; recover, go on.
                next = readHighestUntilAnswered(PID) + 1;
            }
        }
        assertEquals(total, acknowledged.size(), "writes did not resume within " + RESUME_WITHIN);
        final int newLeader = cluster.awaitLeader(Duration.ofSeconds(10));
        assertNotEquals(oldLeader, newLeader);

        final JournalProtocolClient.Replay replay = journal.replayAll(PID);
        assertContiguousFromOne(replay.sequenceNrs(), replay.highestSequenceNr());
        assertTrue(replay.sequenceNrs().containsAll(acknowledged), "every acknowledged event is replayed");
        for (final JournalProtocolClient.Replayed event : replay.events())
        {
            assertEquals(PID + "-" + event.sequenceNr(), event.payload());
        }
    }

    @Test
    void shouldRecoverEverythingFromSnapshotAndLogAfterAllVotersRestart()
    {
        start(Map.of("cluster-snapshot.every-log-entries", 5, "cluster-snapshot.check-interval", "50ms"));
        for (int p = 0; p < 5; p++)
        {
            journal.writeEvents("restart-" + p, 1, 10);
        }
        journal.deleteTo("restart-0", 4);
        final SnapshotProtocolClient snapshots = new SnapshotProtocolClient(testKit, QuorumTestCluster.SNAPSHOT_ID);
        snapshots.save(new SnapshotMetadata("restart-1", 10, 0L), "state-at-10");
        final int leader = cluster.awaitLeader(Duration.ofSeconds(10));
        awaitSnapshot(leader);
        // These go only into the log after the snapshot.
        journal.writeEvents("restart-1", 11, 15);
        journal.writeEvents("after-snapshot", 1, 3);

        testKit.shutdownTestKit();
        testKit = null;
        cluster.close();
        for (int id = 0; id < QuorumTestCluster.VOTERS; id++)
        {
            cluster.startVoter(id);
        }
        startSystem();

        assertEquals(List.of(5L, 6L, 7L, 8L, 9L, 10L), journal.replayAll("restart-0").sequenceNrs());
        assertEquals(10L, journal.highestSequenceNr("restart-0"));
        assertEquals(LongStream.rangeClosed(1, 15).boxed().toList(), journal.replayAll("restart-1").sequenceNrs());
        for (int p = 2; p < 5; p++)
        {
            assertEquals(
                LongStream.rangeClosed(1, 10).mapToObj((s) -> "restart-2-" + s).toList().size(),
                journal.replayAll("restart-" + p).sequenceNrs().size());
        }
        assertEquals(List.of("after-snapshot-1", "after-snapshot-2", "after-snapshot-3"),
            journal.replayAll("after-snapshot").payloads());
        final SnapshotProtocolClient reloaded = new SnapshotProtocolClient(testKit, QuorumTestCluster.SNAPSHOT_ID);
        assertEquals("state-at-10",
            reloaded.load("restart-1", SnapshotSelectionCriteria.latest()).orElseThrow().snapshot());
        int fromSnapshot = 0;
        for (int id = 0; id < QuorumTestCluster.VOTERS; id++)
        {
            fromSnapshot += cluster.voter(id).startedFromSnapshot() ? 1 : 0;
        }
        assertEquals(QuorumTestCluster.VOTERS, fromSnapshot, "every voter loads the snapshot, then replays the log");
        // Still writable, with the fencing intact: the next write of restart-1 must be 16.
        assertTrue(journal.tryWriteEvents("restart-1", 15, 15).isPresent(), "a stale sequence number is refused");
        journal.writeEvents("restart-1", 16, 16);
    }

    private void awaitSnapshot(final int leader)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (cluster.voter(leader).snapshotCount() == 0)
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("no cluster snapshot within 20 s after 7 log entries (every-log-entries = 5)");
            }
            pause();
        }
    }

    private long writeUntilAccepted(final String persistenceId, final long firstAttempt, final long upTo)
    {
        final long deadline = System.nanoTime() + RESUME_WITHIN.toNanos();
        long next = firstAttempt;
        while (System.nanoTime() - deadline < 0)
        {
            final Optional<Throwable> failure = tryWrite(persistenceId, next, next);
            if (failure.isEmpty())
            {
                if (next >= upTo)
                {
                    return next;
                }
                next++;
            }
            else
            {
                next = readHighestUntilAnswered(persistenceId) + 1;
            }
        }
        throw new AssertionError("writes did not resume within " + RESUME_WITHIN);
    }

    private Optional<Throwable> tryWrite(final String persistenceId, final long from, final long to)
    {
        try
        {
            return journal.tryWriteEvents(persistenceId, from, to);
        }
        catch (final AssertionError ex)
        {
            return Optional.of(ex);
        }
    }

    private long readHighestUntilAnswered(final String persistenceId)
    {
        final long deadline = System.nanoTime() + RESUME_WITHIN.toNanos();
        while (System.nanoTime() - deadline < 0)
        {
            try
            {
                return journal.highestSequenceNr(persistenceId);
            }
            catch (final AssertionError ex)
            {
                // No answer yet (the replay failed or timed out): ask again.
                pause();
            }
        }
        throw new AssertionError("highest sequence number not readable within " + RESUME_WITHIN);
    }

    private static void assertContiguousFromOne(final List<Long> sequenceNrs, final long highest)
    {
        final List<Long> expected = new ArrayList<>();
        for (long s = 1; s <= highest; s++)
        {
            expected.add(s);
        }
        assertEquals(expected, sequenceNrs, "each event once, in order, no gaps");
    }

    private static void pause()
    {
        try
        {
            Thread.sleep(50);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }
}
