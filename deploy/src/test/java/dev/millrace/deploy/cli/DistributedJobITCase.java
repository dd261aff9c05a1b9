package dev.millrace.deploy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import dev.millrace.deploy.MillraceMain;
import dev.millrace.runtime.api.JobBuilder;
import dev.millrace.runtime.api.Source;
import dev.millrace.runtime.api.SourceReader;
import dev.millrace.runtime.cluster.JobDefinition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job spanning two real node JVMs ({@code millrace standalone}, 2 task slots each, joined into one cluster through a
 * seed node, placement {@code spread}), submitted and followed through the command line ({@code millrace job}, in
 * this JVM as the client): its 4 instances run on both nodes, buffers cross between them encoded, and its result,
 * written by the sinks of both JVMs into files, is exact. Then a job runs on both nodes, its master on the first, and
 * the second node's JVM is killed (SIGKILL by pid): the job fails naming that node. The children are ended by their
 * pid whatever happens.
 */
class DistributedJobITCase
{
    private static final Pattern READY = Pattern.compile(
        Pattern.quote(StandaloneCommand.READY) + ": kafka bootstrap 127\\.0\\.0\\.1:\\d+, data in .+");
    private static final Pattern ENCODED = Pattern.compile("encoded buffers (\\d+)");
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final long COUNT = 2000;

    @TempDir
    Path dir;

    /**
     * args: output directory, record count, parallelism. Doubles 0..count-1 over a rebalance exchange; each sink
     * appends what it receives, one value per line, to a file of its JVM in the output directory.
     */
    public static final class FileDoubling implements JobDefinition
    {
        private static final Object LOCK = new Object();

        @Override
        public void define(final JobBuilder job, final List<String> args)
        {
            final Path out = Path.of(args.get(0)).resolve(ProcessHandle.current().pid() + ".txt");
            job.setParallelism(Integer.parseInt(args.get(2)));
            job.fromGenerator(Long.parseLong(args.get(1)), i -> i)
                .rebalance()
                .map(i -> i * 2)
                .sinkTo((Long value, long timestampMs) -> append(out, value));
        }

        private static void append(final Path out, final long value) throws IOException
        {
            synchronized (LOCK)
            {
                Files.writeString(out, value + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                    StandardOpenOption.APPEND);
            }
        }
    }

    /** args: parallelism. A source that never ends and never emits (it polls), then a sink. */
    public static final class Endless implements JobDefinition
    {
        @Override
        public void define(final JobBuilder job, final List<String> args)
        {
            job.setParallelism(Integer.parseInt(args.get(0)));
            job.fromSource(new Source<Long>()
            {
                @Override
                public SourceReader<Long> createReader(final int subtaskIndex, final int parallelism)
                {
                    return new SourceReader<>()
                    {
                        @Override
                        public int emitBatch(final Output<Long> output, final int maxRecords)
                        {
                            return 0;
                        }

                        @Override
                        public Object position()
                        {
                            return 0L;
                        }

                        @Override
                        public void seek(final Object position)
                        {
                        }
                    };
                }
            }, "never").sinkTo((Long value, long timestampMs) ->
            {
                throw new IllegalStateException("the endless source emitted " + value);
            });
        }
    }

