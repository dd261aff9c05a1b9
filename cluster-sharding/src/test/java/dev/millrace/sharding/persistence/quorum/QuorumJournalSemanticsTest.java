package dev.millrace.sharding.persistence.quorum;

import com.typesafe.config.Config;
import dev.millrace.sharding.persistence.JournalSemanticsSuite;
import org.junit.jupiter.api.AfterEach;

import java.nio.file.Path;

/**
 * Runs the journal contract against the quorum journal on three voters in this JVM. Each test gets fresh voters
 * (in its own directory), started with the test's actor system; {@code restart()} restarts only the actor system,
 * so the client reconnects to the same voters.
 */
class QuorumJournalSemanticsTest extends JournalSemanticsSuite
{
    private QuorumTestCluster cluster;

    @Override
    protected Config storeConfig(final Path dataDir)
    {
        if (cluster == null)
        {
            cluster = QuorumTestCluster.start(dataDir.resolve("voters"));
        }
        return cluster.systemConfig();
    }

    @Override
    protected String journalPluginId()
    {
        return QuorumTestCluster.JOURNAL_ID;
    }

    @AfterEach
    void stopVoters()
    {
        if (cluster != null)
        {
            cluster.close();
        }
    }
}
