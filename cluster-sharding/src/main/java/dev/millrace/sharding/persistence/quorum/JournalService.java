package dev.millrace.sharding.persistence.quorum;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.FragmentHandler;
import io.aeron.logbuffer.Header;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.IdleStrategy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The Aeron Cluster service that holds the quorum journal: it decodes each committed command of the Raft log
 * ({@link QuorumMessage}), applies it to the {@link JournalState} and replies to the client session. The service
 * only ever sees log entries a majority of voters has recorded, so a reply means the command is committed; only
 * the leader's replies reach the client (Aeron Cluster drops them on followers).
 * <p>
 * The state is written to Aeron Cluster snapshots ({@link #onTakeSnapshot}) and loaded from the latest one at start,
 * after which the cluster replays only the log that follows it; {@link QuorumVoter} asks for a snapshot every
 * {@code cluster-snapshot.every-log-entries} entries, so the Raft log does not grow without bound.
 * <p>
 * Replays go back in chunks of at most {@code maxChunkBytes} of events. Offers that meet back-pressure are retried
 * with the cluster's idle strategy for at most {@link #OFFER_TIMEOUT_NS}, then dropped (the client's request times
 * out): a stuck client must not stall the replicated state machine for long.
 * <p>
 * Threading: every callback runs on the clustered service container's thread; {@link #logEntriesSinceSnapshot()}
 * and {@link #role()} may be read from any thread.
 */
public final class JournalService implements ClusteredService
{
    private static final Logger LOG = LoggerFactory.getLogger(JournalService.class);
    private static final long OFFER_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(5);

    private final int memberId;
    private final int maxChunkBytes;
    private final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(4096);
    private final AtomicLong logEntriesSinceSnapshot = new AtomicLong();
    private volatile Cluster.Role role = Cluster.Role.FOLLOWER;
    private volatile boolean startedFromSnapshot;
    private JournalState state = new JournalState();
    private Cluster cluster;
    private IdleStrategy idleStrategy;

    /**
     * @param memberId      the voter's member id, for logs.
     * @param maxChunkBytes largest bytes of events in one reply or snapshot message; must fit an egress message.
     */
    public JournalService(final int memberId, final int maxChunkBytes)
    {
        this.memberId = memberId;
        this.maxChunkBytes = maxChunkBytes;
    }

    @Override
    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        this.idleStrategy = cluster.idleStrategy();
        if (snapshotImage != null)
        {
            loadSnapshot(snapshotImage);
            startedFromSnapshot = true;
        }
        LOG.info("Quorum journal service started on member {} with {} persistence ids{}",
            memberId, state.streamCount(), snapshotImage == null ? "" : " from a snapshot");
    }

    private void loadSnapshot(final Image image)
    {
        final JournalState loaded = new JournalState();
        final boolean[] ended = {false};
        final FragmentHandler handler = (buffer, offset, length, header) ->
            ended[0] |= loaded.load(QuorumCodec.decode(buffer, offset, length));
        // The assembler joins records larger than one fragment (big events) before they are decoded.
        final io.aeron.FragmentAssembler assembler = new io.aeron.FragmentAssembler(handler);
        while (!ended[0])
        {
            final int fragments = image.poll(assembler, 64);
            if (fragments == 0)
            {
                if (image.isEndOfStream() || image.isClosed())
                {
                    break;
                }
                idleStrategy.idle();
            }
            else
            {
                idleStrategy.reset();
            }
        }
        if (!ended[0])
        {
            throw new IllegalStateException("quorum journal snapshot ended before its end record");
        }
        state = loaded;
    }

    @Override
    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
    }

    @Override
    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
    }

    @Override
    public void onSessionMessage(
        final ClientSession session,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        logEntriesSinceSnapshot.incrementAndGet();
        final QuorumMessage command;
        try
        {
            command = QuorumCodec.decode(buffer, offset, length);
        }
        catch (final RuntimeException ex)
        {
            // Every member sees the same bad bytes and skips them alike, so the state stays the same everywhere.
            LOG.warn("Quorum journal: ignoring an undecodable command from session {}: {}", session.id(), ex.toString());
            return;
        }
        if (command instanceof QuorumMessage.Write write)
        {
            reply(session, new QuorumMessage.WriteResult(write.correlationId(), state.write(write.entries(), write.repeat())));
        }
        else if (command instanceof QuorumMessage.DeleteTo delete)
        {
            state.deleteTo(delete.persistenceId(), delete.toSequenceNr());
            reply(session, new QuorumMessage.Done(delete.correlationId()));
        }
        else if (command instanceof QuorumMessage.ReadHighest read)
        {
            reply(session, new QuorumMessage.Highest(read.correlationId(), state.highest(read.persistenceId())));
        }
        else if (command instanceof QuorumMessage.Replay replay)
        {
            onReplay(session, replay);
        }
        else if (command instanceof QuorumMessage.SaveSnapshot save)
        {
            state.saveSnapshot(save.persistenceId(), save.sequenceNr(), save.timestamp(), save.body());
            reply(session, new QuorumMessage.Done(save.correlationId()));
        }
        else if (command instanceof QuorumMessage.DeleteSnapshot delete)
        {
            state.deleteSnapshot(delete.persistenceId(), delete.sequenceNr(), delete.timestamp());
            reply(session, new QuorumMessage.Done(delete.correlationId()));
        }
        else if (command instanceof QuorumMessage.DeleteSnapshots delete)
        {
            state.deleteSnapshots(delete);
            reply(session, new QuorumMessage.Done(delete.correlationId()));
        }
        else if (command instanceof QuorumMessage.LoadSnapshot load)
        {
            reply(session, state.loadSnapshot(load));
        }
        else
        {
            LOG.warn("Quorum journal: ignoring a {} sent as a command", command.getClass().getSimpleName());
        }
    }

    private void onReplay(final ClientSession session, final QuorumMessage.Replay replay)
    {
        final List<List<QuorumMessage.Event>> chunks = new ArrayList<>();
        final int[] chunkBytes = {0};
        chunks.add(new ArrayList<>());
        state.replay(replay.persistenceId(), replay.fromSequenceNr(), replay.toSequenceNr(), replay.max(),
            (event) ->
            {
                final int size = QuorumCodec.EVENT_OVERHEAD + event.body().length;
                final List<QuorumMessage.Event> current = chunks.get(chunks.size() - 1);
                if (!current.isEmpty() && chunkBytes[0] + size > maxChunkBytes)
                {
                    chunks.add(new ArrayList<>());
                    chunkBytes[0] = 0;
                }
                chunks.get(chunks.size() - 1).add(event);
                chunkBytes[0] += size;
            });
        for (int i = 0; i < chunks.size(); i++)
        {
            if (!reply(session, new QuorumMessage.ReplayChunk(replay.correlationId(), i == chunks.size() - 1, chunks.get(i))))
            {
                return;
            }
        }
    }

    private boolean reply(final ClientSession session, final QuorumMessage response)
    {
        final int length = QuorumCodec.encode(response, buffer, 0);
        final long deadlineNs = System.nanoTime() + OFFER_TIMEOUT_NS;
        idleStrategy.reset();
        while (true)
        {
            final long result;
            try
            {
                result = session.offer(buffer, 0, length);
            }
            catch (final IllegalArgumentException ex)
            {
                // Longer than the client's egress allows: the service must go on; the client's request times out.
                LOG.warn("Quorum journal: reply of {} bytes to session {} not sent: {}", length, session.id(),
                    ex.getMessage());
                return false;
            }
            if (result > 0)
            {
                return true;
            }
            if (result == Publication.CLOSED || result == Publication.NOT_CONNECTED ||
                result == Publication.MAX_POSITION_EXCEEDED || System.nanoTime() - deadlineNs > 0)
            {
                if (role == Cluster.Role.LEADER)
                {
                    LOG.warn("Quorum journal: reply to session {} not sent ({}), the client's request will time out",
                        session.id(), Publication.errorString(result));
                }
                return false;
            }
            idleStrategy.idle();
        }
    }

    @Override
    public void onTimerEvent(final long correlationId, final long timestamp)
    {
    }

    @Override
    public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
    {
        final ExpandableArrayBuffer snapshotBuffer = new ExpandableArrayBuffer(maxChunkBytes + 256);
        state.writeTo(maxChunkBytes, (record) -> offerToSnapshot(snapshotPublication, snapshotBuffer, record));
        logEntriesSinceSnapshot.set(0);
        LOG.info("Quorum journal snapshot taken on member {} ({} persistence ids)",
            memberId, state.streamCount());
    }

    private void offerToSnapshot(
        final ExclusivePublication publication, final ExpandableArrayBuffer snapshotBuffer, final QuorumMessage record)
    {
        final int length = QuorumCodec.encode(record, snapshotBuffer, 0);
        idleStrategy.reset();
        while (true)
        {
            final long result = publication.offer(snapshotBuffer, 0, length);
            if (result > 0)
            {
                return;
            }
            if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
            {
                throw new IllegalStateException("quorum journal snapshot publication " + Publication.errorString(result));
            }
            idleStrategy.idle();
        }
    }

    @Override
    public void onRoleChange(final Cluster.Role newRole)
    {
        LOG.info("Quorum journal member {} is now {}", memberId, newRole);
        role = newRole;
    }

    @Override
    public void onTerminate(final Cluster cluster)
    {
    }

    /**
     * @return committed commands applied since the last snapshot (or start), read by the snapshot trigger.
     */
    public long logEntriesSinceSnapshot()
    {
        return logEntriesSinceSnapshot.get();
    }

    /**
     * @return whether the state was loaded from an Aeron Cluster snapshot at start (then only the log after it
     *     was replayed).
     */
    public boolean startedFromSnapshot()
    {
        return startedFromSnapshot;
    }

    /**
     * @return this member's current role.
     */
    public Cluster.Role role()
    {
        return role;
    }
}
