package dev.millrace.multinode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One Millrace node in its own JVM ({@code dev.millrace.broker.node.BrokerNodeMain}), started from a configuration
 * file ({@code -Dconfig.file}) in its directory. Its standard output is copied to {@code stdout.log} and watched for
 * the ready line; its standard error goes to {@code stderr.log}. Faults are sent by pid with the {@code kill}
 * command: {@link #kill()} (SIGKILL), {@link #pause()} (SIGSTOP), {@link #resume()} (SIGCONT); {@link #restart}
 * starts a new JVM on the same directory and configuration. With network faults on
 * ({@link LocalCluster.Builder#networkFaults()}) the JVM runs {@link NetworkFaultNodeMain} instead, and {@link #cut} /
 * {@link #heal} drop or restore its Pekko traffic with another node, through commands on its standard input.
 *
 * <p>Not thread-safe: drive one node from one thread (the test's).
 */
public final class NodeProcess implements AutoCloseable
{
    /** The first words of the line a node prints once it is ready (BrokerNodeMain.STARTED). */
    public static final String READY_LINE = "millrace node started";

    private final int index;
    private final NodePorts ports;
    private final Path dir;
    private final Path configFile;
    private final List<String> jvmOptions;
    private final boolean networkFaults;
    private final BlockingQueue<String> netfaultReplies = new LinkedBlockingQueue<>();
    private Process process;
    private Writer commands;
    private CompletableFuture<String> ready;
    private long stderrStart;

    NodeProcess(
        final int index, final NodePorts ports, final Path dir, final Path configFile, final List<String> jvmOptions,
        final boolean networkFaults)
    {
        this.networkFaults = networkFaults;
        this.index = index;
        this.ports = Objects.requireNonNull(ports, "ports");
        this.dir = Objects.requireNonNull(dir, "dir");
        this.configFile = Objects.requireNonNull(configFile, "configFile");
        this.jvmOptions = List.copyOf(jvmOptions);
    }

    /** Starts the JVM; {@link #awaitReady} waits for it to be ready. */
    void start()
    {
        if (process != null && process.isAlive())
        {
            throw new IllegalStateException("node " + index + " is already running as pid " + process.pid());
        }
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final List<String> command = new ArrayList<>();
        command.add(java);
        command.addAll(jvmOptions);
        command.add("-Dconfig.file=" + configFile);
        // The quorum client's own media driver (and any other Aeron driver without an explicit directory) lives here.
        command.add("-Daeron.dir=" + aeronDir());
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(networkFaults ? NetworkFaultNodeMain.class.getName() : "dev.millrace.broker.node.BrokerNodeMain");
        try
        {
            final Path stderr = dir.resolve("stderr.log");
            stderrStart = Files.exists(stderr) ? Files.size(stderr) : 0;
            process = new ProcessBuilder(command)
                .directory(dir.toFile())
                .redirectError(ProcessBuilder.Redirect.appendTo(dir.resolve("stderr.log").toFile()))
                .start();
            commands = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            netfaultReplies.clear();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start node " + index, ex);
        }
        final CompletableFuture<String> started = new CompletableFuture<>();
        ready = started;
        final Process watched = process;
        final Thread reader = new Thread(() -> copyStdout(watched, started), "node-" + index + "-stdout");
        reader.setDaemon(true);
        reader.start();
        watched.onExit().thenAccept(exited -> started.completeExceptionally(new IllegalStateException(
            "node " + index + " (pid " + exited.pid() + ") exited with " + exited.exitValue() + " before it was ready; see " +
            dir.resolve("stderr.log"))));
    }

    private void copyStdout(final Process watched, final CompletableFuture<String> started)
    {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(watched.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while ((line = in.readLine()) != null)
            {
                Files.writeString(dir.resolve("stdout.log"), line + System.lineSeparator(), StandardCharsets.UTF_8,
                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                if (line.startsWith(READY_LINE))
                {
                    started.complete(line);
                }
                else if (line.startsWith(NetworkFaultNodeMain.REPLY))
                {
                    netfaultReplies.add(line);
                }
            }
        }
        catch (final IOException ex)
        {
            started.completeExceptionally(ex);
        }
    }

    /**
     * Waits until the node printed its ready line (it is a cluster member, its broker is registered).
     *
     * @return the ready line
     * @throws IllegalStateException when it exited first or did not get ready in time
     */
    public String awaitReady(final Duration timeout)
    {
        try
        {
            return ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException ex)
        {
            throw new IllegalStateException("node " + index + " was not ready within " + timeout + "; see " + dir, ex);
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException(ex.getCause().getMessage(), ex.getCause());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted waiting for node " + index, ex);
        }
    }

    /** SIGKILL, by pid; waits (bounded) until the process is gone. */
    public void kill()
    {
        signal("KILL");
        awaitExit(Duration.ofSeconds(10));
    }

    /** SIGSTOP, by pid: the JVM freezes (no heartbeats, no replies) until {@link #resume}. */
    public void pause()
    {
        signal("STOP");
    }

    /** SIGCONT, by pid. */
    public void resume()
    {
        signal("CONT");
    }

    /** Starts a new JVM on the same data directory and configuration, after the previous one ended or was killed. */
    public void restart()
    {
        if (process != null && process.isAlive())
        {
            throw new IllegalStateException("node " + index + " still runs as pid " + process.pid() + "; kill or stop it first");
        }
        start();
    }

    /** SIGCONT then SIGTERM, by pid, without waiting: the start of {@link #stop}, for stopping several nodes at once. */
    void terminate()
    {
        if (process != null && process.isAlive())
        {
            signal("CONT");
            signal("TERM");
        }
    }

    /**
     * Ends the node: SIGTERM (a graceful leave), then SIGKILL if it has not exited within {@code grace}. A paused
     * node is resumed first so that it can handle the SIGTERM.
     */
    public void stop(final Duration grace)
    {
        terminate();
        awaitStopped(grace);
    }

    /** Waits until the JVM exited, at most {@code grace}; then SIGKILL. */
    void awaitStopped(final Duration grace)
    {
        if (process != null && process.isAlive() && !waitFor(grace))
        {
            kill();
        }
    }

    /**
     * Drops every Pekko message between this node and {@code other}, both directions, on this node's side (Artery's
     * test transport blackhole). Needs a cluster built with {@link LocalCluster.Builder#networkFaults()}. The quorum
     * journal's and the Kafka listener's traffic are not cut. {@link LocalCluster#cut} cuts on both sides.
     *
     * @throws IllegalStateException when the node runs without network faults, is not running, is paused, or refused
     */
    public void cut(final NodeProcess other)
    {
        netfault("cut " + other.ports().cluster());
    }

    /** Undoes {@link #cut} toward {@code other} on this node's side. */
    public void heal(final NodeProcess other)
    {
        netfault("heal " + other.ports().cluster());
    }

    private void netfault(final String line)
    {
        if (!networkFaults)
        {
            throw new IllegalStateException("node " + index + " runs without network faults: build the cluster with " +
                "LocalCluster.builder().networkFaults()");
        }
        if (!isAlive())
        {
            throw new IllegalStateException("node " + index + " is not running; cannot '" + line + "'");
        }
        try
        {
            commands.write(line + System.lineSeparator());
            commands.flush();
            final String reply = netfaultReplies.poll(15, TimeUnit.SECONDS);
            if (reply == null)
            {
                throw new IllegalStateException("node " + index + " (pid " + pid() + ") did not answer '" + line +
                    "' within 15 s (is it paused?)");
            }
            if (!reply.equals(NetworkFaultNodeMain.REPLY + "ok " + line))
            {
                throw new IllegalStateException("node " + index + " refused '" + line + "': " + reply);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot send '" + line + "' to node " + index, ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted sending '" + line + "' to node " + index, ex);
        }
    }

    /** Whether the JVM is running (or paused). */
    public boolean isAlive()
    {
        return process != null && process.isAlive();
    }

    /** The JVM's pid; -1 before the first start. */
    public long pid()
    {
        return process == null ? -1 : process.pid();
    }

    /** The node's position in its {@link LocalCluster}: its broker id and quorum member id. */
    public int index()
    {
        return index;
    }

    /** The broker id (= {@link #index}). */
    public int brokerId()
    {
        return index;
    }

    /** The node's ports (cluster, Kafka listener, quorum voter base). */
    public NodePorts ports()
    {
        return ports;
    }

    /** {@code 127.0.0.1:<kafka port>}, for kafka-clients' {@code bootstrap.servers}. */
    public String bootstrapServers()
    {
        return LocalCluster.HOST + ":" + ports.kafka();
    }

    /** The node's directory: its configuration, logs, data and Aeron directories. */
    public Path dir()
    {
        return dir;
    }

    /** The node's data directory ({@code millrace.broker.node.data-dir}). */
    public Path dataDir()
    {
        return dir.resolve("data");
    }

    /** The Aeron directory of the node's own media drivers that have no directory of their own. */
    public Path aeronDir()
    {
        return dir.resolve("aeron");
    }

    /**
     * Whether a line the current JVM wrote to its standard error (its log) contains every fragment: how a simulation
     * sees what a node did, e.g. that it started a cluster singleton.
     */
    public boolean logged(final String... fragments)
    {
        try
        {
            final byte[] all = Files.readAllBytes(dir.resolve("stderr.log"));
            final String since = new String(all, (int)Math.min(stderrStart, all.length),
                all.length - (int)Math.min(stderrStart, all.length), StandardCharsets.UTF_8);
            for (final String line : since.split("\\R"))
            {
                boolean matches = true;
                for (final String fragment : fragments)
                {
                    matches = matches && line.contains(fragment);
                }
                if (matches)
                {
                    return true;
                }
            }
            return false;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    /** The last {@code lines} lines of the node's standard error, for failure messages. */
    public String stderrTail(final int lines)
    {
        try
        {
            final List<String> all = Files.readAllLines(dir.resolve("stderr.log"), StandardCharsets.UTF_8);
            return String.join(System.lineSeparator(), all.subList(Math.max(0, all.size() - lines), all.size()));
        }
        catch (final IOException ex)
        {
            return "(no stderr: " + ex.getMessage() + ")";
        }
    }

    /** Stops the node with a 15 s grace period. */
    @Override
    public void close()
    {
        stop(Duration.ofSeconds(15));
    }

    private void signal(final String signal)
    {
        if (process == null || !process.isAlive())
        {
            return;
        }
        try
        {
            final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS))
            {
                kill.destroyForcibly();
                throw new IllegalStateException("kill -" + signal + " " + process.pid() + " did not return");
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot send SIG" + signal + " to node " + index, ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted sending SIG" + signal + " to node " + index, ex);
        }
    }

    private void awaitExit(final Duration timeout)
    {
        if (!waitFor(timeout))
        {
            throw new IllegalStateException("node " + index + " (pid " + process.pid() + ") did not exit within " + timeout);
        }
    }

    private boolean waitFor(final Duration timeout)
    {
        try
        {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
