package dev.millrace.sharding.persistence.quorum;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client sends the requests it has in flight again when the leader changes: writers that keep one write in flight
 * each while the leader is stopped all complete, none fails (with a request timeout far longer than the failover),
 * and every event is stored once, in order (a repeated write that had been committed is acknowledged, not stored
 * again nor refused).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QuorumClientResendTest
{
    private static final int WRITERS = 4;
    private static final int EVENTS = 40;

    @TempDir
    Path dataDir;

    private QuorumTestCluster cluster;

    @AfterEach
    void stop()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }

    @Test
    void shouldCompleteEveryWriteInFlightAcrossALeaderFailover() throws Exception
    {
        cluster = QuorumTestCluster.start(dataDir.resolve("voters"), Map.of("client.request-timeout", "30s"));
        final QuorumConfig config = QuorumConfig.fromRoot(
            cluster.clientConfig().withFallback(ConfigFactory.load()).resolve());
        try (QuorumClient client = QuorumClient.start(config))
        {
            final int leader = cluster.awaitLeader(Duration.ofSeconds(20));
            final long[] next = new long[WRITERS];
            final List<CompletableFuture<QuorumMessage>> pending = new ArrayList<>();
            for (int writer = 0; writer < WRITERS; writer++)
            {
                next[writer] = 1;
                pending.add(write(client, writer, 1));
            }
            boolean leaderStopped = false;
            int acknowledged = 0;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (acknowledged < WRITERS * EVENTS)
            {
                assertTrue(System.nanoTime() - deadline < 0, "writes did not complete: " + acknowledged + " acknowledged");
                boolean progress = false;
                for (int writer = 0; writer < WRITERS; writer++)
                {
                    final CompletableFuture<QuorumMessage> write = pending.get(writer);
                    if (write == null || !write.isDone())
                    {
                        continue;
                    }
                    // Throws when the write failed: after a failover it must have been sent again, not failed.
                    final QuorumMessage.WriteResult result = assertInstanceOf(
                        QuorumMessage.WriteResult.class, write.get());
                    assertEquals(1, result.refusals().size());
                    assertEquals(null, result.refusals().get(0), "writer " + writer + " event " + next[writer]);
                    acknowledged++;
                    progress = true;
                    next[writer]++;
                    pending.set(writer, next[writer] <= EVENTS ? write(client, writer, next[writer]) : null);
                }
                if (!leaderStopped && acknowledged >= WRITERS * EVENTS / 4)
                {
                    // Every writer has a write in flight to this leader now.
                    cluster.stopVoter(leader);
                    leaderStopped = true;
                }
                if (!progress)
                {
                    awaitAny(pending, deadline);
                }
            }
            assertTrue(leaderStopped);
            assertTrue(cluster.awaitLeader(Duration.ofSeconds(20)) != leader, "a new leader was elected");

            for (int writer = 0; writer < WRITERS; writer++)
            {
                final String pid = "resend-" + writer;
                final QuorumMessage.ReplayChunk replay = assertInstanceOf(QuorumMessage.ReplayChunk.class, client.submit(
                    id -> new QuorumMessage.Replay(id, pid, 1, Long.MAX_VALUE, Long.MAX_VALUE)).get(30, TimeUnit.SECONDS));
                assertEquals(EVENTS, replay.events().size(), "each event of " + pid + " stored once");
                for (int i = 0; i < EVENTS; i++)
                {
                    assertEquals(i + 1, replay.events().get(i).sequenceNr());
                    assertEquals(pid + "-" + (i + 1), new String(replay.events().get(i).body(), StandardCharsets.UTF_8));
                }
            }
        }
    }

    private static void awaitAny(final List<CompletableFuture<QuorumMessage>> pending, final long deadlineNs)
        throws Exception
    {
        final CompletableFuture<?>[] running = pending.stream().filter(f -> f != null).toArray(CompletableFuture[]::new);
        try
        {
            CompletableFuture.anyOf(running).get(Math.max(1, deadlineNs - System.nanoTime()), TimeUnit.NANOSECONDS);
        }
        catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex)
        {
            // A failed write is reported by the loop; a timeout by its deadline check.
        }
    }

    private static CompletableFuture<QuorumMessage> write(final QuorumClient client, final int writer, final long sequenceNr)
    {
        final String pid = "resend-" + writer;
        final byte[] body = (pid + "-" + sequenceNr).getBytes(StandardCharsets.UTF_8);
        return client.submit(id -> new QuorumMessage.Write(id, List.of(new QuorumMessage.AtomicEntry(
            pid, sequenceNr, sequenceNr, List.of(new QuorumMessage.Event(sequenceNr, body))))));
    }
}
