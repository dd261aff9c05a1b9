package dev.millrace.sharding.persistence.quorum;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * The replicated state of the quorum journal and snapshot store, as a deterministic state machine: every member
 * applies the same committed commands in the same order and reaches the same state. No clock, no randomness, no I/O.
 * <p>
 * Per persistence id: its events by sequence number, its highest sequence number (kept after deletes) and its
 * delete-to mark; and the Pekko snapshots. A write whose first sequence number is not {@code highest + 1} is
 * refused: after a failover a stale writer (an old incarnation of a persistent actor still running on a node cut
 * off from the cluster) cannot overwrite or interleave with the events of its successor. A write the client marks as
 * a repeat (sent again after a failover) that is identical to the last write of its persistence ids is acknowledged
 * without storing anything; unmarked, the same bytes are refused like any stale write.
 * <p>
 * Threading: confined to the clustered service's thread.
 */
final class JournalState
{
    private static final Comparator<SnapshotKey> SNAPSHOT_ORDER =
        Comparator.comparingLong(SnapshotKey::sequenceNr).thenComparingLong(SnapshotKey::timestamp);

    private final Map<String, Stream> streams = new HashMap<>();
    private final Map<String, NavigableMap<SnapshotKey, byte[]>> snapshots = new HashMap<>();

    private record SnapshotKey(long sequenceNr, long timestamp)
    {
    }

    /** One persistence id's events and marks. */
    private static final class Stream
    {
        private final NavigableMap<Long, byte[]> events = new TreeMap<>();
        private long highest;
        private long deletedTo;
    }

    /**
     * Applies a write. Entries are checked and applied one by one, in order.
     *
     * @return for each entry, null when stored, else why it was refused.
     */
    List<String> write(final List<QuorumMessage.AtomicEntry> entries)
    {
        return write(entries, false);
    }

    /**
     * Applies a write, or acknowledges a repeat: with {@code repeat} (the client sends it again after a failover), a
     * write identical to the last one stored for each of its persistence ids is acknowledged without storing anything.
     *
     * @return for each entry, null when stored (or already stored, for a repeat), else why it was refused.
     */
    List<String> write(final List<QuorumMessage.AtomicEntry> entries, final boolean repeat)
    {
        final List<String> refusals = new ArrayList<>(entries.size());
        if (repeat && isRepeatOfLastWrite(entries))
        {
            // The client sent it again after a failover (its first reply was lost): already stored, acknowledge it.
            for (int i = 0; i < entries.size(); i++)
            {
                refusals.add(null);
            }
            return Collections.unmodifiableList(refusals);
        }
        for (final QuorumMessage.AtomicEntry entry : entries)
        {
            final Stream stream = streams.get(entry.persistenceId());
            final long highest = stream == null ? 0L : stream.highest;
            if (entry.firstSequenceNr() != highest + 1 || entry.lastSequenceNr() < entry.firstSequenceNr())
            {
                refusals.add("quorum journal: write of " + entry.persistenceId() + " sequence numbers [" +
                    entry.firstSequenceNr() + ", " + entry.lastSequenceNr() + "] refused, the next sequence number " +
                    "is " + (highest + 1) + " (a newer writer has written this persistence id)");
                continue;
            }
            final Stream target = stream == null ? newStream(entry.persistenceId()) : stream;
            for (final QuorumMessage.Event event : entry.events())
            {
                target.events.put(event.sequenceNr(), event.body());
            }
            target.highest = entry.lastSequenceNr();
            refusals.add(null);
        }
        return Collections.unmodifiableList(refusals);
    }

    /**
     * Whether a write is a repeat of the last write stored for each of its persistence ids: every event of every entry
     * is stored with the same bytes (which hold the writer's uuid, so another writer never matches), and for each
     * persistence id the write ends at its highest sequence number. A {@link QuorumClient} re-sends the commands in
     * flight after a leader change, when it cannot know whether they were committed; a repeat must then be
     * acknowledged, not refused as stale. Anything written after it (a successor writer) makes it stale again.
     */
    private boolean isRepeatOfLastWrite(final List<QuorumMessage.AtomicEntry> entries)
    {
        if (entries.isEmpty())
        {
            return false;
        }
        final Map<String, Long> lastOf = new HashMap<>();
        for (final QuorumMessage.AtomicEntry entry : entries)
        {
            final Stream stream = streams.get(entry.persistenceId());
            if (stream == null || entry.events().isEmpty() || entry.lastSequenceNr() > stream.highest ||
                entry.firstSequenceNr() <= stream.deletedTo)
            {
                return false;
            }
            for (final QuorumMessage.Event event : entry.events())
            {
                final byte[] stored = stream.events.get(event.sequenceNr());
                if (stored == null || !Arrays.equals(stored, event.body()))
                {
                    return false;
                }
            }
            lastOf.merge(entry.persistenceId(), entry.lastSequenceNr(), Math::max);
        }
        for (final Map.Entry<String, Long> last : lastOf.entrySet())
        {
            if (last.getValue() != streams.get(last.getKey()).highest)
            {
                return false;
            }
        }
        return true;
    }

