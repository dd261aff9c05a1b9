package dev.millrace.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import dev.millrace.deploy.MillraceMain;
import dev.millrace.deploy.cli.Cli.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code millrace standalone} as a real child JVM on a free Kafka port: ready line, produce and consume through it
 * with the command line, then SIGTERM and a clean stop. The child is ended by its pid whatever happens.
 */
class StandaloneITCase
{
    private static final Pattern READY = Pattern.compile(
        Pattern.quote(StandaloneCommand.READY) + ": kafka bootstrap (127\\.0\\.0\\.1:(\\d+)), data in (.+)");
    private static final String EOF = "\u0000eof";

    @TempDir
    Path dir;

    @Test
    @Timeout(180)
    void shouldServeKafkaClientsAndStopCleanlyOnSigterm() throws Exception
    {
        final Path dataDir = dir.resolve("data");
        final Path stderr = dir.resolve("stderr.log");
        final Process child = new ProcessBuilder(command(dataDir))
            .redirectError(stderr.toFile())
            .start();
        final BlockingQueue<String> stdout = new LinkedBlockingQueue<>();
        final Thread reader = new Thread(() -> readLines(child, stdout), "standalone-stdout");
        reader.setDaemon(true);
        reader.start();
        try
        {
            final String ready = stdout.poll(90, TimeUnit.SECONDS);
            assertNotNull(ready, () -> "no ready line within 90 s; stderr:\n" + tail(stderr));
            final Matcher matcher = READY.matcher(ready);
            assertTrue(matcher.matches(), ready);
            final String bootstrap = matcher.group(1);
            assertTrue(Integer.parseInt(matcher.group(2)) > 0, "the bound port, not 0: " + ready);
            assertEquals(dataDir.toString(), matcher.group(3));

            assertEquals(0, Cli.at(bootstrap, "topics", "create", "trades", "-p", "2").exitCode());
            final Result produced = Cli.atWithInput(bootstrap, "a,1\nb,2\nc,3\n", "produce", "trades",
                "--key-separator", ",");
            assertEquals(0, produced.exitCode(), produced::toString);
            final Result consumed = Cli.at(bootstrap, "consume", "trades", "--group", "desk", "--from-beginning",
                "--print-key", "--separator", "=");
            assertEquals(0, consumed.exitCode(), consumed::toString);
            assertEquals(List.of("a=1", "b=2", "c=3"), consumed.lines().stream().sorted().toList());
            final Result lag = Cli.at(bootstrap, "groups", "describe", "desk");
            assertTrue(lag.out().endsWith("Total lag: 0\n"), lag::toString);

            followUntilSigterm(bootstrap);

            // SIGTERM by pid. Process.destroy() would send the same signal but also close our end of stdout, and the
            // stopped line is what this checks.
            assertTrue(child.toHandle().destroy(), "SIGTERM sent");
            assertTrue(child.waitFor(60, TimeUnit.SECONDS), () -> "no exit within 60 s of SIGTERM; stderr:\n" + tail(stderr));
            final List<String> rest = new ArrayList<>();
            reader.join(10_000);
            stdout.drainTo(rest);
            assertEquals(List.of(StandaloneCommand.STOPPED, EOF), rest, () -> "stderr:\n" + tail(stderr));
            assertEquals(143, child.exitValue(), "the exit status of a JVM stopped by SIGTERM");
            assertTrue(Files.readString(stderr).contains("Successfully shut down"), "Coordinated Shutdown ran");
            assertTrue(Files.exists(dataDir.resolve("logs").resolve("trades-0")), "the partition's log is on disk");
        }
        finally
        {
            child.destroyForcibly();
            child.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** {@code consume --follow} as its own JVM: SIGTERM stops it after it committed what it printed. */
    private void followUntilSigterm(final String bootstrap) throws Exception
    {
        final Path followErr = dir.resolve("follow-stderr.log");
        final Process follower = new ProcessBuilder(javaCommand(List.of("consume", "trades", "--group", "tail",
                "--from-beginning", "--follow", "--bootstrap-server", bootstrap)))
            .redirectError(followErr.toFile())
            .start();
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final Thread reader = new Thread(() -> readLines(follower, lines), "follow-stdout");
        reader.setDaemon(true);
        reader.start();
        try
        {
            final List<String> values = new ArrayList<>();
            for (int i = 0; i < 3; i++)
            {
                final String line = lines.poll(60, TimeUnit.SECONDS);
                assertNotNull(line, () -> "the follower printed " + values + " within 60 s; stderr:\n" + tail(followErr));
                values.add(line);
            }
            assertEquals(List.of("1", "2", "3"), values.stream().sorted().toList());
            assertTrue(follower.isAlive(), "--follow keeps running at the end of the topic");
            assertTrue(follower.toHandle().destroy(), "SIGTERM sent");
            assertTrue(follower.waitFor(30, TimeUnit.SECONDS), () -> "no exit within 30 s; stderr:\n" + tail(followErr));
            assertEquals(143, follower.exitValue());
            assertTrue(Files.readString(followErr).contains("consumed 3 records from topic 'trades' as group 'tail'"),
                () -> tail(followErr));
            final Result lag = Cli.at(bootstrap, "groups", "describe", "tail");
            assertTrue(lag.out().endsWith("Total lag: 0\n"), lag::toString);
        }
        finally
        {
            follower.destroyForcibly();
            follower.waitFor(30, TimeUnit.SECONDS);
        }
    }

    private static List<String> command(final Path dataDir)
    {
        return javaCommand(List.of("standalone", "--port", "0", "--data-dir", dataDir.toString()));
    }

    private static List<String> javaCommand(final List<String> args)
    {
        final String java = ProcessHandle.current().info().command().orElse("java");
        final String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        final List<String> command = new ArrayList<>(List.of(java, "-Xmx512m", "-XX:+UseSerialGC",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/java.nio=ALL-UNNAMED",
            "-cp", classPath, MillraceMain.class.getName()));
        command.addAll(args);
        return command;
    }

    private static void readLines(final Process child, final BlockingQueue<String> lines)
    {
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = reader.readLine()) != null)
            {
                lines.add(line);
            }
        }
        catch (final IOException ex)
        {
            lines.add("read failed: " + ex);
        }
        lines.add(EOF);
    }

    private static String tail(final Path file)
    {
        try
        {
            final List<String> all = Files.readAllLines(file);
            return String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()));
        }
        catch (final IOException ex)
        {
            return "(cannot read " + file + ": " + ex + ")";
        }
    }
}
