package dev.millrace.transport;

import com.typesafe.config.Config;
import io.aeron.Aeron;
import io.aeron.CncFileDescriptor;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.IoUtil;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static dev.millrace.transport.DriverTesting.liveThreads;
import static dev.millrace.transport.DriverTesting.newAeronThreads;
import static dev.millrace.transport.DriverTesting.smallConfig;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class EmbeddedMediaDriverTest
{
    @TempDir
    Path tempDir;

    @Test
    void shouldStartAndStopLeavingNoDirectory()
    {
        final Path dir = tempDir.resolve("aeron");
        final Set<Thread> before = liveThreads();

        final EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(smallConfig(dir));
        try
        {
            assertTrue(driver.isRunning());
            assertEquals(dir.toString(), driver.aeronDirectoryName());
            assertTrue(Files.isRegularFile(dir.resolve(CncFileDescriptor.CNC_FILE)));
            assertFalse(driver.aeron().isClosed());
            assertTrue(driver.aeron().clientId() >= 0);
            assertFalse(newAeronThreads(before).isEmpty(), "driver and client threads run");
        }
        finally
        {
            driver.close();
        }

        assertFalse(driver.isRunning());
        assertTrue(driver.aeron().isClosed());
        assertFalse(Files.exists(dir), "directory deleted at shutdown");
        assertEquals(List.of(), newAeronThreads(before));
        driver.close();
    }

    @Test
    void shouldUseLittleCpuWhenIdleOnTheSmallMachineProfile() throws Exception
    {
        final ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        assumeTrue(mx.isThreadCpuTimeSupported() && mx.isThreadCpuTimeEnabled(), "thread CPU time not available");

        try (EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(smallConfig(tempDir.resolve("idle"))))
        {
            final long startCpuNs = cpuTimeNs(mx, driver.threads());
            final long startNs = System.nanoTime();
            // A bounded wait on a latch nobody counts down: the driver idles meanwhile.
            assertFalse(new CountDownLatch(1).await(1, TimeUnit.SECONDS));
            final long wallNs = System.nanoTime() - startNs;
            final long cpuNs = cpuTimeNs(mx, driver.threads()) - startCpuNs;

            final double share = (double)cpuNs / wallNs;
            LoggerFactory.getLogger(EmbeddedMediaDriverTest.class).info(
                "idle small-machine driver + client: {}% of a core over {} ms ({} threads)",
                String.format("%.1f", share * 100), wallNs / 1_000_000, driver.threads().size());
            assertTrue(share < 0.25, "idle driver and client threads used " + Math.round(share * 100) + "% of a core");
        }
    }

    private static long cpuTimeNs(final ThreadMXBean mx, final List<Thread> threads)
    {
        long total = 0;
        for (final Thread thread : threads)
        {
            final long ns = mx.getThreadCpuTime(thread.getId());
            total += Math.max(0, ns);
        }
        return total;
    }

    @Test
    void shouldDeleteAGeneratedDirectoryAtShutdown()
    {
        final AeronTransportConfig config = AeronTransportConfigTest.config(
            "millrace.transport.aeron { ipc-term-buffer-length = 64k, term-buffer-length = 64k, " +
            "dir-delete-on-shutdown = off }");
        final Path dir = config.aeronDir();
        try
        {
            try (EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(config))
            {
                assertTrue(Files.isDirectory(driver.aeronDir()));
            }
            assertFalse(Files.exists(dir));
        }
        finally
        {
            IoUtil.delete(dir.toFile(), true);
        }
    }

    @Test
    void shouldKeepAnExplicitDirectoryWhenAskedTo()
    {
        final Path dir = tempDir.resolve("kept");
        try (EmbeddedMediaDriver ignore = EmbeddedMediaDriver.launch(
            smallConfig(dir, "millrace.transport.aeron.dir-delete-on-shutdown = off")))
        {
            assertTrue(Files.isDirectory(dir));
        }
        assertTrue(Files.isDirectory(dir));

        // A stale directory of a dead driver is replaced at the next start, then deleted at its shutdown.
        try (EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(smallConfig(dir)))
        {
            assertFalse(driver.aeron().isClosed());
        }
        assertFalse(Files.exists(dir));
    }

    @Test
    void shouldProduceArteryConfigPointingAtThisDriver()
    {
        final Path dir = tempDir.resolve("artery");
        try (EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(smallConfig(dir)))
        {
            final Config artery = driver.arteryConfig();
            assertEquals("aeron-udp", artery.getString("pekko.remote.artery.transport"));
            assertFalse(artery.getBoolean("pekko.remote.artery.advanced.aeron.embedded-media-driver"));
            assertEquals(dir.toString(), artery.getString("pekko.remote.artery.advanced.aeron.aeron-dir"));
            assertEquals(1, artery.getInt("pekko.remote.artery.advanced.aeron.idle-cpu-level"));
        }

        final AeronTransportConfig lowLatency = smallConfig(dir,
            "millrace.transport.aeron { profile = low-latency, threading-mode = shared, idle-strategy.shared = backoff }");
        assertEquals(10, lowLatency.arteryIdleCpuLevel());
    }

    @Test
    void shouldRefuseASecondDriverInTheSameDirectoryOfThisJvm()
    {
        final Path dir = tempDir.resolve("one");
        try (EmbeddedMediaDriver first = EmbeddedMediaDriver.launch(smallConfig(dir)))
        {
            final Set<Thread> before = liveThreads();
            final TransportStartException ex = assertThrows(
                TransportStartException.class, () -> EmbeddedMediaDriver.launch(smallConfig(dir)));

            assertTrue(ex.getMessage().contains("already running in this JVM"), ex.getMessage());
            assertTrue(ex.getMessage().contains(AeronTransportConfig.AERON_DIR), ex.getMessage());
            assertEquals(List.of(), newAeronThreads(before));
            assertTrue(first.isRunning());
            assertTrue(Files.isRegularFile(dir.resolve(CncFileDescriptor.CNC_FILE)), "first driver untouched");
        }
        assertFalse(Files.exists(dir));

        try (EmbeddedMediaDriver again = EmbeddedMediaDriver.launch(smallConfig(dir)))
        {
            assertTrue(again.isRunning(), "the directory is free again after close");
        }
    }

    @Test
    void shouldRunTwoDriversInSeparateDirectories()
    {
        final Path dirA = tempDir.resolve("a");
        final Path dirB = tempDir.resolve("b");
        try (EmbeddedMediaDriver a = EmbeddedMediaDriver.launch(smallConfig(dirA));
            EmbeddedMediaDriver b = EmbeddedMediaDriver.launch(smallConfig(dirB)))
        {
            assertNotEquals(a.aeronDirectoryName(), b.aeronDirectoryName());
            assertEquals(100, PubSubRoundTripTest.exchange(a.aeron(), "aeron:ipc", 10, 100));
            assertEquals(100, PubSubRoundTripTest.exchange(b.aeron(), "aeron:ipc", 10, 100));
        }
        assertFalse(Files.exists(dirA));
        assertFalse(Files.exists(dirB));
    }

    @Test
    void shouldCleanUpWhenTheDirectoryIsARegularFile() throws Exception
    {
        final Path file = Files.writeString(tempDir.resolve("not-a-dir"), "user data");
        final Set<Thread> before = liveThreads();

        final TransportStartException ex = assertThrows(
            TransportStartException.class, () -> EmbeddedMediaDriver.launch(smallConfig(file)));

        assertTrue(ex.getMessage().contains("millrace.transport.aeron.aeron-dir"), ex.getMessage());
        assertTrue(ex.getMessage().contains("is not a directory"), ex.getMessage());
        assertEquals("user data", Files.readString(file), "a file we did not create is left alone");
        assertEquals(List.of(), newAeronThreads(before));
        assertNoNonDaemonThreadsBeyond(before);
    }

    @Test
    void shouldCleanUpWhenTheDirectoryCannotBeCreated() throws Exception
    {
        final Path file = Files.writeString(tempDir.resolve("plain-file"), "x");
        final Path dir = file.resolve("aeron");
        final Set<Thread> before = liveThreads();

        final TransportStartException ex = assertThrows(
            TransportStartException.class, () -> EmbeddedMediaDriver.launch(smallConfig(dir)));

        assertTrue(ex.getMessage().contains("failed to start in " + dir), ex.getMessage());
        assertTrue(ex.getMessage().contains(AeronTransportConfig.AERON_DIR), ex.getMessage());
        assertFalse(Files.exists(dir));
        assertEquals(List.of(), newAeronThreads(before));
        assertNoNonDaemonThreadsBeyond(before);

        // The failed start released the directory: a good one starts fine afterwards.
        try (EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(smallConfig(tempDir.resolve("good"))))
        {
            assertTrue(driver.isRunning());
        }
    }

    @Test
    void shouldFailClearlyWhenAnotherDriverIsActiveInTheDirectory()
    {
        final Path dir = tempDir.resolve("taken");
        final MediaDriver.Context otherContext = new MediaDriver.Context()
            .aeronDirectoryName(dir.toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new SleepingIdleStrategy(TimeUnit.MILLISECONDS.toNanos(1)))
            .dirDeleteOnShutdown(true);
        try (MediaDriver other = MediaDriver.launch(otherContext))
        {
            final Set<Thread> before = liveThreads();

            final TransportStartException ex = assertThrows(
                TransportStartException.class, () -> EmbeddedMediaDriver.launch(smallConfig(dir)));

            assertTrue(ex.getMessage().contains("another media driver is active"), ex.getMessage());
            assertTrue(ex.getMessage().contains(AeronTransportConfig.AERON_DIR), ex.getMessage());
            assertEquals(List.of(), newAeronThreads(before));
            assertTrue(Files.isRegularFile(dir.resolve(CncFileDescriptor.CNC_FILE)), "the other driver's dir stays");
            try (Aeron client = Aeron.connect(new Aeron.Context().aeronDirectoryName(other.aeronDirectoryName())))
            {
                assertFalse(client.isClosed(), "the other driver still serves clients");
            }
        }
        assertFalse(Files.exists(dir));
    }

    @Test
    void shouldStopRunningDriverThreadsWhenTheStartFailsAfterTheDriverStarted()
    {
        final Path dir = tempDir.resolve("late-exception");
        final Set<Thread> before = liveThreads();
        final List<String> threadsWhileRunning = new ArrayList<>();

        final TransportStartException ex = assertThrows(TransportStartException.class, () -> EmbeddedMediaDriver.launch(
            smallConfig(dir),
            (driver) ->
            {
                threadsWhileRunning.addAll(newAeronThreads(before));
                throw new IllegalStateException("injected failure");
            }));

        assertFalse(threadsWhileRunning.isEmpty(), "the driver thread was running when the start failed");
        assertTrue(ex.getMessage().contains("injected failure"), ex.getMessage());
        assertFalse(Files.exists(dir), "the directory this start created is removed");
        assertEquals(List.of(), newAeronThreads(before));
        assertNoNonDaemonThreadsBeyond(before);
    }

    @Test
    void shouldCleanUpWhenTheStartFailsWithAnError()
    {
        final Path dir = tempDir.resolve("late-error");
        final Set<Thread> before = liveThreads();

        final TransportStartException ex = assertThrows(TransportStartException.class, () -> EmbeddedMediaDriver.launch(
            smallConfig(dir),
            (driver) ->
            {
                throw new IllegalAccessError("injected: cannot access class jdk.internal.misc.Unsafe");
            }));

        assertTrue(ex.getMessage().contains("check the JVM flags"), ex.getMessage());
        assertFalse(Files.exists(dir));
        assertEquals(List.of(), newAeronThreads(before));

        try (EmbeddedMediaDriver again = EmbeddedMediaDriver.launch(smallConfig(dir)))
        {
            assertTrue(again.isRunning(), "the directory is free again after a failed start");
        }
    }

    @Test
    void shouldFailFastWithoutTheJvmFlagsAndLetTheJvmExit() throws Exception
    {
        final Path dir = tempDir.resolve("no-flags");
        final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        final Process process = new ProcessBuilder(
            java, "-Xmx64m", "-cp", System.getProperty("java.class.path"),
            FailedStartProbe.class.getName(), dir.toString())
            .redirectErrorStream(true)
            .start();

        final List<String> lines = new ArrayList<>();
        try (BufferedReader reader = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = reader.readLine()))
            {
                lines.add(line);
            }
        }
        final boolean exited = process.waitFor(20, TimeUnit.SECONDS);
        if (!exited)
        {
            process.destroyForcibly();
        }

        final String output = String.join("\n", lines);
        assertTrue(exited, "the child JVM exits after the failed start:\n" + output);
        assertEquals(0, process.exitValue(), output);
        assertTrue(output.contains("FAILED the Aeron media driver cannot start in this JVM: add the JVM flags"), output);
        assertTrue(output.contains("--add-opens java.base/jdk.internal.misc=ALL-UNNAMED"), output);
        assertTrue(output.contains("DIR_EXISTS false"), output);
        assertTrue(output.contains("AERON_THREADS []"), output);
        assertFalse(Files.exists(dir));
    }

    private static void assertNoNonDaemonThreadsBeyond(final Set<Thread> before)
    {
        for (final Thread thread : Thread.getAllStackTraces().keySet())
        {
            if (!before.contains(thread) && thread.isAlive() && !thread.isDaemon())
            {
                throw new AssertionError("non-daemon thread left behind: " + thread.getName());
            }
        }
    }
}
