package dev.millrace.sharding.persistence.embedded;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.Persistence;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A plugin with a bad setting stops at start instead of running half-configured (the message naming the key is
 * checked in {@link EmbeddedStoreConfigTest}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EmbeddedPluginStartTest
{
    @TempDir
    Path dataDir;

    private void assertPluginStops(final Config overrides, final boolean journal)
    {
        final ActorTestKit testKit = ActorTestKit.create(
            "plugin-start",
            overrides.withFallback(EmbeddedTestConfig.forDir(dataDir)).withFallback(ConfigFactory.load()));
        try
        {
            final Persistence persistence = Persistence.get(Adapter.toClassic(testKit.system()));
            final ActorRef plugin = journal ?
                persistence.journalFor(EmbeddedTestConfig.JOURNAL_ID, ConfigFactory.empty()) :
                persistence.snapshotStoreFor(EmbeddedTestConfig.SNAPSHOT_ID, ConfigFactory.empty());
            final TestProbe<Object> probe = testKit.createTestProbe();
            probe.expectTerminated(Adapter.toTyped(plugin), Duration.ofSeconds(15));
        }
        finally
        {
            testKit.shutdownTestKit();
        }
    }

    @Test
    void shouldStopJournalWithUnknownReadDispatcher()
    {
        assertPluginStops(
            ConfigFactory.parseString(EmbeddedTestConfig.JOURNAL_ID + ".read-dispatcher = \"no-such-dispatcher\""),
            true);
    }

    @Test
    void shouldStopSnapshotStoreWithInvalidMaxLoadAttempts()
    {
        assertPluginStops(
            ConfigFactory.parseString(EmbeddedTestConfig.SNAPSHOT_ID + ".max-load-attempts = 0"), false);
    }
}
