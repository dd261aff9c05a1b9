package dev.millrace.sharding.persistence.embedded;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.millrace.sharding.persistence.JournalSemanticsSuite;

import java.nio.file.Path;

/**
 * Runs the journal contract against the embedded journal with {@code sync-writes = off}: same semantics, and the
 * restart tests cover the WAL sync done on a clean close.
 */
class EmbeddedJournalWithoutSyncSemanticsTest extends JournalSemanticsSuite
{
    @Override
    protected Config storeConfig(final Path dataDir)
    {
        return ConfigFactory.parseString(EmbeddedTestConfig.JOURNAL_ID + ".sync-writes = off")
            .withFallback(EmbeddedTestConfig.forDir(dataDir));
    }

    @Override
    protected String journalPluginId()
    {
        return EmbeddedTestConfig.JOURNAL_ID;
    }
}
