package dev.millrace.sharding.persistence.quorum;

import com.typesafe.config.Config;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.snapshot.japi.SnapshotStore;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Pekko Persistence snapshot store replicated by Raft over Aeron Cluster (plugin id
 * {@code millrace.persistence.quorum.snapshot}): saves and deletes are acknowledged once a majority of voters has
 * committed them. A load returns the newest matching snapshot; one that cannot be deserialized is skipped with a
 * warning in favour of the next older one, up to {@code max-load-attempts}, like the embedded store.
 * <p>
 * The stored body is the serializer id, its manifest and the payload:
 * {@code serializer id (int32) | manifest length (uint16) | manifest (UTF-8) | payload}, big-endian.
 * <p>
 * Threading: requests are sent from the actor; replies complete futures on the client's agent thread and are
 * handled (deserialized) on the actor system's default dispatcher.
 */
public final class QuorumSnapshotStore extends SnapshotStore
{
    private static final Logger LOG = LoggerFactory.getLogger(QuorumSnapshotStore.class);
    private static final String MAX_LOAD_ATTEMPTS_KEY = "max-load-attempts";

    private final Serialization serialization;
    private final QuorumClient client;
    private final int maxLoadAttempts;
    /** Where replies are handled (deserialization included), so the client's egress thread only completes futures. */
    private final Executor replyExecutor;

    /**
     * Called by Pekko Persistence with the plugin's configuration block.
     *
     * @param config     the plugin block.
     * @param configPath where it lives.
     */
    public QuorumSnapshotStore(final Config config, final String configPath)
    {
        maxLoadAttempts = config.hasPath(MAX_LOAD_ATTEMPTS_KEY) ? config.getInt(MAX_LOAD_ATTEMPTS_KEY) : 0;
        if (maxLoadAttempts < 1)
        {
            throw new IllegalArgumentException("Invalid setting " + configPath + "." + MAX_LOAD_ATTEMPTS_KEY +
                ": must be an integer >= 1, was '" + maxLoadAttempts + "'");
        }
        serialization = SerializationExtension.get(context().system());
        client = QuorumExtension.ID.get(context().system()).client();
        replyExecutor = context().system().dispatcher();
    }

    @Override
    public Future<Optional<SelectedSnapshot>> doLoadAsync(
        final String persistenceId, final SnapshotSelectionCriteria criteria)
    {
        return FutureConverters.asScala(load(persistenceId, criteria, Long.MAX_VALUE, Long.MAX_VALUE, 0, null));
    }

    private CompletableFuture<Optional<SelectedSnapshot>> load(
        final String persistenceId,
        final SnapshotSelectionCriteria criteria,
        final long beforeSequenceNr,
        final long beforeTimestamp,
        final int failures,
        final Exception lastFailure)
    {
        return client.submit((correlationId) -> new QuorumMessage.LoadSnapshot(
                correlationId, persistenceId, criteria.minSequenceNr(), criteria.maxSequenceNr(),
                criteria.minTimestamp(), criteria.maxTimestamp(), beforeSequenceNr, beforeTimestamp))
            .thenComposeAsync((response) ->
            {
                final QuorumMessage.SnapshotLoaded loaded = (QuorumMessage.SnapshotLoaded)response;
                if (loaded.body() == null)
                {
                    return lastFailure == null ?
                        CompletableFuture.completedFuture(Optional.empty()) : CompletableFuture.failedFuture(lastFailure);
                }
                final SnapshotMetadata metadata =
                    SnapshotMetadata.apply(persistenceId, loaded.sequenceNr(), loaded.timestamp());
                try
                {
                    return CompletableFuture.completedFuture(
                        Optional.of(SelectedSnapshot.create(metadata, deserialize(loaded.body()))));
                }
                catch (final Exception ex)
                {
                    LOG.warn("Skipping unreadable snapshot {} (attempt {} of {}): {}",
                        metadata, failures + 1, maxLoadAttempts, ex.toString());
                    if (failures + 1 >= maxLoadAttempts)
                    {
                        return CompletableFuture.failedFuture(ex);
                    }
                    return load(persistenceId, criteria, loaded.sequenceNr(), loaded.timestamp(), failures + 1, ex);
                }
            }, replyExecutor);
    }

    @Override
    public Future<Void> doSaveAsync(final SnapshotMetadata metadata, final Object snapshot)
    {
        final byte[] body;
        try
        {
            body = serialize(snapshot);
        }
        catch (final Exception ex)
        {
            return FutureConverters.asScala(CompletableFuture.failedFuture(ex));
        }
        return FutureConverters.asScala(client
            .submit((correlationId) -> new QuorumMessage.SaveSnapshot(
                correlationId, metadata.persistenceId(), metadata.sequenceNr(), metadata.timestamp(), body))
            .thenApply((ignored) -> (Void)null));
    }

    @Override
    public Future<Void> doDeleteAsync(final SnapshotMetadata metadata)
    {
        return FutureConverters.asScala(client
            .submit((correlationId) -> new QuorumMessage.DeleteSnapshot(
                correlationId, metadata.persistenceId(), metadata.sequenceNr(), metadata.timestamp()))
            .thenApply((ignored) -> (Void)null));
    }

    @Override
    public Future<Void> doDeleteAsync(final String persistenceId, final SnapshotSelectionCriteria criteria)
    {
        return FutureConverters.asScala(client
            .submit((correlationId) -> new QuorumMessage.DeleteSnapshots(
                correlationId, persistenceId, criteria.minSequenceNr(), criteria.maxSequenceNr(),
                criteria.minTimestamp(), criteria.maxTimestamp()))
            .thenApply((ignored) -> (Void)null));
    }

    private byte[] serialize(final Object snapshot)
    {
        final Serializer serializer = serialization.findSerializerFor(snapshot);
        final byte[] payload = serializer.toBinary(snapshot);
        final byte[] manifest = Serializers.manifestFor(serializer, snapshot).getBytes(StandardCharsets.UTF_8);
        if (manifest.length > 0xFFFF)
        {
            throw new IllegalArgumentException("serializer manifest longer than 65535 bytes");
        }
        return ByteBuffer.allocate(4 + 2 + manifest.length + payload.length)
            .putInt(serializer.identifier())
            .putShort((short)manifest.length)
            .put(manifest)
            .put(payload)
            .array();
    }

    private Object deserialize(final byte[] body) throws Exception
    {
        final ByteBuffer buffer = ByteBuffer.wrap(body);
        final int serializerId = buffer.getInt();
        final byte[] manifest = new byte[Short.toUnsignedInt(buffer.getShort())];
        buffer.get(manifest);
        final byte[] payload = new byte[buffer.remaining()];
        buffer.get(payload);
        return serialization.deserialize(payload, serializerId, new String(manifest, StandardCharsets.UTF_8)).get();
    }
}
