package dev.millrace.sharding.persistence.embedded;

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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every write the embedded journal acknowledged survives a {@code kill -9} of its JVM ({@code sync-writes = on}).
 * <p>
 * Starts {@link DurabilityChild} in a real child JVM, reads its {@code ACK n} lines, kills it with SIGKILL
 * ({@link Process#destroyForcibly()}) mid-stream after {@value #ACKS_BEFORE_KILL} acknowledgements (or
 * {@value #MAX_WAIT_SECONDS} s), then opens the same directory in this JVM and checks that events
 * {@code 1..lastAck} replay in order, without gaps (events after the last ack may or may not be there).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KillDashNineDurabilityITCase
{
    private static final int ACKS_BEFORE_KILL = 200;
    private static final int MAX_WAIT_SECONDS = 30;
    private static final String EOF = "\u0000EOF";

    @TempDir
    Path dataDir;

    @Test
    void shouldReplayEveryAcknowledgedEventAfterKillDashNine() throws Exception
    {
        final Path childLog = dataDir.resolve("child-stderr.log");
        final Process child = startChild(childLog);
        long lastAck = 0;
        try
        {
            final BlockingQueue<String> lines = drain(child);
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(MAX_WAIT_SECONDS);
            while (lastAck < ACKS_BEFORE_KILL)
            {
                final long remainingNs = deadlineNs - System.nanoTime();
                if (remainingNs <= 0)
                {
                    break;
                }
                final String line = lines.poll(remainingNs, TimeUnit.NANOSECONDS);
                if (line == null)
                {
                    break;
                }
                if (line.equals(EOF) || line.equals("DONE"))
                {
                    fail("child stopped before it was killed; stderr: " + tail(childLog));
                }
                if (line.startsWith(DurabilityChild.ACK))
                {
                    final long ack = Long.parseLong(line.substring(DurabilityChild.ACK.length()).trim());
                    assertEquals(lastAck + 1, ack, "child acknowledged out of order");
                    lastAck = ack;
                }
            }
        }
        finally
        {
            // SIGKILL: no shutdown hooks, no RocksDB close, no flush. Only our own child, by its handle.
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "child did not die within 30 s");
        }
        assertTrue(lastAck > 0, "child acknowledged nothing within " + MAX_WAIT_SECONDS + " s; stderr: " +
            tail(childLog));

        final ActorTestKit testKit = ActorTestKit.create(
            "after-kill", EmbeddedTestConfig.forDir(dataDir).withFallback(ConfigFactory.load()));
        try
        {
            final JournalProtocolClient journal = new JournalProtocolClient(testKit, EmbeddedTestConfig.JOURNAL_ID);
            final JournalProtocolClient.Replay replay = journal.replayAll(DurabilityChild.PERSISTENCE_ID);
            final List<Long> sequenceNrs = replay.sequenceNrs();
            assertTrue(sequenceNrs.size() >= lastAck,
                "acknowledged " + lastAck + " events, replayed only " + sequenceNrs.size());
            for (int i = 0; i < sequenceNrs.size(); i++)
            {
                assertEquals(i + 1L, sequenceNrs.get(i), "gap or disorder at position " + i);
                assertEquals("event-" + (i + 1), replay.payloads().get(i));
            }
            assertEquals(sequenceNrs.size(), replay.highestSequenceNr());
            System.out.printf("kill -9 after %d acknowledged events; %d replayed%n", lastAck, sequenceNrs.size());
        }
        finally
        {
            testKit.shutdownTestKit();
        }
    }

    private Process startChild(final Path childLog) throws IOException
    {
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> command = new ArrayList<>(List.of(
            java,
            "-Xmx256m",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "-cp", System.getProperty("java.class.path"),
            DurabilityChild.class.getName(),
            dataDir.toString(),
            "1000000"));
        return new ProcessBuilder(command)
            .redirectError(childLog.toFile())
            .redirectInput(ProcessBuilder.Redirect.PIPE)
            .start();
    }

    private static BlockingQueue<String> drain(final Process child)
    {
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final Thread reader = new Thread(
            () ->
            {
                try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)))
                {
                    String line;
                    while ((line = in.readLine()) != null)
                    {
                        lines.add(line);
                    }
                }
                catch (final IOException ignored)
                {
                    // The stream closes when the child is killed.
                }
                lines.add(EOF);
            },
            "durability-child-stdout");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private static String tail(final Path log)
    {
        try
        {
            final List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - 30), all.size()));
        }
        catch (final IOException ex)
        {
            return "<unreadable: " + ex + ">";
        }
    }
}
