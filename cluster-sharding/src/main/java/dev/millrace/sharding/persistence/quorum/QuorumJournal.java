package dev.millrace.sharding.persistence.quorum;

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
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;
import scala.jdk.javaapi.FutureConverters;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Pekko Persistence journal replicated by Raft over Aeron Cluster (plugin id
 * {@code millrace.persistence.quorum.journal}).
 * <p>
 * Every command goes through the node's {@link QuorumClient} to the voters' {@link JournalService}; a write is
 * acknowledged only after a majority of voters has committed it. Each {@link AtomicWrite} carries its first sequence
 * number, which must be the next one of its persistence id, or the write is refused (a stale writer after a
 * failover); a refused write fails the call. An {@code AtomicWrite} whose payload cannot be serialized is rejected
 * alone, and its sequence numbers are still recorded as used, so the next write of the actor is the next in line.
 * When no leader is reachable the call fails after {@code client.request-timeout} with a message naming the voters;
 * later calls succeed again once a majority is back.
 * <p>
 * Payloads go through Pekko's {@code SerializationExtension}; {@link Tagged} payloads are unwrapped and their tags
 * kept. Replays and highest-sequence-number reads go through the Raft log too, so they see every acknowledged write.
 * <p>
 * Threading: the actor serializes on its dispatcher; replies complete futures on the client's agent thread and are
 * handled on the actor system's default dispatcher (deserialization of replays included).
 */
public final class QuorumJournal extends AsyncWriteJournal
{
    private final Serialization serialization;
    private final QuorumClient client;
    /** Where replies are handled (deserialization included), so the client's egress thread only completes futures. */
    private final Executor replyExecutor;

    /**
     * Called by Pekko Persistence with the plugin's configuration block.
     *
     * @param config     the plugin block.
     * @param configPath where it lives.
     */
    public QuorumJournal(final Config config, final String configPath)
    {
        serialization = SerializationExtension.get(context().system());
        client = QuorumExtension.ID.get(context().system()).client();
        replyExecutor = context().system().dispatcher();
    }

    @Override
    public Future<Iterable<Optional<Exception>>> doAsyncWriteMessages(final Iterable<AtomicWrite> messages)
    {
        final List<Optional<Exception>> results = new ArrayList<>();
        final List<QuorumMessage.AtomicEntry> entries = new ArrayList<>();
        final List<Integer> entryOfResult = new ArrayList<>();
        for (final AtomicWrite write : messages)
        {
            try
            {
                entries.add(encode(write));
                results.add(Optional.empty());
            }
            catch (final Exception ex)
            {
                // Rejected alone; its sequence numbers are used up all the same (Pekko moves on past them).
                entries.add(new QuorumMessage.AtomicEntry(
                    write.persistenceId(), write.lowestSequenceNr(), write.highestSequenceNr(), List.of()));
                results.add(Optional.of(ex));
            }
            entryOfResult.add(entries.size() - 1);
        }
        final CompletableFuture<Iterable<Optional<Exception>>> outcome = client
            .submit((correlationId) -> new QuorumMessage.Write(correlationId, entries))
            .thenApplyAsync((response) ->
            {
                final List<String> refusals = ((QuorumMessage.WriteResult)response).refusals();
                for (int i = 0; i < refusals.size(); i++)
                {
                    if (refusals.get(i) != null)
                    {
                        // A refused write is not a rejection of its payload: the stream is not this writer's any more.
                        throw new QuorumWriteRefusedException(refusals.get(i));
                    }
                }
                return Collections.unmodifiableList(results);
            }, replyExecutor);
        return FutureConverters.asScala(outcome);
    }

    @Override
    public Future<Void> doAsyncDeleteMessagesTo(final String persistenceId, final long toSequenceNr)
    {
        return FutureConverters.asScala(client
            .submit((correlationId) -> new QuorumMessage.DeleteTo(correlationId, persistenceId, toSequenceNr))
            .thenApply((ignored) -> (Void)null));
    }

    @Override
    public Future<Void> doAsyncReplayMessages(
        final String persistenceId,
        final long fromSequenceNr,
        final long toSequenceNr,
        final long max,
        final Consumer<PersistentRepr> replayCallback)
    {
        if (max <= 0 || toSequenceNr < fromSequenceNr)
        {
            return Futures.successful(null);
        }
        return FutureConverters.asScala(client
            .submit((correlationId) ->
                new QuorumMessage.Replay(correlationId, persistenceId, fromSequenceNr, toSequenceNr, max))
            .thenApplyAsync((response) ->
            {
                for (final QuorumMessage.Event event : ((QuorumMessage.ReplayChunk)response).events())
                {
                    replayCallback.accept(toRepr(persistenceId, event));
                }
                return (Void)null;
            }, replyExecutor));
    }

    @Override
    public Future<Long> doAsyncReadHighestSequenceNr(final String persistenceId, final long fromSequenceNr)
    {
        return FutureConverters.asScala(client
            .submit((correlationId) -> new QuorumMessage.ReadHighest(correlationId, persistenceId))
            .thenApplyAsync((response) -> ((QuorumMessage.Highest)response).highestSequenceNr()));
    }

    private PersistentRepr toRepr(final String persistenceId, final QuorumMessage.Event event)
    {
        final EventEnvelope stored = EventEnvelope.decode(event.body());
        final Object payload = serialization
            .deserialize(stored.payload(), stored.serializerId(), stored.serializerManifest())
            .get();
        return PersistentRepr.apply(
            payload,
            event.sequenceNr(),
            persistenceId,
            stored.adapterManifest(),
            false,
            ActorRef.noSender(),
            stored.writerUuid())
            .withTimestamp(stored.timestamp());
    }

    private QuorumMessage.AtomicEntry encode(final AtomicWrite write)
    {
        final List<PersistentRepr> reprs = CollectionConverters.asJava(write.payload());
        final List<QuorumMessage.Event> events = new ArrayList<>(reprs.size());
        for (final PersistentRepr repr : reprs)
        {
            events.add(new QuorumMessage.Event(repr.sequenceNr(), encode(repr)));
        }
        return new QuorumMessage.AtomicEntry(
            write.persistenceId(), write.lowestSequenceNr(), write.highestSequenceNr(), events);
    }

    private byte[] encode(final PersistentRepr repr)
    {
        Object payload = repr.payload();
        Set<String> tags = Collections.emptySet();
        if (payload instanceof Tagged tagged)
        {
            tags = new TreeSet<>(CollectionConverters.asJava(tagged.tags()));
            payload = tagged.payload();
        }
        final Serializer serializer = serialization.findSerializerFor(payload);
        final byte[] bytes = serializer.toBinary(payload);
        return new EventEnvelope(
            serializer.identifier(),
            Serializers.manifestFor(serializer, payload),
            repr.manifest(),
            repr.writerUuid(),
            repr.timestamp(),
            tags,
            bytes).encode();
    }
}
