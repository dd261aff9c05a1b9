package dev.millrace.sharding.persistence.embedded;

import com.typesafe.config.Config;
import dev.millrace.sharding.persistence.JournalSemanticsSuite;

import java.nio.file.Path;

/**
 * Runs the journal contract against the embedded RocksDB journal.
 */
class EmbeddedJournalSemanticsTest extends JournalSemanticsSuite
{
    @Override
    protected Config storeConfig(final Path dataDir)
    {
        return EmbeddedTestConfig.forDir(dataDir);
    }

    @Override
    protected String journalPluginId()
    {
        return EmbeddedTestConfig.JOURNAL_ID;
    }
}