    private Stream newStream(final String persistenceId)
    {
        final Stream stream = new Stream();
        streams.put(persistenceId, stream);
        return stream;
    }

    void deleteTo(final String persistenceId, final long toSequenceNr)
    {
        final Stream stream = streams.get(persistenceId);
        if (stream == null)
        {
            return;
        }
        // Never beyond highest: events written later must survive a delete issued "to Long.MAX_VALUE".
        final long to = Math.min(toSequenceNr, stream.highest);
        if (to > stream.deletedTo)
        {
            stream.events.headMap(to, true).clear();
            stream.deletedTo = to;
        }
    }

    long highest(final String persistenceId)
    {
        final Stream stream = streams.get(persistenceId);
        return stream == null ? 0L : stream.highest;
    }

    /**
     * Hands the matching events to {@code sink} in sequence order.
     */
    void replay(
        final String persistenceId,
        final long fromSequenceNr,
        final long toSequenceNr,
        final long max,
        final Consumer<QuorumMessage.Event> sink)
    {
        final Stream stream = streams.get(persistenceId);
        if (stream == null || max <= 0 || toSequenceNr < fromSequenceNr)
        {
            return;
        }
        long count = 0;
        for (final Map.Entry<Long, byte[]> event : stream.events.subMap(fromSequenceNr, true, toSequenceNr, true)
            .entrySet())
        {
            if (count++ >= max)
            {
                break;
            }
            sink.accept(new QuorumMessage.Event(event.getKey(), event.getValue()));
        }
    }

    void saveSnapshot(final String persistenceId, final long sequenceNr, final long timestamp, final byte[] body)
    {
        snapshots.computeIfAbsent(persistenceId, (ignored) -> new TreeMap<>(SNAPSHOT_ORDER))
            .put(new SnapshotKey(sequenceNr, timestamp), body);
    }

    void deleteSnapshot(final String persistenceId, final long sequenceNr, final long timestamp)
    {
        final NavigableMap<SnapshotKey, byte[]> held = snapshots.get(persistenceId);
        if (held == null)
        {
            return;
        }
        if (timestamp == 0L)
        {
            // Pekko's convention: timestamp 0 means every snapshot at this sequence number.
            held.subMap(new SnapshotKey(sequenceNr, Long.MIN_VALUE), true, new SnapshotKey(sequenceNr, Long.MAX_VALUE), true)
                .clear();
        }
        else
        {
            held.remove(new SnapshotKey(sequenceNr, timestamp));
        }
        dropIfEmpty(persistenceId, held);
    }

    void deleteSnapshots(final QuorumMessage.DeleteSnapshots criteria)
    {
        final NavigableMap<SnapshotKey, byte[]> held = snapshots.get(criteria.persistenceId());
        if (held == null)
        {
            return;
        }
        held.keySet().removeIf((key) -> matches(
            key, criteria.minSequenceNr(), criteria.maxSequenceNr(), criteria.minTimestamp(), criteria.maxTimestamp()));
        dropIfEmpty(criteria.persistenceId(), held);
    }

    /**
     * @return the newest snapshot matching the criteria strictly before the request's cursor, or a reply without body.
     */
    QuorumMessage.SnapshotLoaded loadSnapshot(final QuorumMessage.LoadSnapshot request)
    {
        final NavigableMap<SnapshotKey, byte[]> held = snapshots.get(request.persistenceId());
        if (held != null)
        {
            final SnapshotKey cursor = new SnapshotKey(request.beforeSequenceNr(), request.beforeTimestamp());
            for (final Map.Entry<SnapshotKey, byte[]> entry : held.headMap(cursor, false).descendingMap().entrySet())
            {
                final SnapshotKey key = entry.getKey();
                if (matches(key, request.minSequenceNr(), request.maxSequenceNr(), request.minTimestamp(),
                    request.maxTimestamp()))
                {
                    return new QuorumMessage.SnapshotLoaded(
                        request.correlationId(), key.sequenceNr(), key.timestamp(), entry.getValue());
                }
            }
        }
        return new QuorumMessage.SnapshotLoaded(request.correlationId(), 0L, 0L, null);
    }

