package dev.millrace.transport;

import io.aeron.CncFileDescriptor;
import io.aeron.CommonContext;
import org.agrona.IoUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes generated driver directories ({@code millrace-aeron-<pid>-<random>}) left behind by processes that
 * died without closing their driver (a {@code kill -9}, a crash): generated names are unique per process, so
 * nothing else would ever reuse or delete them, and each can hold megabytes of log buffers in {@code /dev/shm}.
 * <p>
 * A directory is removed only when all of these hold: its name has the generated form; the pid in it is not this
 * process and no live process has it; and no driver is active in it — its CnC file is absent or was never
 * completed (and is older than the driver timeout), or Aeron's own liveness check says the driver's heartbeat
 * is older than the driver timeout. The last check keeps a live driver safe even when {@code /dev/shm} is shared
 * with another PID namespace, where its pid looks dead. Anything unreadable is left alone.
 * <p>
 * Threading: call from one thread at start-up; no state.
 */
final class StaleAeronDirectories
{
    private static final Logger LOG = LoggerFactory.getLogger(StaleAeronDirectories.class);
    private static final Pattern GENERATED_NAME = Pattern.compile(
        Pattern.quote(AeronTransportConfig.GENERATED_DIR_PREFIX) + "(\\d{1,19})-[0-9a-f]{1,16}");

    private StaleAeronDirectories()
    {
    }

    /**
     * Deletes the stale generated directories directly under {@code parent}.
     *
     * @param parent          where generated directories are created.
     * @param driverTimeoutMs how old a heartbeat or an unfinished CnC file must be to count as dead.
     * @param nowMs           the current wall-clock time, comparable with file modification times.
     * @return the directories deleted.
     */
    static List<Path> sweep(final Path parent, final long driverTimeoutMs, final long nowMs)
    {
        final List<Path> deleted = new ArrayList<>();
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(parent))
        {
            for (final Path dir : entries)
            {
                if (isStale(dir, driverTimeoutMs, nowMs))
                {
                    IoUtil.delete(dir.toFile(), true);
                    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS))
                    {
                        LOG.info("deleted the Aeron directory {} of a process that is gone", dir);
                        deleted.add(dir);
                    }
                }
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            LOG.warn("could not look for stale Aeron directories in {}", parent, ex);
        }
        return deleted;
    }

    static boolean isStale(final Path dir, final long driverTimeoutMs, final long nowMs)
    {
        final Matcher matcher = GENERATED_NAME.matcher(dir.getFileName().toString());
        if (!matcher.matches() || !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS))
        {
            return false;
        }

        final long pid;
        try
        {
            pid = Long.parseLong(matcher.group(1));
        }
        catch (final NumberFormatException ex)
        {
            return false;
        }
        if (pid == ProcessHandle.current().pid() || ProcessHandle.of(pid).isPresent())
        {
            return false;
        }

        try
        {
            final Path cnc = dir.resolve(CncFileDescriptor.CNC_FILE);
            if (!Files.exists(cnc, LinkOption.NOFOLLOW_LINKS))
            {
                return isOlderThan(dir, driverTimeoutMs, nowMs);
            }
            if (!cncVersionWritten(cnc))
            {
                return isOlderThan(cnc, driverTimeoutMs, nowMs);
            }
            return !CommonContext.isDriverActive(dir.toFile(), driverTimeoutMs, (message) -> {});
        }
        catch (final IOException | RuntimeException ex)
        {
            LOG.debug("leaving {} alone: {}", dir, ex.toString());
            return false;
        }
    }

    private static boolean isOlderThan(final Path path, final long ageMs, final long nowMs) throws IOException
    {
        return nowMs - Files.getLastModifiedTime(path, LinkOption.NOFOLLOW_LINKS).toMillis() > ageMs;
    }

    /**
     * A driver writes the CnC version last, once the file is laid out; until then Aeron's liveness check would
     * wait for it.
     */
    private static boolean cncVersionWritten(final Path cnc) throws IOException
    {
        try (FileChannel channel = FileChannel.open(cnc, StandardOpenOption.READ))
        {
            final ByteBuffer version = ByteBuffer.allocate(Integer.BYTES);
            while (version.hasRemaining())
            {
                if (channel.read(version, CncFileDescriptor.CNC_VERSION_FIELD_OFFSET + version.position()) < 0)
                {
                    return false;
                }
            }
            return version.getInt(0) != 0;
        }
    }
}
