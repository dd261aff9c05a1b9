package dev.millrace.sharding.persistence.embedded;

import com.typesafe.config.Config;
import dev.millrace.sharding.persistence.SnapshotStoreSemanticsSuite;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.junit.jupiter.api.Test;
import org.rocksdb.RocksDBException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * Runs the snapshot store contract against the embedded RocksDB snapshot store, plus what is particular to it:
 * unreadable snapshots are skipped in favour of older ones.
 */
class EmbeddedSnapshotStoreSemanticsTest extends SnapshotStoreSemanticsSuite
{
    @Override
    protected Config storeConfig(final Path dataDir)
    {
        return EmbeddedTestConfig.forDir(dataDir);
    }

    @Override
    protected String snapshotPluginId()
    {
        return EmbeddedTestConfig.SNAPSHOT_ID;
    }

    private void corrupt(final long sequenceNr, final byte[] value)
        throws IOException, RocksDBException
    {
        // Only while the store is stopped: RocksDB holds a lock on its directory.
        try (RocksStore store = RocksStore.open(dataDir.resolve("snapshots"), true, List.of()))
        {
            store.db().put(
                store.handle(0),
                SnapshotEnvelope.key(SnapshotEnvelope.pidPrefix(PID), sequenceNr, timestampOf(sequenceNr)),
                value);
        }
    }

    @Test
    void shouldSkipCorruptSnapshotInFavourOfOlderOne() throws Exception
    {
        stop();
        corrupt(50, "garbage".getBytes(StandardCharsets.UTF_8));
        restart();

        assertSnapshot(snapshots.load(PID, SnapshotSelectionCriteria.latest()), 40);
    }

    @Test
    void shouldSkipUndeserializableSnapshotInFavourOfOlderOne() throws Exception
    {
        stop();
        // A well-formed envelope naming a serializer id nobody registered.
        corrupt(50, new SnapshotEnvelope(987_654, "", new byte[] {1, 2, 3}).encode());
        restart();

        assertSnapshot(snapshots.load(PID, SnapshotSelectionCriteria.latest()), 40);
    }

    @Test
    void shouldFailLoadAfterMaxLoadAttemptsUnreadableSnapshots() throws Exception
    {
        stop();
        corrupt(30, "garbage".getBytes(StandardCharsets.UTF_8));
        corrupt(40, "garbage".getBytes(StandardCharsets.UTF_8));
        corrupt(50, "garbage".getBytes(StandardCharsets.UTF_8));
        restart();

        // max-load-attempts = 3 (reference.conf): the three newest fail, so the load fails rather than going on.
        assertInstanceOf(
            org.apache.pekko.persistence.SnapshotProtocol.LoadSnapshotFailed.class,
            snapshots.loadFailure(PID, SnapshotSelectionCriteria.latest()));
    }
}
