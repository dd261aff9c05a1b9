package dev.millrace.sharding.persistence.embedded;

import com.typesafe.config.Config;
import org.apache.pekko.dispatch.Futures;
import org.apache.pekko.persistence.SelectedSnapshot;
import org.apache.pekko.persistence.SnapshotMetadata;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.apache.pekko.persistence.snapshot.japi.SnapshotStore;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;

import java.util.List;
import java.util.Optional;

/**
 * Pekko Persistence snapshot store on an embedded RocksDB (plugin id {@code millrace.persistence.embedded.snapshot}).
 * <p>
 * <b>Storage.</b> One entry per snapshot in the default column family; key and value layouts are in
 * {@link SnapshotEnvelope}. Payloads go through Pekko's {@code SerializationExtension}.
 * <p>
 * <b>Loading.</b> The newest snapshot matching the {@link SnapshotSelectionCriteria} wins. A snapshot that is corrupt
 * or cannot be deserialized is skipped with a logged warning in favour of the next older match, as Pekko's local
 * snapshot store does; after {@code max-load-attempts} failures (or when every match failed) the load fails.
 * <p>
 * <b>Durability.</b> With {@code sync-writes = on} a save is acknowledged only after the write-ahead log is fsynced,
 * so an acknowledged snapshot survives a {@code kill -9} of the JVM.
 * <p>
 * <b>Threading.</b> Saves and deletes run synchronously on the plugin actor's thread ({@code plugin-dispatcher}, a
 * dedicated pinned thread by default); loads run as futures on {@code read-dispatcher}. No RocksDB call runs on
 * Pekko's default dispatcher. RocksDB is opened in {@link #preStart()} and closed in {@link #postStop()}.
 */
public final class RocksDbSnapshotStore extends SnapshotStore
{
    private static final Logger LOG = LoggerFactory.getLogger(RocksDbSnapshotStore.class);
    private static final int SNAPSHOTS_CF = 0;

    private final EmbeddedStoreConfig settings;
    private final Serialization serialization;
    private final ExecutionContext readContext;
    private RocksStore store;

    /**
     * Called by Pekko Persistence with the plugin's configuration block.
     *
     * @param config     the plugin block merged with Pekko's snapshot-store fallback.
     * @param configPath where the block lives, e.g. {@code millrace.persistence.embedded.snapshot}.
     */
    public RocksDbSnapshotStore(final Config config, final String configPath)
    {
        settings = EmbeddedStoreConfig.from(config, configPath, true);
        if (!context().system().dispatchers().hasDispatcher(settings.readDispatcher()))
        {
            throw EmbeddedStoreConfig.invalid(
                configPath, EmbeddedStoreConfig.READ_DISPATCHER_KEY, "must name a configured dispatcher",
                settings.readDispatcher());
        }
        serialization = SerializationExtension.get(context().system());
        readContext = context().system().dispatchers().lookup(settings.readDispatcher());
    }

    @Override
    public void preStart() throws Exception
    {
        store = RocksStore.open(settings.dir(), settings.syncWrites(), List.of());
        LOG.info("Embedded snapshot store opened at {} (sync-writes = {})", settings.dir().toAbsolutePath(),
            settings.syncWrites() ? "on" : "off");
        super.preStart();
    }

    @Override
    public void postStop() throws Exception
    {
        try
        {
            super.postStop();
        }
        finally
        {
            if (store != null)
            {
                store.close();
                store = null;
                LOG.info("Embedded snapshot store closed at {}", settings.dir().toAbsolutePath());
            }
        }
    }

    @Override
    public Future<Optional<SelectedSnapshot>> doLoadAsync(
        final String persistenceId, final SnapshotSelectionCriteria criteria)
    {
        final RocksStore current = store;
        return Futures.future(() -> current.read((open) -> load(open, persistenceId, criteria)), readContext);
    }

    @Override
    public Future<Void> doSaveAsync(final SnapshotMetadata metadata, final Object snapshot)
    {
        try
        {
            final Serializer serializer = serialization.findSerializerFor(snapshot);
            final byte[] bytes = serializer.toBinary(snapshot);
            final SnapshotEnvelope envelope = new SnapshotEnvelope(
                serializer.identifier(), Serializers.manifestFor(serializer, snapshot), bytes);
            final byte[] key = SnapshotEnvelope.key(
                SnapshotEnvelope.pidPrefix(metadata.persistenceId()), metadata.sequenceNr(), metadata.timestamp());
            store.db().put(store.handle(SNAPSHOTS_CF), store.writeOptions(), key, envelope.encode());
            return Futures.successful(null);
        }
        catch (final Exception ex)
        {
            return Futures.failed(ex);
        }
    }