    private void dropIfEmpty(final String persistenceId, final NavigableMap<SnapshotKey, byte[]> held)
    {
        if (held.isEmpty())
        {
            snapshots.remove(persistenceId);
        }
    }

    private static boolean matches(
        final SnapshotKey key, final long minSequenceNr, final long maxSequenceNr, final long minTimestamp,
        final long maxTimestamp)
    {
        return key.sequenceNr() >= minSequenceNr && key.sequenceNr() <= maxSequenceNr &&
            key.timestamp() >= minTimestamp && key.timestamp() <= maxTimestamp;
    }

    /**
     * Writes the whole state as a sequence of state records, events in chunks of at most {@code maxChunkBytes} (a
     * single larger event goes alone), ending with {@link QuorumMessage.StateEnd}.
     */
    void writeTo(final int maxChunkBytes, final Consumer<QuorumMessage> out)
    {
        for (final Map.Entry<String, Stream> entry : streams.entrySet())
        {
            final String persistenceId = entry.getKey();
            final Stream stream = entry.getValue();
            out.accept(new QuorumMessage.StateStream(persistenceId, stream.highest, stream.deletedTo));
            List<QuorumMessage.Event> chunk = new ArrayList<>();
            int chunkBytes = 0;
            for (final Map.Entry<Long, byte[]> event : stream.events.entrySet())
            {
                final int size = QuorumCodec.EVENT_OVERHEAD + event.getValue().length;
                if (!chunk.isEmpty() && chunkBytes + size > maxChunkBytes)
                {
                    out.accept(new QuorumMessage.StateEvents(persistenceId, chunk));
                    chunk = new ArrayList<>();
                    chunkBytes = 0;
                }
                chunk.add(new QuorumMessage.Event(event.getKey(), event.getValue()));
                chunkBytes += size;
            }
            if (!chunk.isEmpty())
            {
                out.accept(new QuorumMessage.StateEvents(persistenceId, chunk));
            }
        }
        for (final Map.Entry<String, NavigableMap<SnapshotKey, byte[]>> entry : snapshots.entrySet())
        {
            for (final Map.Entry<SnapshotKey, byte[]> held : entry.getValue().entrySet())
            {
                out.accept(new QuorumMessage.StateSnapshotEntry(
                    entry.getKey(), held.getKey().sequenceNr(), held.getKey().timestamp(), held.getValue()));
            }
        }
        out.accept(new QuorumMessage.StateEnd(streams.size()));
    }

    /**
     * Applies one state record read back from a snapshot.
     *
     * @return true when it was the final {@link QuorumMessage.StateEnd}.
     */
    boolean load(final QuorumMessage record)
    {
        if (record instanceof QuorumMessage.StateStream stream)
        {
            final Stream loaded = newStream(stream.persistenceId());
            loaded.highest = stream.highestSequenceNr();
            loaded.deletedTo = stream.deletedToSequenceNr();
            return false;
        }
        if (record instanceof QuorumMessage.StateEvents events)
        {
            final Stream stream = streams.get(events.persistenceId());
            if (stream == null)
            {
                throw new IllegalStateException("snapshot has events of " + events.persistenceId() + " before its stream");
            }
            for (final QuorumMessage.Event event : events.events())
            {
                stream.events.put(event.sequenceNr(), event.body());
            }
            return false;
        }
        if (record instanceof QuorumMessage.StateSnapshotEntry entry)
        {
            saveSnapshot(entry.persistenceId(), entry.sequenceNr(), entry.timestamp(), entry.body());
            return false;
        }
        if (record instanceof QuorumMessage.StateEnd end)
        {
            if (end.streams() != streams.size())
            {
                throw new IllegalStateException(
                    "snapshot ended with " + end.streams() + " streams announced but " + streams.size() + " loaded");
            }
            return true;
        }
        throw new IllegalStateException("not a state record in a snapshot: " + record.getClass().getSimpleName());
    }

    /**
     * @return the number of persistence ids with a stream (for tests and logs).
     */
    int streamCount()
    {
        return streams.size();
    }
}
