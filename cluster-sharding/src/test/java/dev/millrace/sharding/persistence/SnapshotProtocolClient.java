package dev.millrace.sharding.persistence;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.DeleteSnapshotSuccess;
import org.apache.pekko.persistence.DeleteSnapshotsSuccess;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.SaveSnapshotSuccess;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotProtocol;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import scala.jdk.javaapi.OptionConverters;

import java.time.Duration;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Talks to a snapshot store plugin through Pekko's own {@link SnapshotProtocol}, bounded waits.
 * <p>
 * Threading: one test thread; each call uses its own probe.
 */
public final class SnapshotProtocolClient
{
    public static final Duration TIMEOUT = Duration.ofSeconds(15);

    private final ActorTestKit testKit;
    private final ActorRef store;

    public SnapshotProtocolClient(final ActorTestKit testKit, final String snapshotPluginId)
    {
        this.testKit = testKit;
        this.store = Persistence.get(Adapter.toClassic(testKit.system()))
            .snapshotStoreFor(snapshotPluginId, ConfigFactory.empty());
    }

    /**
     * @return the stored metadata: Pekko's snapshot store stamps the save time over the caller's timestamp.
     */
    public SnapshotMetadata save(final SnapshotMetadata metadata, final Object snapshot)
    {
        return expect(new SnapshotProtocol.SaveSnapshot(metadata, snapshot), SaveSnapshotSuccess.class).metadata();
    }

    public Optional<SelectedSnapshot> load(final String persistenceId, final SnapshotSelectionCriteria criteria)
    {
        return load(persistenceId, criteria, Long.MAX_VALUE);
    }

    public Optional<SelectedSnapshot> load(
        final String persistenceId, final SnapshotSelectionCriteria criteria, final long toSequenceNr)
    {
        final SnapshotProtocol.LoadSnapshotResult result = expect(
            new SnapshotProtocol.LoadSnapshot(persistenceId, criteria, toSequenceNr),
            SnapshotProtocol.LoadSnapshotResult.class);
        return OptionConverters.toJava(result.snapshot());
    }

    public Object loadFailure(final String persistenceId, final SnapshotSelectionCriteria criteria)
    {
        return expect(
            new SnapshotProtocol.LoadSnapshot(persistenceId, criteria, Long.MAX_VALUE),
            SnapshotProtocol.LoadSnapshotFailed.class);
    }

    public void delete(final SnapshotMetadata metadata)
    {
        expect(new SnapshotProtocol.DeleteSnapshot(metadata), DeleteSnapshotSuccess.class);
    }

    public void delete(final String persistenceId, final SnapshotSelectionCriteria criteria)
    {
        expect(new SnapshotProtocol.DeleteSnapshots(persistenceId, criteria), DeleteSnapshotsSuccess.class);
    }

    private <T> T expect(final Object request, final Class<T> replyType)
    {
        final TestProbe<Object> probe = testKit.createTestProbe();
        store.tell(request, Adapter.toClassic(probe.ref()));
        final Object reply = probe.receiveMessage(TIMEOUT);
        probe.stop();
        if (!replyType.isInstance(reply))
        {
            return fail("expected " + replyType.getSimpleName() + " for " + request + ", got " + reply);
        }
        return replyType.cast(reply);
    }
}
