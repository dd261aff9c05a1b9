package dev.millrace.sharding.persistence;

import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.AtomicWrite;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;
import org.apache.pekko.persistence.PersistentEnvelope;
import org.apache.pekko.persistence.PersistentRepr;
import scala.jdk.javaapi.CollectionConverters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Talks to a journal plugin through Pekko's own {@link JournalProtocol}, as a persistent actor would: every call
 * sends one protocol message and waits, bounded, for the replies.
 * <p>
 * Threading: one test thread; each call uses its own probe.
 */
public final class JournalProtocolClient
{
    public static final Duration TIMEOUT = Duration.ofSeconds(15);
    public static final String WRITER_UUID = "writer-1";

    private final ActorTestKit testKit;
    private final ActorRef journal;

    public JournalProtocolClient(final ActorTestKit testKit, final String journalPluginId)
    {
        this.testKit = testKit;
        this.journal = Persistence.get(Adapter.toClassic(testKit.system()))
            .journalFor(journalPluginId, com.typesafe.config.ConfigFactory.empty());
    }

    /**
     * A replayed event.
     *
     * @param sequenceNr its sequence number.
     * @param payload    its payload.
     * @param writerUuid its writer.
     * @param manifest   the event adapter manifest.
     */
    public record Replayed(long sequenceNr, Object payload, String writerUuid, String manifest)
    {
    }

    /**
     * The outcome of a replay.
     *
     * @param events            the replayed events, in order.
     * @param highestSequenceNr the highest sequence number the journal reported.
     */
    public record Replay(List<Replayed> events, long highestSequenceNr)
    {
        public List<Long> sequenceNrs()
        {
            return events.stream().map(Replayed::sequenceNr).toList();
        }

        public List<Object> payloads()
        {
            return events.stream().map(Replayed::payload).toList();
        }
    }

    public static PersistentRepr repr(final String persistenceId, final long sequenceNr, final Object payload)
    {
        return PersistentRepr.apply(payload, sequenceNr, persistenceId, "", false, ActorRef.noSender(), WRITER_UUID);
    }

    public static AtomicWrite atomic(final PersistentRepr... reprs)
    {
        return new AtomicWrite(CollectionConverters.asScala(List.of(reprs)).toList());
    }

    /**
     * Writes events {@code from..to} of a persistence id, one {@link AtomicWrite} each, payload {@code pid-seqNr},
     * and expects every one to succeed.
     */
    public void writeEvents(final String persistenceId, final long from, final long to)
    {
        final List<AtomicWrite> writes = new ArrayList<>();
        for (long seqNr = from; seqNr <= to; seqNr++)
        {
            writes.add(atomic(repr(persistenceId, seqNr, persistenceId + "-" + seqNr)));
        }
        final List<Object> replies = write(writes);
        for (final Object reply : replies)
        {
            if (!(reply instanceof JournalProtocol.WriteMessageSuccess))
            {
                fail("expected WriteMessageSuccess, got " + reply);
            }
        }
    }

    /**
     * Writes events {@code from..to} of a persistence id in one {@code WriteMessages}, tolerating failure.
     *
     * @return empty when the journal acknowledged every event, else the cause of {@code WriteMessagesFailed}.
     */
    public Optional<Throwable> tryWriteEvents(final String persistenceId, final long from, final long to)
    {
        final List<AtomicWrite> writes = new ArrayList<>();
        for (long seqNr = from; seqNr <= to; seqNr++)
        {
            writes.add(atomic(repr(persistenceId, seqNr, persistenceId + "-" + seqNr)));
        }
        return tryWrite(writes);
    }

