package dev.millrace.sharding.persistence.quorum;

import dev.millrace.sharding.persistence.EventEnvelope;
import java.util.List;

/**
 * Everything that crosses the wire between the quorum plugins' client and the {@link JournalService}, and the
 * records of the service's state in an Aeron Cluster snapshot. Encoded and decoded only by {@link QuorumCodec}.
 * <p>
 * Commands (client to cluster, through the Raft log): {@link Write}, {@link DeleteTo}, {@link ReadHighest},
 * {@link Replay}, {@link SaveSnapshot}, {@link DeleteSnapshot}, {@link DeleteSnapshots}, {@link LoadSnapshot}.
 * Reads go through the log too, so they see every write acknowledged before them (linearizable).
 * <p>
 * Responses (leader's service to client, on the egress): {@link WriteResult}, {@link Done}, {@link Highest},
 * {@link ReplayChunk}, {@link SnapshotLoaded}. Every one carries the command's correlation id.
 * <p>
 * State records (service snapshot only): {@link StateStream}, {@link StateEvents}, {@link StateSnapshotEntry},
 * {@link StateEnd}.
 * <p>
 * Threading: immutable values (byte arrays are never changed after construction).
 */
sealed interface QuorumMessage
{
    /**
     * One stored event: its sequence number and its opaque body ({@link EventEnvelope} encoded); the service never
     * looks inside the body.
     */
    record Event(long sequenceNr, byte[] body)
    {
    }

    /**
     * One Pekko {@code AtomicWrite}: all or none of its events are stored. An entry with no events is a rejected
     * write (its payload could not be serialized) whose sequence numbers the persistent actor has used up: storing it
     * moves {@code highest} past them, as Pekko expects of a journal after a rejection.
     *
     * @param persistenceId the stream.
     * @param firstSequenceNr must be {@code highest + 1} of the stream, or the entry is refused (fencing).
     * @param lastSequenceNr  the entry's last sequence number.
     * @param events          in sequence order, between first and last; empty for a rejected write.
     */
    record AtomicEntry(String persistenceId, long firstSequenceNr, long lastSequenceNr, List<Event> events)
    {
    }

    /**
     * Stores the entries in order; each is accepted or refused on its own. {@code repeat}: the client sends it again
     * after a failover, not knowing whether the first send was committed; a repeat of the last write is then
     * acknowledged instead of refused (see {@link JournalState#write(List, boolean)}).
     */
    record Write(long correlationId, List<AtomicEntry> entries, boolean repeat) implements QuorumMessage
    {
        /** A first send. */
        Write(final long correlationId, final List<AtomicEntry> entries)
        {
            this(correlationId, entries, false);
        }

        /** The same write, sent again. */
        Write asRepeat()
        {
            return new Write(correlationId, entries, true);
        }
    }

    /** Deletes events up to and including {@code toSequenceNr}; {@code highest} is kept. */
    record DeleteTo(long correlationId, String persistenceId, long toSequenceNr) implements QuorumMessage
    {
    }

    /** Asks for a stream's highest sequence number (0 for an unknown stream). */
    record ReadHighest(long correlationId, String persistenceId) implements QuorumMessage
    {
    }

    /** Asks for a stream's events in {@code [from, to]}, at most {@code max}, sent back in bounded chunks. */
    record Replay(long correlationId, String persistenceId, long fromSequenceNr, long toSequenceNr, long max)
        implements QuorumMessage
    {
    }

    /** Saves (or replaces) the snapshot of a stream at a sequence number and timestamp. */
    record SaveSnapshot(long correlationId, String persistenceId, long sequenceNr, long timestamp, byte[] body)
        implements QuorumMessage
    {
    }

    /** Deletes one snapshot; timestamp 0 deletes every snapshot at that sequence number (Pekko's convention). */
    record DeleteSnapshot(long correlationId, String persistenceId, long sequenceNr, long timestamp)
        implements QuorumMessage
    {
    }

    /** Deletes every snapshot of a stream matching the selection criteria. */
    record DeleteSnapshots(
        long correlationId, String persistenceId, long minSequenceNr, long maxSequenceNr, long minTimestamp,
        long maxTimestamp) implements QuorumMessage
    {
    }

    /**
     * Asks for the newest snapshot matching the criteria that sorts strictly before the cursor
     * {@code (beforeSequenceNr, beforeTimestamp)}; a client that cannot read one asks again with it as the cursor.
     */
    record LoadSnapshot(
        long correlationId, String persistenceId, long minSequenceNr, long maxSequenceNr, long minTimestamp,
        long maxTimestamp, long beforeSequenceNr, long beforeTimestamp) implements QuorumMessage
    {
    }

    /**
     * The outcome of a {@link Write}: one entry per {@link AtomicEntry}, in order, {@code null} when stored, else
     * why it was refused.
     */
    record WriteResult(long correlationId, List<String> refusals) implements QuorumMessage
    {
    }

    /** A delete or snapshot save was applied. */
    record Done(long correlationId) implements QuorumMessage
    {
    }

    /** Answer to {@link ReadHighest}. */
    record Highest(long correlationId, long highestSequenceNr) implements QuorumMessage
    {
    }

    /** Part of the answer to {@link Replay}; {@code last} marks the final chunk (possibly empty). */
    record ReplayChunk(long correlationId, boolean last, List<Event> events) implements QuorumMessage
    {
    }

    /** Answer to {@link LoadSnapshot}; {@code body} is null when nothing matched. */
    record SnapshotLoaded(long correlationId, long sequenceNr, long timestamp, byte[] body) implements QuorumMessage
    {
    }

    /** Snapshot record: a stream's marks; its events follow in {@link StateEvents}. */
    record StateStream(String persistenceId, long highestSequenceNr, long deletedToSequenceNr) implements QuorumMessage
    {
    }

    /** Snapshot record: a chunk of a stream's events. */
    record StateEvents(String persistenceId, List<Event> events) implements QuorumMessage
    {
    }

    /** Snapshot record: one Pekko snapshot held by the store. */
    record StateSnapshotEntry(String persistenceId, long sequenceNr, long timestamp, byte[] body)
        implements QuorumMessage
    {
    }

    /** Snapshot record: the last one; a snapshot without it is incomplete. */
    record StateEnd(long streams) implements QuorumMessage
    {
    }
}
