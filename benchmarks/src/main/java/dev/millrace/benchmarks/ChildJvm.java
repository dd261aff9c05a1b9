package dev.millrace.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A child JVM that the benchmark starts and owns: its output (stdout and stderr merged) goes to a log file, a line with
 * a given prefix can be awaited (bounded), its CPU time is read from the OS, and it is stopped by its pid — SIGTERM
 * first, so that the broker shuts down cleanly, then SIGKILL after a bounded wait. A JVM shutdown hook stops it too if
 * the benchmark itself is interrupted, so no broker outlives the run.
 */
final class ChildJvm implements AutoCloseable
{
    private final String name;
    private final Process process;
    private final Path logFile;
    private final String awaitedPrefix;
    private final CompletableFuture<String> awaitedLine = new CompletableFuture<>();
    private final Thread shutdownHook;

    private ChildJvm(final String name, final Process process, final Path logFile, final String awaitedPrefix)
    {
        this.name = name;
        this.process = process;
        this.logFile = logFile;
        this.awaitedPrefix = awaitedPrefix;
        this.shutdownHook = new Thread(process::destroyForcibly, name + "-killer");
    }

    /**
     * Starts {@code java <jvmFlags> -cp <classPath> <mainClass> <args>} in {@code workDir}, logging to {@code logFile}.
     *
     * @param awaitedPrefix a line prefix that {@link #awaitLine} waits for, or {@code null}
     */
    static ChildJvm start(
        final String name, final Path workDir, final List<String> jvmFlags, final String classPath, final String mainClass,
        final List<String> args, final Path logFile, final String awaitedPrefix) throws IOException
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmFlags);
        command.add("-cp");
        command.add(classPath);
        command.add(mainClass);
        command.addAll(args);
        final Process process = new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .start();
        final ChildJvm child = new ChildJvm(name, process, logFile, awaitedPrefix);
        Runtime.getRuntime().addShutdownHook(child.shutdownHook);
        final Thread pump = new Thread(child::pumpOutput, name + "-output");
        pump.setDaemon(true);
        pump.start();
        process.onExit().thenRun(() -> child.awaitedLine.completeExceptionally(new IllegalStateException(
            name + " exited with " + process.exitValue() + ": " + tail(logFile))));
        return child;
    }

    /** Runs a JVM to completion (bounded) and fails unless it exits with 0, e.g. Kafka's storage format tool. */
    static void run(
        final String name, final Path workDir, final List<String> jvmFlags, final String classPath, final String mainClass,
        final List<String> args, final Path logFile, final Duration timeout)
        throws IOException, InterruptedException
    {
        try (ChildJvm child = start(name, workDir, jvmFlags, classPath, mainClass, args, logFile, null))
        {
            if (!child.process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
            {
                throw new IllegalStateException(name + " did not finish within " + timeout + ": " + tail(logFile));
            }
            if (child.process.exitValue() != 0)
            {
                throw new IllegalStateException(name + " exited with " + child.process.exitValue() + ": " + tail(logFile));
            }
        }
    }

    /** Copies the child's output to its log file, completing the awaited line when it appears. */
    private void pumpOutput()
    {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            Writer log = Files.newBufferedWriter(logFile, StandardCharsets.UTF_8))
        {
            String line;
            while ((line = reader.readLine()) != null)
            {
                log.write(line);
                log.write('\n');
                log.flush();
                if (awaitedPrefix != null && line.startsWith(awaitedPrefix))
                {
                    awaitedLine.complete(line);
                }
            }
        }
        catch (final IOException ex)
        {
            awaitedLine.completeExceptionally(ex);
        }
    }

    /** The last lines of a log, for an error message (the log itself goes with the run's directory). */
    static String tail(final Path logFile)
    {
        try
        {
            final List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            return "last lines of " + logFile + ":\n  " + String.join("\n  ", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        }
        catch (final IOException ex)
        {
            return "no log " + logFile + " (" + ex + ")";
        }
    }

    /** Waits (bounded) for the line starting with the prefix given at start; fails early if the JVM exits first. */
    String awaitLine(final Duration timeout) throws InterruptedException
    {
        try
        {
            return awaitedLine.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final ExecutionException ex)
        {
            throw new IllegalStateException(name + " failed before it was ready: " + ex.getCause().getMessage(), ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            throw new IllegalStateException(name + " printed no '" + awaitedPrefix + "' within " + timeout + " (log: " +
                logFile + ")", ex);
        }
    }

    /** Completes when the JVM has exited. */
    CompletableFuture<Process> awaitExit()
    {
        return process.onExit();
    }

    String name()
    {
        return name;
    }

    long pid()
    {
        return process.pid();
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    Path logFile()
    {
        return logFile;
    }

    /** SIGKILL, by pid; waits (bounded) until the process is gone. */
    void kill()
    {
        process.destroyForcibly();
        try
        {
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                throw new IllegalStateException(name + " (pid " + process.pid() + ") still runs 30 s after SIGKILL");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** User plus system CPU time of the whole child process so far (the OS's figure, from /proc on Linux), in ns. */
    long cpuNanos()
    {
        return process.toHandle().info().totalCpuDuration().map(Duration::toNanos).orElse(-1L);
    }

    /**
     * SIGTERM by pid, a bounded wait for a clean exit, then SIGKILL. If this thread is interrupted while waiting, the
     * child is killed at once and the interrupt is kept.
     */
    @Override
    public void close()
    {
        try
        {
            if (process.isAlive())
            {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS))
                {
                    System.err.println(name + " (pid " + process.pid() + ") did not stop within 30 s of SIGTERM: killing it");
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        finally
        {
            try
            {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            }
            catch (final IllegalStateException alreadyShuttingDown)
            {
                // The hook runs anyway; nothing to undo.
            }
        }
    }
}