    @Test
    @Timeout(420)
    void shouldRunAJobOverTwoNodeJvms() throws Exception
    {
        // Both cluster ports picked free beforehand: A is the seed, and has the lower address.
        final int[] ports = {freePort(), freePort()};
        Arrays.sort(ports);
        final String seed = "127.0.0.1:" + ports[0];
        final Node a = Node.start(dir.resolve("a"), 0, ports[0], seed);
        try
        {
            final Node b = Node.start(dir.resolve("b"), 1, ports[1], seed);
            try
            {
                a.awaitReady();
                b.awaitReady();
                final Path out = Files.createDirectories(dir.resolve("out"));
                final String jobId = submit(seed, FileDoubling.class.getName(), out.toString(), String.valueOf(COUNT),
                    "2");
                final String described = awaitState(seed, jobId, "FINISHED");

                final String nodeA = "pekko://millrace@" + seed;
                final String nodeB = "pekko://millrace@127.0.0.1:" + ports[1];
                assertEquals(2, count(described, "FINISHED   " + nodeA), described);
                assertEquals(2, count(described, "FINISHED   " + nodeB), described);
                final Matcher encoded = ENCODED.matcher(described);
                long encodedBuffers = 0;
                while (encoded.find())
                {
                    encodedBuffers += Long.parseLong(encoded.group(1));
                }
                assertTrue(encodedBuffers > 0, described);

                final List<Long> actual = new ArrayList<>();
                try (Stream<Path> files = Files.list(out))
                {
                    for (final Path file : files.toList())
                    {
                        for (final String line : Files.readAllLines(file))
                        {
                            actual.add(Long.parseLong(line));
                        }
                    }
                }
                actual.sort(null);
                assertEquals(LongStream.range(0, COUNT).map(i -> i * 2).boxed().toList(), actual);

                // kill -9 of B while a job runs on both nodes, its master on A: the job fails naming B.
                final String running = runEndlessWithMasterOn(seed, a, nodeB);
                assertTrue(running != null, "no endless job's master landed on node A in 10 attempts");
                b.kill();
                // A's log says when the master failed the job; describe (through the job gateway, not a member) then
                // shows it.
                awaitLine(a.stderr(), line -> line.contains("job " + running + " ('") && line.contains(") FAILED"));
                final String failed = awaitStateTolerant(seed, running, "FAILED");
                final String failure = failed.lines().filter(line -> line.startsWith("Failure: ")).findFirst()
                    .orElseThrow(() -> new AssertionError(failed));
                assertTrue(failure.contains(nodeB), failed);
            }
            finally
            {
                b.kill();
            }
        }
        finally
        {
            a.kill();
        }
    }

    /**
     * Submits endless jobs until one's master is on {@code master} (its log says it started the instances there),
     * cancelling the others; returns its id, or null after 10 attempts. The job's instances are on both nodes.
     */
    private static String runEndlessWithMasterOn(final String cluster, final Node master, final String other)
        throws Exception
    {
        for (int attempt = 0; attempt < 10; attempt++)
        {
            final String jobId = submit(cluster, Endless.class.getName(), "4");
            final String described = awaitState(cluster, jobId, "RUNNING");
            assertEquals(4, count(described, "DEPLOYED   pekko://millrace@"), described);
            assertTrue(described.contains("DEPLOYED   pekko://millrace@" + cluster), described);
            assertTrue(described.contains("DEPLOYED   " + other), described);
            final String started = "job " + jobId + " ('";
            final long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            boolean onMaster = false;
            while (!onMaster && System.nanoTime() < deadline)
            {
                onMaster = Files.readString(master.stderr()).lines()
                    .anyMatch(line -> line.contains(started) && line.contains("instances started"));
                if (!onMaster)
                {
                    TimeUnit.MILLISECONDS.sleep(100);
                }
            }
            if (onMaster)
            {
                return jobId;
            }
            final Cli.Result cancelled = Cli.run("job", "cancel", "--cluster", cluster, jobId);
            assertEquals(0, cancelled.exitCode(), cancelled::toString);
        }
        return null;
    }

