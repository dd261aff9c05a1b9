package dev.millrace.transport;

import io.aeron.CncFileDescriptor;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 30, unit = TimeUnit.SECONDS)
class StaleAeronDirectoriesTest
{
    /** Above Linux's largest pid_max (2^22): no process can have it. */
    private static final long DEAD_PID = 999_999_999L;
    private static final long TIMEOUT_MS = 5_000;

    @TempDir
    Path parent;

    @Test
    void shouldDeleteTheDirectoryOfADeadProcessWithNoCncFile() throws Exception
    {
        final Path stale = Files.createDirectory(parent.resolve("millrace-aeron-" + DEAD_PID + "-abc123"));
        final long nowMs = Files.getLastModifiedTime(stale).toMillis() + TIMEOUT_MS + 1;

        assertEquals(List.of(stale), StaleAeronDirectories.sweep(parent, TIMEOUT_MS, nowMs));
        assertFalse(Files.exists(stale));
    }

    @Test
    void shouldDeleteAnUnfinishedCncFileOnlyOnceItIsOlderThanTheTimeout() throws Exception
    {
        final Path stale = Files.createDirectory(parent.resolve("millrace-aeron-" + DEAD_PID + "-def"));
        final Path cnc = Files.write(stale.resolve(CncFileDescriptor.CNC_FILE), new byte[4096]);
        final long modifiedMs = Files.getLastModifiedTime(cnc).toMillis();

        assertEquals(List.of(), StaleAeronDirectories.sweep(parent, TIMEOUT_MS, modifiedMs + 1));
        assertTrue(Files.exists(stale), "may be a driver still starting");

        assertEquals(List.of(stale), StaleAeronDirectories.sweep(parent, TIMEOUT_MS, modifiedMs + TIMEOUT_MS + 1));
    }

    @Test
    void shouldKeepDirectoriesOfLiveProcessesAndOtherNames() throws Exception
    {
        final Path mine = Files.createDirectory(
            parent.resolve("millrace-aeron-" + ProcessHandle.current().pid() + "-1"));
        final Path other = Files.createDirectory(parent.resolve("aeron-someone-else"));
        final Path notHex = Files.createDirectory(parent.resolve("millrace-aeron-" + DEAD_PID + "-xyz"));
        final Path file = Files.writeString(parent.resolve("millrace-aeron-" + DEAD_PID + "-2"), "a file");
        final long farFutureMs = System.currentTimeMillis() + TimeUnit.DAYS.toMillis(1);
        Files.setLastModifiedTime(mine, FileTime.fromMillis(0));

        assertEquals(List.of(), StaleAeronDirectories.sweep(parent, TIMEOUT_MS, farFutureMs));
        assertTrue(Files.exists(mine));
        assertTrue(Files.exists(other));
        assertTrue(Files.exists(notHex));
        assertTrue(Files.exists(file));
    }

    @Test
    void shouldKeepADirectoryWithAnActiveDriverEvenIfItsPidLooksDead()
    {
        final Path dir = parent.resolve("millrace-aeron-" + DEAD_PID + "-feed");
        final MediaDriver.Context context = new MediaDriver.Context()
            .aeronDirectoryName(dir.toString())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new SleepingIdleStrategy(TimeUnit.MILLISECONDS.toNanos(1)))
            .dirDeleteOnShutdown(true);
        try (MediaDriver ignore = MediaDriver.launch(context))
        {
            final long farFutureMs = System.currentTimeMillis() + TimeUnit.DAYS.toMillis(1);
            assertEquals(List.of(), StaleAeronDirectories.sweep(parent, TIMEOUT_MS, farFutureMs));
            assertTrue(Files.isRegularFile(dir.resolve(CncFileDescriptor.CNC_FILE)));
        }
    }
}