    @Override
    public Future<Void> doDeleteAsync(final SnapshotMetadata metadata)
    {
        try
        {
            final byte[] prefix = SnapshotEnvelope.pidPrefix(metadata.persistenceId());
            if (metadata.timestamp() == 0L)
            {
                // Pekko's convention: timestamp 0 means "whatever the timestamp", i.e. every snapshot at this seqNr.
                try (WriteBatch batch = new WriteBatch())
                {
                    batch.deleteRange(
                        store.handle(SNAPSHOTS_CF),
                        SnapshotEnvelope.key(prefix, metadata.sequenceNr(), 0L),
                        SnapshotEnvelope.key(prefix, metadata.sequenceNr(), Long.MAX_VALUE));
                    batch.delete(
                        store.handle(SNAPSHOTS_CF), SnapshotEnvelope.key(prefix, metadata.sequenceNr(), Long.MAX_VALUE));
                    store.db().write(store.writeOptions(), batch);
                }
            }
            else
            {
                store.db().delete(
                    store.handle(SNAPSHOTS_CF),
                    store.writeOptions(),
                    SnapshotEnvelope.key(prefix, metadata.sequenceNr(), metadata.timestamp()));
            }
            return Futures.successful(null);
        }
        catch (final Exception ex)
        {
            return Futures.failed(ex);
        }
    }

    @Override
    public Future<Void> doDeleteAsync(final String persistenceId, final SnapshotSelectionCriteria criteria)
    {
        final byte[] prefix = SnapshotEnvelope.pidPrefix(persistenceId);
        try (WriteBatch batch = new WriteBatch();
            RocksIterator iterator = store.db().newIterator(store.handle(SNAPSHOTS_CF)))
        {
            for (iterator.seek(SnapshotEnvelope.key(prefix, Math.max(0L, criteria.minSequenceNr()), 0L));
                iterator.isValid();
                iterator.next())
            {
                final byte[] key = iterator.key();
                if (!SnapshotEnvelope.hasPrefix(key, prefix) ||
                    SnapshotEnvelope.sequenceNr(key) > criteria.maxSequenceNr())
                {
                    break;
                }
                if (matches(criteria, SnapshotEnvelope.sequenceNr(key), SnapshotEnvelope.timestamp(key)))
                {
                    batch.delete(store.handle(SNAPSHOTS_CF), key);
                }
            }
            iterator.status();
            if (batch.count() > 0)
            {
                store.db().write(store.writeOptions(), batch);
            }
            return Futures.successful(null);
        }
        catch (final Exception ex)
        {
            return Futures.failed(ex);
        }
    }

    private Optional<SelectedSnapshot> load(
        final RocksStore open, final String persistenceId, final SnapshotSelectionCriteria criteria)
        throws Exception
    {
        final byte[] prefix = SnapshotEnvelope.pidPrefix(persistenceId);
        int failures = 0;
        Exception lastFailure = null;
        try (RocksIterator iterator = open.db().newIterator(open.handle(SNAPSHOTS_CF)))
        {
            final long maxSequenceNr = Math.max(0L, criteria.maxSequenceNr());
            for (iterator.seekForPrev(SnapshotEnvelope.key(prefix, maxSequenceNr, Long.MAX_VALUE));
                iterator.isValid();
                iterator.prev())
            {
                final byte[] key = iterator.key();
                if (!SnapshotEnvelope.hasPrefix(key, prefix) ||
                    SnapshotEnvelope.sequenceNr(key) < criteria.minSequenceNr())
                {
                    break;
                }
                final long sequenceNr = SnapshotEnvelope.sequenceNr(key);
                final long timestamp = SnapshotEnvelope.timestamp(key);
                if (!matches(criteria, sequenceNr, timestamp))
                {
                    continue;
                }
                final SnapshotMetadata metadata = SnapshotMetadata.apply(persistenceId, sequenceNr, timestamp);
                try
                {
                    final SnapshotEnvelope envelope = SnapshotEnvelope.decode(iterator.value());
                    final Object snapshot = serialization
                        .deserialize(envelope.payload(), envelope.serializerId(), envelope.serializerManifest())
                        .get();
                    return Optional.of(SelectedSnapshot.create(metadata, snapshot));
                }
                catch (final Exception ex)
                {
                    // Pekko's Try.get rethrows checked exceptions (e.g. NotSerializableException) undeclared.
                    failures++;
                    lastFailure = ex;
                    LOG.warn("Skipping unreadable snapshot {} (attempt {} of {}): {}",
                        metadata, failures, settings.maxLoadAttempts(), ex.toString());
                    if (failures >= settings.maxLoadAttempts())
                    {
                        break;
                    }
                }
            }
            iterator.status();
        }
        if (lastFailure != null)
        {
            throw lastFailure;
        }
        return Optional.empty();
    }

    private static boolean matches(
        final SnapshotSelectionCriteria criteria, final long sequenceNr, final long timestamp)
    {
        return sequenceNr <= criteria.maxSequenceNr() && timestamp <= criteria.maxTimestamp() &&
            sequenceNr >= criteria.minSequenceNr() && timestamp >= criteria.minTimestamp();
    }
}