    /**
     * Sends one {@code WriteMessages}, tolerating failure.
     *
     * @return empty when the journal acknowledged every event, else the cause of {@code WriteMessagesFailed}.
     */
    public Optional<Throwable> tryWrite(final List<AtomicWrite> writes)
    {
        final TestProbe<Object> probe = testKit.createTestProbe();
        final List<PersistentEnvelope> envelopes = new ArrayList<>(writes);
        int events = 0;
        for (final AtomicWrite write : writes)
        {
            events += write.size();
        }
        journal.tell(
            new JournalProtocol.WriteMessages(
                CollectionConverters.asScala(envelopes).toList(), Adapter.toClassic(probe.ref()), 1),
            Adapter.toClassic(probe.ref()));
        final Object first = probe.receiveMessage(TIMEOUT);
        probe.receiveSeveralMessages(events, TIMEOUT);
        probe.stop();
        if (first instanceof JournalProtocol.WriteMessagesFailed failed)
        {
            return Optional.of(failed.cause());
        }
        if (first != JournalProtocol.WriteMessagesSuccessful$.MODULE$)
        {
            fail("expected WriteMessagesSuccessful or WriteMessagesFailed, got " + first);
        }
        return Optional.empty();
    }

    /**
     * Sends one {@code WriteMessages} and collects the per-event replies after {@code WriteMessagesSuccessful}.
     *
     * @param writes the atomic writes.
     * @return one reply per event: {@code WriteMessageSuccess} or {@code WriteMessageRejected}.
     */
    public List<Object> write(final List<AtomicWrite> writes)
    {
        final TestProbe<Object> probe = testKit.createTestProbe();
        final List<PersistentEnvelope> envelopes = new ArrayList<>(writes);
        int events = 0;
        for (final AtomicWrite write : writes)
        {
            events += write.size();
        }
        journal.tell(
            new JournalProtocol.WriteMessages(
                CollectionConverters.asScala(envelopes).toList(), Adapter.toClassic(probe.ref()), 1),
            Adapter.toClassic(probe.ref()));
        final Object first = probe.receiveMessage(TIMEOUT);
        if (first != JournalProtocol.WriteMessagesSuccessful$.MODULE$)
        {
            fail("expected WriteMessagesSuccessful, got " + first);
        }
        final List<Object> replies = new ArrayList<>(probe.receiveSeveralMessages(events, TIMEOUT));
        probe.stop();
        return replies;
    }

    public Replay replay(final String persistenceId, final long from, final long to, final long max)
    {
        final TestProbe<Object> probe = testKit.createTestProbe();
        journal.tell(
            new JournalProtocol.ReplayMessages(from, to, max, persistenceId, Adapter.toClassic(probe.ref())),
            Adapter.toClassic(probe.ref()));
        final List<Replayed> events = new ArrayList<>();
        while (true)
        {
            final Object message = probe.receiveMessage(TIMEOUT);
            if (message instanceof JournalProtocol.ReplayedMessage replayed)
            {
                final PersistentRepr repr = replayed.persistent();
                assertEquals(persistenceId, repr.persistenceId());
                events.add(new Replayed(repr.sequenceNr(), repr.payload(), repr.writerUuid(), repr.manifest()));
            }
            else if (message instanceof JournalProtocol.RecoverySuccess success)
            {
                probe.stop();
                return new Replay(events, success.highestSequenceNr());
            }
            else
            {
                probe.stop();
                return fail("replay of " + persistenceId + " failed: " + message);
            }
        }
    }

    public Replay replayAll(final String persistenceId)
    {
        return replay(persistenceId, 1, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    public long highestSequenceNr(final String persistenceId)
    {
        // A replay with nothing to replay reports the highest sequence number only, as a recovering actor asks it.
        return replay(persistenceId, 0, 0, 0).highestSequenceNr();
    }

    public void deleteTo(final String persistenceId, final long toSequenceNr)
    {
        final TestProbe<Object> probe = testKit.createTestProbe();
        journal.tell(
            new JournalProtocol.DeleteMessagesTo(persistenceId, toSequenceNr, Adapter.toClassic(probe.ref())),
            Adapter.toClassic(probe.ref()));
        final Object reply = probe.receiveMessage(TIMEOUT);
        probe.stop();
        if (!(reply instanceof org.apache.pekko.persistence.DeleteMessagesSuccess))
        {
            fail("expected DeleteMessagesSuccess, got " + reply);
        }
    }
}
