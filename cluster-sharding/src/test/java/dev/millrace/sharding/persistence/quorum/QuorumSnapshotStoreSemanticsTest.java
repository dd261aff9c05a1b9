package dev.millrace.sharding.persistence.quorum;

import com.typesafe.config.Config;
import dev.millrace.sharding.persistence.SnapshotStoreSemanticsSuite;
import org.junit.jupiter.api.AfterEach;

import java.nio.file.Path;

/**
 * Runs the snapshot store contract against the quorum snapshot store on three voters in this JVM, fresh for each
 * test.
 */
class QuorumSnapshotStoreSemanticsTest extends SnapshotStoreSemanticsSuite
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
    protected String snapshotPluginId()
    {
        return QuorumTestCluster.SNAPSHOT_ID;
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
