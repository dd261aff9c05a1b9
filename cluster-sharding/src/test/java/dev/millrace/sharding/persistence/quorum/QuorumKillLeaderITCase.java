package dev.millrace.sharding.persistence.quorum;

import com.typesafe.config.ConfigFactory;
import dev.millrace.sharding.persistence.JournalProtocolClient;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Real processes, real kills: three voters, each in its own JVM ({@link QuorumVoterProcess}); this JVM persists
 * events through the quorum journal while voter JVMs are killed with SIGKILL ({@code kill -9}, by pid). Killing the
 * leader: a new leader is elected and writes resume. Killing a minority: the majority carries on. Killing a
 * majority: writes fail cleanly, and resume when a voter returns. Killing and restarting every voter: everything is
 * recovered. Every acknowledged event replays exactly once and in order. The writer acts like a persistent actor:
 * after a failed write it reads the highest sequence number and goes on from there. All loops are bounded in time.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class QuorumKillLeaderITCase
{
    private static final String PID = "kill-leader";
    private static final int ACKED_BEFORE_KILL = 30;
    private static final int ACKED_TOTAL = 80;
    private static final Duration START_WITHIN = Duration.ofSeconds(90);
    private static final Duration RESUME_WITHIN = Duration.ofSeconds(60);

    @TempDir
    Path dataDir;

    /** One voter JVM and what it printed. */
    private static final class Voter
    {
        private final int id;
        private final Process process;
        private volatile boolean ready;
        private volatile String role = "";

        Voter(final int id, final Process process)
        {
            this.id = id;
            this.process = process;
            final Thread reader = new Thread(this::read, "voter-" + id + "-stdout");
            reader.setDaemon(true);
            reader.start();
        }

        private void read()
        {
            try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
            {
                String line;
                while ((line = lines.readLine()) != null)
                {
                    if (line.startsWith("READY"))
                    {
                        ready = true;
                    }
                    else if (line.startsWith("ROLE "))
                    {
                        role = line.substring(5).trim();
                    }
                }
            }
            catch (final IOException ex)
            {
                // The process died; its role is stale from now on.
            }
        }

        boolean leads()
        {
            return process.isAlive() && "LEADER".equals(role);
        }

        void kill() throws InterruptedException
        {
            // SIGKILL, by pid: no clean shutdown, no goodbye to the other voters.
            process.destroyForcibly();
            assertTrue(process.waitFor(10, TimeUnit.SECONDS), "voter " + id + " pid " + process.pid() + " did not die");
        }
    }

    @Test
    void shouldCarryOnWithoutAMinorityRefuseWithoutAMajorityAndRecoverEverythingAfterAFullRestart()
        throws Exception
    {
        final QuorumTestCluster ports = new QuorumTestCluster(
            dataDir.resolve("unused"), java.util.Map.of("client.request-timeout", "3s"));
        final List<String> voterList = ports.clientConfig().getStringList(QuorumConfig.PATH + ".voters");
        final Voter[] voters = new Voter[QuorumTestCluster.VOTERS];
        ActorTestKit testKit = null;
        try
        {
            for (int id = 0; id < QuorumTestCluster.VOTERS; id++)
            {
                voters[id] = new Voter(id, startVoter(id, voterList));
            }
            final Voter leader = awaitLeader(List.of(voters), START_WITHIN, null);
            testKit = ActorTestKit.create("quorum-faults", ports.systemConfig().withFallback(ConfigFactory.load()));
            JournalProtocolClient journal = new JournalProtocolClient(testKit, QuorumTestCluster.JOURNAL_ID);
            final TreeSet<Long> acknowledged = new TreeSet<>();
            long next = writeAcknowledged(journal, 1, 10, acknowledged);

            // A minority (one follower) dies: the majority carries on.
            final Voter follower = voters[(leader.id + 1) % QuorumTestCluster.VOTERS];
            follower.kill();
            next = writeAcknowledged(journal, next, next + 9, acknowledged);

            // The leader dies too: no majority, writes fail cleanly within the request timeout.
            leader.kill();
            final long startNs = System.nanoTime();
            final Optional<Throwable> failure = tryWrite(journal, next);
            final long failedAfterMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            assertTrue(failure.isPresent(), "a write without a majority must fail");
            assertTrue(failure.get().getMessage() != null && failure.get().getMessage().contains("quorum journal"),
                String.valueOf(failure.get()));
            assertTrue(failedAfterMs < 10_000, "failed after " + failedAfterMs + " ms with a 3 s request timeout");

            // One voter returns (same directory, same ports): writes resume by themselves.
            voters[follower.id] = new Voter(follower.id, startVoter(follower.id, voterList));
            awaitReady(voters[follower.id]);
            next = readHighest(journal) + 1;
            next = writeAcknowledged(journal, next, next + 9, acknowledged);

            // Every voter restarts: everything acknowledged is recovered (service snapshot, if any, plus log).
            testKit.shutdownTestKit();
            testKit = null;
            for (final Voter voter : voters)
            {
                if (voter.process.isAlive())
                {
                    voter.kill();
                }
            }
            for (int id = 0; id < QuorumTestCluster.VOTERS; id++)
            {
                voters[id] = new Voter(id, startVoter(id, voterList));
            }
            for (final Voter voter : voters)
            {
                awaitReady(voter);
            }
            awaitLeader(List.of(voters), START_WITHIN, null);
            testKit = ActorTestKit.create("quorum-faults", ports.systemConfig().withFallback(ConfigFactory.load()));
            journal = new JournalProtocolClient(testKit, QuorumTestCluster.JOURNAL_ID);
            final JournalProtocolClient.Replay replay = replayUntilAnswered(journal);
            assertOnceInOrder(replay, acknowledged);
        }
        finally
        {
            if (testKit != null)
            {
                testKit.shutdownTestKit();
            }
            stopAll(List.of(voters));
        }
    }

    private void awaitReady(final Voter voter) throws Exception
    {
        final long deadline = System.nanoTime() + START_WITHIN.toNanos();
        while (!voter.ready)
        {
            if (!voter.process.isAlive() || System.nanoTime() - deadline > 0)
            {
                final Path stderr = dataDir.resolve("voter-" + voter.id + "-stderr.log");
                final String log = java.nio.file.Files.exists(stderr) ? java.nio.file.Files.readString(stderr) : "";
                fail("voter " + voter.id + " did not start again (alive: " + voter.process.isAlive() + "): " +
                    log.substring(Math.max(0, log.length() - 3000)));
            }
            Thread.sleep(50);
        }
    }

    private static long writeAcknowledged(
        final JournalProtocolClient journal, final long from, final long upTo, final TreeSet<Long> acknowledged)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + RESUME_WITHIN.toNanos();
        long next = from;
        while (next <= upTo)
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("writes " + from + ".." + upTo + " not acknowledged within " + RESUME_WITHIN);
            }
            if (tryWrite(journal, next).isEmpty())
            {
                acknowledged.add(next);
                acknowledged.add(next + 1);
                next += 2;
            }
            else
            {
                next = readHighest(journal) + 1;
            }
        }
        return next;
    }

    private static JournalProtocolClient.Replay replayUntilAnswered(final JournalProtocolClient journal)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + RESUME_WITHIN.toNanos();
        while (true)
        {
            try
            {
                return journal.replayAll(PID);
            }
            catch (final AssertionError ex)
            {
                if (System.nanoTime() - deadline > 0)
                {
                    throw ex;
                }
                Thread.sleep(50);
            }
        }
    }

    private static void assertOnceInOrder(final JournalProtocolClient.Replay replay, final TreeSet<Long> acknowledged)
    {
        final List<Long> expected = new ArrayList<>();
        for (long s = 1; s <= replay.highestSequenceNr(); s++)
        {
            expected.add(s);
        }
        assertEquals(expected, replay.sequenceNrs(), "every event once, in order, no gaps");
        assertTrue(replay.sequenceNrs().containsAll(acknowledged), "every acknowledged event is replayed");
        for (final JournalProtocolClient.Replayed event : replay.events())
        {
            assertEquals(PID + "-" + event.sequenceNr(), event.payload());
        }
    }

    private static void stopAll(final List<Voter> voters) throws IOException, InterruptedException
    {
        for (final Voter voter : voters)
        {
            if (voter != null)
            {
                // Closing stdin asks for a clean stop; a voter that does not stop in time is killed by its pid.
                voter.process.getOutputStream().close();
            }
        }
        for (final Voter voter : voters)
        {
            if (voter != null && !voter.process.waitFor(15, TimeUnit.SECONDS))
            {
                voter.process.destroyForcibly();
                voter.process.waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void shouldElectNewLeaderAndReplayEveryAcknowledgedEventOnceInOrderAfterKillDashNineOfTheLeader()
        throws Exception
    {
        final QuorumTestCluster ports = new QuorumTestCluster(dataDir.resolve("unused"), java.util.Map.of());
        final List<String> voterList = ports.clientConfig().getStringList(QuorumConfig.PATH + ".voters");
        final List<Voter> voters = new ArrayList<>();
        ActorTestKit testKit = null;
        try
        {
            for (int id = 0; id < QuorumTestCluster.VOTERS; id++)
            {
                voters.add(new Voter(id, startVoter(id, voterList)));
            }
            final Voter leader = awaitLeader(voters, START_WITHIN, null);

            testKit = ActorTestKit.create("quorum-kill", ports.systemConfig().withFallback(ConfigFactory.load()));
            final JournalProtocolClient journal = new JournalProtocolClient(testKit, QuorumTestCluster.JOURNAL_ID);
            final TreeSet<Long> acknowledged = new TreeSet<>();
            long next = 1;
            boolean killed = false;
            final long deadline = System.nanoTime() + RESUME_WITHIN.toNanos() + START_WITHIN.toNanos();
            while (acknowledged.size() < ACKED_TOTAL && System.nanoTime() - deadline < 0)
            {
                if (!killed && acknowledged.size() >= ACKED_BEFORE_KILL)
                {
                    leader.kill();
                    killed = true;
                }
                final Optional<Throwable> failure = tryWrite(journal, next);
                if (failure.isEmpty())
                {
                    acknowledged.add(next);
                    acknowledged.add(next + 1);
                    next += 2;
                }
                else
                {
                    next = readHighest(journal) + 1;
                }
            }
            assertTrue(killed, "the leader was never killed");
            assertEquals(ACKED_TOTAL, acknowledged.size(), "writes did not resume after the leader was killed");
            final Voter newLeader = awaitLeader(voters, Duration.ofSeconds(10), leader);
            assertNotEquals(leader.id, newLeader.id);

            assertOnceInOrder(journal.replayAll(PID), acknowledged);
        }
        finally
        {
            if (testKit != null)
            {
                testKit.shutdownTestKit();
            }
            stopAll(voters);
        }
    }

    private Process startVoter(final int id, final List<String> voterList) throws IOException
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> command = new ArrayList<>(List.of(
            java, "-Xmx192m", "-XX:+UseSerialGC",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"),
            QuorumVoterProcess.class.getName(),
            String.valueOf(id),
            dataDir.resolve("voter-" + id).toString()));
        command.addAll(voterList);
        return new ProcessBuilder(command)
            .redirectError(dataDir.resolve("voter-" + id + "-stderr.log").toFile())
            .start();
    }

    private static Voter awaitLeader(final List<Voter> voters, final Duration within, final Voter not)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + within.toNanos();
        while (System.nanoTime() - deadline < 0)
        {
            for (final Voter voter : voters)
            {
                if (voter != not && voter.leads())
                {
                    return voter;
                }
                if (!voter.process.isAlive() && voter != not)
                {
                    fail("voter " + voter.id + " exited with " + voter.process.exitValue());
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no leader among the voter processes within " + within);
    }

    private static Optional<Throwable> tryWrite(final JournalProtocolClient journal, final long from)
    {
        try
        {
            return journal.tryWriteEvents(PID, from, from + 1);
        }
        catch (final AssertionError ex)
        {
            return Optional.of(ex);
        }
    }

    private static long readHighest(final JournalProtocolClient journal) throws InterruptedException
    {
        final long deadline = System.nanoTime() + RESUME_WITHIN.toNanos();
        while (System.nanoTime() - deadline < 0)
        {
            try
            {
                return journal.highestSequenceNr(PID);
            }
            catch (final AssertionError ex)
            {
                Thread.sleep(50);
            }
        }
        throw new AssertionError("highest sequence number not readable within " + RESUME_WITHIN);
    }
}