    /**
     * Like {@link #awaitState}, but a describe that fails is retried: while the killed node is unreachable and not
     * yet downed, the command line's client cannot become a member.
     */
    private static String awaitStateTolerant(final String cluster, final String jobId, final String state)
        throws Exception
    {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        Cli.Result result;
        do
        {
            result = Cli.run("job", "describe", "--cluster", cluster, "--timeout", "15s", jobId);
            if (result.exitCode() == 0 && result.out().contains("State: " + state + "\t"))
            {
                return result.out();
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        while (System.nanoTime() < deadline);
        throw new AssertionError("not " + state + " within " + WAIT + ": " + result);
    }

    /** Polls {@code log} until a line matches. */
    private static void awaitLine(final Path log, final Predicate<String> match) throws Exception
    {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        while (System.nanoTime() < deadline)
        {
            if (Files.readString(log).lines().anyMatch(match))
            {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        throw new AssertionError("no such line in " + log + " within " + WAIT + ":\n" + tail(log));
    }

    /** Submits until accepted: the second node's slots may not be known to the cluster yet. */
    private static String submit(final String cluster, final String... job) throws Exception
    {
        final List<String> args = new ArrayList<>(List.of("job", "submit", "--cluster", cluster));
        args.addAll(List.of(job));
        final long deadline = System.nanoTime() + WAIT.toNanos();
        Cli.Result result;
        do
        {
            result = Cli.run(args.toArray(String[]::new));
            if (result.exitCode() == 0)
            {
                return result.out().trim();
            }
            assertTrue(result.err().contains("needs 4 task slots"), result::toString);
            TimeUnit.MILLISECONDS.sleep(500);
        }
        while (System.nanoTime() < deadline);
        throw new AssertionError("not accepted within " + WAIT + ": " + result);
    }

    /** Polls {@code job describe} until the job is in {@code state}; returns that output. */
    private static String awaitState(final String cluster, final String jobId, final String state) throws Exception
    {
        final long deadline = System.nanoTime() + WAIT.toNanos();
        Cli.Result result;
        do
        {
            result = Cli.run("job", "describe", "--cluster", cluster, jobId);
            assertEquals(0, result.exitCode(), result::toString);
            if (result.out().contains("State: " + state + "\t"))
            {
                return result.out();
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        while (System.nanoTime() < deadline);
        throw new AssertionError("not " + state + " within " + WAIT + ": " + result);
    }

    private static int count(final String text, final String part)
    {
        int found = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1))
        {
            found++;
        }
        return found;
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }

    /** One {@code millrace standalone} JVM of the cluster. */
    private record Node(Process process, BlockingQueue<String> stdout, Path stderr)
    {
        static Node start(final Path home, final int brokerId, final int port, final String seed) throws IOException
        {
            Files.createDirectories(home);
            final Path config = home.resolve("node.conf");
            Files.writeString(config, String.join("\n",
                "millrace.broker.node.broker-id = " + brokerId,
                "millrace.broker.node.port = " + port,
                "millrace.broker.node.seed-nodes = [\"" + seed + "\"]",
                "millrace.broker.node.start-timeout = 90s",
                "millrace.runtime.task-slots = 2",
                "millrace.runtime.placement = spread",
                ""));
            final Path stderr = home.resolve("stderr.log");
            final String java = ProcessHandle.current().info().command().orElse("java");
            final String classPath = System.getProperty("surefire.test.class.path",
                System.getProperty("java.class.path"));
            final Process process = new ProcessBuilder(List.of(java, "-Xmx384m", "-XX:+UseSerialGC",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED", "--add-opens",
                "java.base/jdk.internal.misc=ALL-UNNAMED", "--add-opens", "java.base/java.nio=ALL-UNNAMED",
                "-cp", classPath, MillraceMain.class.getName(),
                "standalone", "--port", "0", "--data-dir", home.resolve("data").toString(),
                "--config", config.toString()))
                .redirectError(stderr.toFile())
                .start();
            final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
            final Thread reader = new Thread(() -> readLines(process, lines), "node-" + brokerId + "-stdout");
            reader.setDaemon(true);
            reader.start();
            return new Node(process, lines, stderr);
        }

        void awaitReady() throws InterruptedException
        {
            final String ready = stdout.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertNotNull(ready, () -> "no ready line within " + WAIT + "; stderr:\n" + tail(stderr));
            assertTrue(READY.matcher(ready).matches(), () -> ready + "\nstderr:\n" + tail(stderr));
        }

        /** kill -9 by pid, and wait for the exit. */
        void kill() throws InterruptedException
        {
            process.toHandle().destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
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
            throw new UncheckedIOException(ex);
        }
    }
}
