package dev.millrace.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The child-JVM handling that bench kafka relies on to start, watch and stop both brokers. */
class ChildJvmTest
{
    private static final String CLASS_PATH = System.getProperty("java.class.path");

    /** A child that announces itself, then waits for a signal (it is the test that ends it, by pid). */
    public static final class Announcer
    {
        public static void main(final String[] args) throws InterruptedException
        {
            System.out.println("noise first");
            System.out.println("child ready: " + args[0]);
            System.out.flush();
            new CountDownLatch(1).await();
        }
    }

    /** A child that fails before it is ready. */
    public static final class Failer
    {
        public static void main(final String[] args)
        {
            System.out.println("about to fail");
            System.exit(3);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldSeeTheReadyLineAndStopTheChildBySigterm(@TempDir final Path dir) throws Exception
    {
        final Path log = dir.resolve("child.out");
        final ChildJvm child = ChildJvm.start("announcer", dir, List.of("-Xmx64m"), CLASS_PATH,
            Announcer.class.getName(), List.of("hello"), log, "child ready");
        final long pid = child.pid();
        try
        {
            assertEquals("child ready: hello", child.awaitLine(Duration.ofSeconds(30)));
            assertTrue(child.isAlive());
            assertTrue(child.cpuNanos() > 0, "the OS reports the child's CPU time");
        }
        finally
        {
            child.close();
        }
        assertFalse(child.isAlive());
        assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "pid " + pid + " is gone");
        assertTrue(Files.readString(log).contains("noise first"), "the output went to the log");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldFailTheWaitWhenTheChildExitsBeforeItIsReady(@TempDir final Path dir) throws Exception
    {
        final Path log = dir.resolve("child.out");
        try (ChildJvm child = ChildJvm.start("failer", dir, List.of("-Xmx64m"), CLASS_PATH, Failer.class.getName(),
            List.of(), log, "never printed"))
        {
            final IllegalStateException failure =
                assertThrows(IllegalStateException.class, () -> child.awaitLine(Duration.ofSeconds(30)));
            assertTrue(failure.getMessage().contains("exited with 3"), failure.getMessage());
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRunAToolToCompletionAndReportItsFailure(@TempDir final Path dir)
    {
        final IllegalStateException failure = assertThrows(IllegalStateException.class, () -> ChildJvm.run(
            "failer", dir, List.of("-Xmx64m"), CLASS_PATH, Failer.class.getName(), List.of(), dir.resolve("tool.out"),
            Duration.ofSeconds(30)));
        assertTrue(failure.getMessage().contains("exited with 3") && failure.getMessage().contains("about to fail"),
            failure.getMessage());
    }
}
