package dev.millrace.transport;

import com.typesafe.config.ConfigFactory;

import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Helpers for the driver tests: small configurations that never busy-spin, and a look at the JVM's threads.
 */
final class DriverTesting
{
    /** Names Aeron gives its agent threads, and ours before Aeron renames them. */
    private static final Pattern AERON_THREAD = Pattern.compile(
        "(" + EmbeddedMediaDriver.THREAD_NAME_PREFIX + ".*|aeron-.*|driver-.*|.*driver-conductor.*|sender|receiver)");

    private DriverTesting()
    {
    }

    /**
     * Small-machine profile, small terms, a short timeout, the given directory.
     */
    static AeronTransportConfig smallConfig(final Path dir, final String extra)
    {
        return AeronTransportConfig.fromConfig(ConfigFactory.parseString(
            "millrace.transport.aeron { aeron-dir = \"" + dir + "\", term-buffer-length = 256k, " +
            "ipc-term-buffer-length = 256k, driver-timeout = 5s }\n" + extra));
    }

    static AeronTransportConfig smallConfig(final Path dir)
    {
        return smallConfig(dir, "");
    }

    static Set<Thread> liveThreads()
    {
        return new HashSet<>(Thread.getAllStackTraces().keySet());
    }

    /**
     * @return names of live Aeron-looking threads that were not in {@code before}.
     */
    static List<String> newAeronThreads(final Set<Thread> before)
    {
        return Thread.getAllStackTraces().keySet().stream()
            .filter((thread) -> !before.contains(thread) && thread.isAlive())
            .map(Thread::getName)
            .filter((name) -> AERON_THREAD.matcher(name).matches())
            .sorted()
            .collect(Collectors.toList());
    }
}
