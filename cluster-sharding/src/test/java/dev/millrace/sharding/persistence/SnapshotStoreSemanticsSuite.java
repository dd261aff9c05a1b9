package dev.millrace.sharding.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The snapshot store contract every Millrace snapshot plugin must keep, in the spirit of Pekko's
 * {@code SnapshotStoreSpec}: talks to the plugin only through Pekko's {@code SnapshotProtocol}. Five snapshots of
 * one persistence id are saved before each test, at sequence numbers 10..50. Pekko stamps each save with the
 * wall-clock time (several may share a millisecond), so expectations about timestamps are computed from the
 * metadata the store returned, never assumed.
 * <p>
 * Each test gets a fresh data directory and actor system; {@link #restart()} reopens the same directory.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class SnapshotStoreSemanticsSuite
{
    protected static final String PID = "snap-1";

    @TempDir
    protected Path dataDir;

    private ActorTestKit testKit;
    protected SnapshotProtocolClient snapshots;
    /** What the store returned for each save, by sequence number. */
    protected final Map<Long, SnapshotMetadata> saved = new TreeMap<>();

    protected abstract Config storeConfig(Path dataDir);

    protected abstract String snapshotPluginId();

    @BeforeEach
    void startSystemAndSave()
    {
        startSystem();
        for (int i = 1; i <= 5; i++)
        {
            saved.put(i * 10L, snapshots.save(new SnapshotMetadata(PID, i * 10L, 0L), "state-" + i * 10));
        }
    }

    private void startSystem()
    {
        testKit = ActorTestKit.create("snapshot-suite", storeConfig(dataDir).withFallback(ConfigFactory.load()));
        snapshots = new SnapshotProtocolClient(testKit, snapshotPluginId());
    }

    @AfterEach
    void stopSystem()
    {
        if (testKit != null)
        {
            testKit.shutdownTestKit();
        }
    }

    protected void stop()
    {
        if (testKit != null)
        {
            testKit.shutdownTestKit();
            testKit = null;
        }
    }

    protected void restart()
    {
        stop();
        startSystem();
    }

    protected long timestampOf(final long sequenceNr)
    {
        return saved.get(sequenceNr).timestamp();
    }

    /**
     * @return the newest saved sequence number whose metadata passes the filter, or 0.
     */
    protected long newestSaved(final Predicate<SnapshotMetadata> filter)
    {
        return saved.values().stream().filter(filter).mapToLong(SnapshotMetadata::sequenceNr).max().orElse(0L);
    }

    protected void assertSnapshot(final Optional<SelectedSnapshot> loaded, final long sequenceNr)
    {
        if (sequenceNr == 0L)
        {
            assertEquals(Optional.empty(), loaded);
            return;
        }
        assertTrue(loaded.isPresent(), "expected snapshot at " + sequenceNr);
        assertEquals(sequenceNr, loaded.get().metadata().sequenceNr());
        assertEquals(timestampOf(sequenceNr), loaded.get().metadata().timestamp());
        assertEquals(PID, loaded.get().metadata().persistenceId());
        assertEquals("state-" + sequenceNr, loaded.get().snapshot());
    }

    @Test
    void shouldLoadNothingForUnknownPersistenceId()
    {
        assertEquals(Optional.empty(), snapshots.load("unknown", SnapshotSelectionCriteria.latest()));
    }

    @Test
    void shouldLoadNothingForPersistenceIdThatIsAPrefixOfAnother()
    {
        assertEquals(Optional.empty(), snapshots.load("snap-", SnapshotSelectionCriteria.latest()));
    }

    @Test
    void shouldLoadNothingWhenNoSnapshotMatches()
    {
        assertEquals(Optional.empty(), snapshots.load(PID, SnapshotSelectionCriteria.create(5, Long.MAX_VALUE)));
        assertEquals(Optional.empty(), snapshots.load(PID, SnapshotSelectionCriteria.none()));
        assertEquals(Optional.empty(), snapshots.load(PID, SnapshotSelectionCriteria.create(Long.MAX_VALUE, 999)));
    }

    @Test
    void shouldLoadLatestSnapshot()
    {
        assertSnapshot(snapshots.load(PID, SnapshotSelectionCriteria.latest()), 50);
    }

    @Test
    void shouldLoadLatestSnapshotUpToMaxSequenceNr()
    {
        assertSnapshot(snapshots.load(PID, SnapshotSelectionCriteria.create(30, Long.MAX_VALUE)), 30);
        assertSnapshot(snapshots.load(PID, SnapshotSelectionCriteria.create(39, Long.MAX_VALUE)), 30);
    }

    @Test
    void shouldLoadLatestSnapshotUpToMaxTimestamp()
    {
        final long maxTimestamp = timestampOf(20);

        assertSnapshot(
            snapshots.load(PID, SnapshotSelectionCriteria.create(Long.MAX_VALUE, maxTimestamp)),
            newestSaved((md) -> md.timestamp() <= maxTimestamp));
        assertSnapshot(
            snapshots.load(PID, SnapshotSelectionCriteria.create(Long.MAX_VALUE, timestampOf(10) - 1)), 0);
    }

    @Test
    void shouldLoadLatestSnapshotWithinMinimums()
    {
        assertSnapshot(
            snapshots.load(PID, SnapshotSelectionCriteria.create(40, Long.MAX_VALUE, 20, 0)), 40);
        assertSnapshot(
            snapshots.load(PID, SnapshotSelectionCriteria.create(Long.MAX_VALUE, Long.MAX_VALUE, 60, 0)), 0);
        assertSnapshot(
            snapshots.load(PID, SnapshotSelectionCriteria.create(Long.MAX_VALUE, Long.MAX_VALUE, 0, timestampOf(50) + 1)),
            0);
        assertSnapshot(
            snapshots.load(PID, SnapshotSelectionCriteria.create(30, Long.MAX_VALUE, 0, timestampOf(20))), 30);
    }

    @Test
    void shouldLoadLatestSnapshotUpToRecoveryTarget()
    {
        assertSnapshot(snapshots.load(PID, SnapshotSelectionCriteria.latest(), 25), 20);
    }

    @Test
    void shouldDeleteOneSnapshot()
    {
        snapshots.delete(saved.get(50L));

        assertSnapshot(snapshots.load(PID, SnapshotSelectionCriteria.latest()), 40);
    }

    @Test
    void shouldDeleteOneSnapshotWhateverItsTimestampWhenTimestampIsZero()
    {
        snapshots.delete(new SnapshotMetadata(PID, 50, 0));

        assertSnapshot(snapshots.load(PID, SnapshotSelectionCriteria.latest()), 40);
    }

    @Test
    void shouldNotDeleteSnapshotWhenTimestampDiffers()
    {
        snapshots.delete(new SnapshotMetadata(PID, 50, timestampOf(50) + 1));

        assertSnapshot(snapshots.load(PID, SnapshotSelectionCriteria.latest()), 50);
    }

    @Test
    void shouldDeleteSnapshotsByCriteria()
    {
        snapshots.delete(PID, SnapshotSelectionCriteria.create(30, Long.MAX_VALUE));

        assertSnapshot(snapshots.load(PID, SnapshotSelectionCriteria.create(30, Long.MAX_VALUE)), 0);
        assertSnapshot(snapshots.load(PID, SnapshotSelectionCriteria.latest()), 50);
        assertSnapshot(snapshots.load(PID, SnapshotSelectionCriteria.create(45, Long.MAX_VALUE)), 40);
    }

    @Test
    void shouldDeleteSnapshotsByCriteriaWithMinimums()
    {
        snapshots.delete(PID, SnapshotSelectionCriteria.create(Long.MAX_VALUE, Long.MAX_VALUE, 40, 0));

        assertSnapshot(snapshots.load(PID, SnapshotSelectionCriteria.latest()), 30);
    }

    @Test
    void shouldReplaceSnapshotWithSameSequenceNrAndTimestamp()
    {
        final SnapshotMetadata first = snapshots.save(new SnapshotMetadata(PID, 60, 0L), "first");
        saved.put(60L, first);

        snapshots.delete(PID, SnapshotSelectionCriteria.create(50, Long.MAX_VALUE));

        assertEquals("first", snapshots.load(PID, SnapshotSelectionCriteria.latest()).orElseThrow().snapshot());
    }

    @Test
    void shouldReproduceSnapshotsAfterRestart()
    {
        snapshots.delete(saved.get(50L));

        restart();

        assertSnapshot(snapshots.load(PID, SnapshotSelectionCriteria.latest()), 40);
        assertSnapshot(snapshots.load(PID, SnapshotSelectionCriteria.create(10, Long.MAX_VALUE)), 10);
    }
}
