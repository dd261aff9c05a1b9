package dev.millrace.sharding.persistence.embedded;

import com.typesafe.config.Config;
import dev.millrace.sharding.persistence.EventEnvelope;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.dispatch.Futures;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.PersistentRepr;
import org.apache.pekko.persistence.journal.Tagged;
import org.apache.pekko.persistence.journal.japi.AsyncWriteJournal;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ReadOptions;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.Slice;
import org.rocksdb.WriteBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Pekko Persistence journal on an embedded RocksDB (plugin id {@code millrace.persistence.embedded.journal}).
 * <p>
 * <b>Storage.</b> Column families and key layouts are in {@link JournalKeyDescriptor}, the stored event in
 * {@link EventEnvelope}. Payloads go through Pekko's {@code SerializationExtension}; {@link Tagged} payloads are
 * unwrapped and their tags kept in the envelope (replay hands back the untagged payload, as Pekko expects).
 * <p>
 * <b>Atomicity and durability.</b> Writes go through the {@link JournalWriter}, which puts everything queued while
 * the previous batch was being synced (several {@code asyncWriteMessages} calls, from many persistent actors) into
 * one RocksDB {@link WriteBatch} with one fsync (group commit). Every {@link AtomicWrite} that serializes is stored
 * all-or-nothing together with its {@code highest} entry and, for a new persistence id, its id mapping. An
 * {@code AtomicWrite} whose payload cannot be serialized is rejected alone (its entry in the result list carries
 * the exception, nothing of it is stored); a storage error fails every call whose writes were in the failed batch.
 * With {@code sync-writes = on} (the default) the batch is written with {@code WriteOptions.setSync(true)}: the
 * write-ahead log is fsynced before any write in it is acknowledged, so every acknowledged event survives a
 * {@code kill -9} of the JVM or a power loss. With {@code off}, acknowledged writes survive a JVM crash (they are in
 * the OS page cache) but not a machine crash.
 * <p>
 * <b>Threading.</b> The actor runs on {@code plugin-dispatcher} (a dedicated pinned thread by default) and
 * serializes payloads there. Writes and deletes are handed, in message order, to the {@link JournalWriter}'s own
 * thread, the single writer, which keeps the read-modify-write of {@code highest} and the id allocation race-free.
 * Replays and highest-sequence-number reads run as futures on {@code read-dispatcher}, another dedicated pool; they
 * read through RocksDB's own consistent iterators. No RocksDB call runs on Pekko's default dispatcher. RocksDB is
 * opened in {@link #preStart()}; {@link #postStop()} drains and stops the writer, then closes RocksDB.
 */
public final class RocksDbJournal extends AsyncWriteJournal
{
    private static final Logger LOG = LoggerFactory.getLogger(RocksDbJournal.class);

    private static final int PIDS_CF = 1;
    private static final int HIGHEST_CF = 2;
    private static final int EVENTS_CF = 3;

    private final EmbeddedStoreConfig settings;
    private final Serialization serialization;
    private final ExecutionContext readContext;
    private RocksStore store;
    private PersistenceIdRegistry registry;
    private JournalWriter writer;

    /**
     * Called by Pekko Persistence with the plugin's configuration block.
     *
     * @param config     the plugin block merged with Pekko's journal fallback.
     * @param configPath where the block lives, e.g. {@code millrace.persistence.embedded.journal}.
     */
    public RocksDbJournal(final Config config, final String configPath)
    {
        settings = EmbeddedStoreConfig.from(config, configPath, false);
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
        store = RocksStore.open(
            settings.dir(),
            settings.syncWrites(),
            List.of(
                JournalKeyDescriptor.PIDS_COLUMN_FAMILY,
                JournalKeyDescriptor.HIGHEST_COLUMN_FAMILY,
                JournalKeyDescriptor.EVENTS_COLUMN_FAMILY));
        registry = new PersistenceIdRegistry(store.db(), store.handle(PIDS_CF));
        writer = new JournalWriter(
            store, registry, store.handle(EVENTS_CF), store.handle(HIGHEST_CF),
            "millrace-journal-writer-" + settings.dir().getFileName());
        LOG.info("Embedded journal opened at {} (sync-writes = {})", settings.dir().toAbsolutePath(),
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
            if (writer != null)
            {
                // Drain the writer first: it must not touch RocksDB after close.
                writer.close();
                writer = null;
            }
            if (store != null)
            {
                store.close();
                store = null;
                LOG.info("Embedded journal closed at {}", settings.dir().toAbsolutePath());
            }
        }
    }

    @Override
    public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(final Iterable<AtomicWrite> messages)
    {
        final List<Optional<Exception>> results = new ArrayList<>();
        final List<JournalWriter.EncodedWrite> accepted = new ArrayList<>();
        for (final AtomicWrite write : messages)
        {
            try
            {
                accepted.add(encode(write));
                results.add(Optional.empty());
            }
            catch (final Exception ex)
            {
                // A payload that cannot be serialized is the caller's problem, not the store's: reject it alone.
                results.add(Optional.of(ex));
            }
        }
        if (accepted.isEmpty())
        {
            return Futures.successful(results);
        }
        final Iterable<Optional<Exception>> outcome = results;
        return FutureConverters.asScala(writer.write(accepted).thenApply((ignored) -> outcome));
    }

    @Override
    public Future<Void> doAsyncDeleteMessagesTo(final String persistenceId, final long toSequenceNr)
    {
        return FutureConverters.asScala(writer.deleteTo(persistenceId, toSequenceNr));
    }

    @Override
    public Future<Void> doAsyncReplayMessages(
        final String persistenceId,
        final long fromSequenceNr,
        final long toSequenceNr,
        final long max,
        final Consumer<PersistentRepr> replayCallback)
    {
        final RocksStore current = store;
        final PersistenceIdRegistry currentRegistry = registry;
        return Futures.future(
            () ->
            {
                return current.read(
                    (open) ->
                    {
                        replay(open, currentRegistry, persistenceId, fromSequenceNr, toSequenceNr, max, replayCallback);
                        return null;
                    });
            },
            readContext);
    }

    @Override
    public Future<Long> doAsyncReadHighestSequenceNr(final String persistenceId, final long fromSequenceNr)
    {
        final RocksStore current = store;
        final PersistenceIdRegistry currentRegistry = registry;
        return Futures.future(
            () -> current.read(
                (open) ->
                {
                    final long pidId = currentRegistry.find(persistenceId);
                    return pidId == PersistenceIdRegistry.UNKNOWN ? 0L : storedHighest(open, pidId);
                }),
            readContext);
    }

    private void replay(
        final RocksStore current,
        final PersistenceIdRegistry currentRegistry,
        final String persistenceId,
        final long fromSequenceNr,
        final long toSequenceNr,
        final long max,
        final Consumer<PersistentRepr> replayCallback) throws RocksDBException
    {
        final long pidId = currentRegistry.find(persistenceId);
        if (pidId == PersistenceIdRegistry.UNKNOWN || max <= 0 || toSequenceNr < fromSequenceNr)
        {
            return;
        }
        final long from = Math.max(0L, fromSequenceNr);
        // The upper bound is exclusive; at Long.MAX_VALUE the next pid's first key is the right bound.
        final byte[] upperBound = toSequenceNr == Long.MAX_VALUE ?
            JournalKeyDescriptor.eventKey(pidId + 1, 0) : JournalKeyDescriptor.eventKey(pidId, toSequenceNr + 1);
        final ColumnFamilyHandle events = current.handle(EVENTS_CF);
        try (Slice upper = new Slice(upperBound);
            ReadOptions readOptions = new ReadOptions().setIterateUpperBound(upper);
            RocksIterator iterator = current.db().newIterator(events, readOptions))
        {
            long replayed = 0;
            for (iterator.seek(JournalKeyDescriptor.eventKey(pidId, from));
                iterator.isValid() && replayed < max;
                iterator.next())
            {
                final byte[] key = iterator.key();
                if (JournalKeyDescriptor.pidId(key) != pidId)
                {
                    break;
                }
                replayCallback.accept(toRepr(persistenceId, JournalKeyDescriptor.sequenceNr(key), iterator.value()));
                replayed++;
            }
            iterator.status();
        }
    }

    private PersistentRepr toRepr(final String persistenceId, final long sequenceNr, final byte[] value)
    {
        final EventEnvelope envelope = EventEnvelope.decode(value);
        final Object payload = serialization
            .deserialize(envelope.payload(), envelope.serializerId(), envelope.serializerManifest())
            .get();
        return PersistentRepr.apply(
            payload,
            sequenceNr,
            persistenceId,
            envelope.adapterManifest(),
            false,
            ActorRef.noSender(),
            envelope.writerUuid())
            .withTimestamp(envelope.timestamp());
    }

    private JournalWriter.EncodedWrite encode(final AtomicWrite write)
    {
        final List<PersistentRepr> reprs = CollectionConverters.asJava(write.payload());
        final long[] sequenceNrs = new long[reprs.size()];
        final List<byte[]> values = new ArrayList<>(reprs.size());
        for (int i = 0; i < reprs.size(); i++)
        {
            sequenceNrs[i] = reprs.get(i).sequenceNr();
            values.add(encode(reprs.get(i)));
        }
        return new JournalWriter.EncodedWrite(write.persistenceId(), sequenceNrs, values, write.highestSequenceNr());
    }

    private byte[] encode(final PersistentRepr repr)
    {
        Object payload = repr.payload();
        Set<String> tags = Collections.emptySet();
        if (payload instanceof Tagged)
        {
            final Tagged tagged = (Tagged)payload;
            tags = new TreeSet<>(CollectionConverters.asJava(tagged.tags()));
            payload = tagged.payload();
        }
        final Serializer serializer = serialization.findSerializerFor(payload);
        final byte[] bytes = serializer.toBinary(payload);
        final String manifest = Serializers.manifestFor(serializer, payload);
        return new EventEnvelope(
            serializer.identifier(),
            manifest,
            repr.manifest(),
            repr.writerUuid(),
            repr.timestamp(),
            tags,
            bytes).encode();
    }

    private static long storedHighest(final RocksStore open, final long pidId) throws RocksDBException
    {
        final byte[] value = open.db().get(open.handle(HIGHEST_CF), JournalKeyDescriptor.longBytes(pidId));
        return value == null ? 0L : JournalKeyDescriptor.longValue(value);
    }
}
