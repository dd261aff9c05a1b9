package dev.millrace.sharding.persistence.embedded;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

import java.nio.file.Path;
import java.util.Map;

/**
 * Test configuration pointing both embedded plugins at a directory and making them the defaults, so that classic
 * protocol tests and {@code EventSourcedBehavior}s use them.
 */
final class EmbeddedTestConfig
{
    static final String JOURNAL_ID = "millrace.persistence.embedded.journal";
    static final String SNAPSHOT_ID = "millrace.persistence.embedded.snapshot";

    private EmbeddedTestConfig()
    {
    }

    static Config forDir(final Path dataDir)
    {
        // Paths go in through a map, not HOCON text, so no quoting or escaping of the temp path is needed.
        return ConfigFactory.parseMap(Map.of(
                JOURNAL_ID + ".dir", dataDir.resolve("journal").toString(),
                SNAPSHOT_ID + ".dir", dataDir.resolve("snapshots").toString()))
            .withFallback(ConfigFactory.parseString(String.join("\n",
                "pekko.loglevel = WARNING",
                "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]",
                "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"",
                "pekko.persistence.journal.plugin = \"" + JOURNAL_ID + "\"",
                "pekko.persistence.snapshot-store.plugin = \"" + SNAPSHOT_ID + "\"",
                "pekko.actor.testkit.typed.single-expect-default = 10s",
                "pekko.actor.testkit.typed.default-timeout = 10s",
                "pekko.coordinated-shutdown.exit-jvm = off")));
    }
}
