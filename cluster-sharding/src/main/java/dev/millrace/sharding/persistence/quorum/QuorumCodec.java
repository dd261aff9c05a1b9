package dev.millrace.sharding.persistence.quorum;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Binary codec of every {@link QuorumMessage}, over Agrona buffers. All integers little-endian (Aeron's order),
 * strings are an int32 byte length then UTF-8, byte arrays an int32 length then the bytes, lists an int32 count then
 * the elements. Every message starts with the same two bytes:
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  version = 1  |  message type |  fields of the type ...        |
 * +---------------+---------------+-------------------------------+
 * Write:          correlation id (int64), entry count (int32), per entry:
 *                 persistence id, first (int64), last (int64), event count (int32), per event: seqNr (int64), body
 *                 (type WRITE, or WRITE_REPEAT for a write the client sends again after a failover)
 * DeleteTo:       correlation id, persistence id, to (int64)
 * ReadHighest:    correlation id, persistence id
 * Replay:         correlation id, persistence id, from, to, max (int64 each)
 * SaveSnapshot:   correlation id, persistence id, seqNr, timestamp, body
 * DeleteSnapshot: correlation id, persistence id, seqNr, timestamp
 * DeleteSnapshots:correlation id, persistence id, min seqNr, max seqNr, min timestamp, max timestamp
 * LoadSnapshot:   correlation id, persistence id, min seqNr, max seqNr, min ts, max ts, before seqNr, before ts
 * WriteResult:    correlation id, count (int32), per entry: refused (int8 0/1) [, reason string]
 * Done:           correlation id
 * Highest:        correlation id, highest (int64)
 * ReplayChunk:    correlation id, last (int8), event count (int32), per event: seqNr, body
 * SnapshotLoaded: correlation id, found (int8) [, seqNr, timestamp, body]
 * StateStream:    persistence id, highest, deleted-to (int64)
 * StateEvents:    persistence id, event count, per event: seqNr, body
 * StateSnapshotEntry: persistence id, seqNr, timestamp, body
 * StateEnd:       stream count (int64)
 * </pre>
 * A decoder refuses an unknown version or type instead of guessing.
 * <p>
 * Threading: stateless; safe from any thread.
 */
final class QuorumCodec
{
    static final byte VERSION = 1;

    static final byte WRITE = 1;
    static final byte DELETE_TO = 2;
    static final byte READ_HIGHEST = 3;
    static final byte REPLAY = 4;
    static final byte SAVE_SNAPSHOT = 5;
    static final byte DELETE_SNAPSHOT = 6;
    static final byte DELETE_SNAPSHOTS = 7;
    static final byte LOAD_SNAPSHOT = 8;
    static final byte WRITE_REPEAT = 9;
    static final byte WRITE_RESULT = 20;
    static final byte DONE = 21;
    static final byte HIGHEST = 22;
    static final byte REPLAY_CHUNK = 23;
    static final byte SNAPSHOT_LOADED = 24;
    static final byte STATE_STREAM = 40;
    static final byte STATE_EVENTS = 41;
    static final byte STATE_SNAPSHOT_ENTRY = 42;
    static final byte STATE_END = 43;

    /** Bytes an event takes in a message besides its body: sequence number and body length. */
    static final int EVENT_OVERHEAD = 12;
    /** Bytes of a chunk message besides its events (version, type, correlation id, last flag, count). */
    static final int CHUNK_OVERHEAD = 16;

    private QuorumCodec()
    {
    }

    /**
     * Encodes a message at an offset.
     *
     * @param message to encode.
     * @param buffer  an expandable buffer, or one large enough.
     * @param offset  where to start.
     * @return the number of bytes written.
     */
    static int encode(final QuorumMessage message, final MutableDirectBuffer buffer, final int offset)
    {
        final Writer out = new Writer(buffer, offset);
        out.putByte(VERSION);
        if (message instanceof QuorumMessage.Write write)
        {
            out.putByte(write.repeat() ? WRITE_REPEAT : WRITE).putLong(write.correlationId())
                .putInt(write.entries().size());
            for (final QuorumMessage.AtomicEntry entry : write.entries())
            {
                out.putString(entry.persistenceId()).putLong(entry.firstSequenceNr()).putLong(entry.lastSequenceNr());
                out.putEvents(entry.events());
            }
        }
        else if (message instanceof QuorumMessage.DeleteTo delete)
        {
            out.putByte(DELETE_TO).putLong(delete.correlationId()).putString(delete.persistenceId())
                .putLong(delete.toSequenceNr());
        }
        else if (message instanceof QuorumMessage.ReadHighest read)
        {
            out.putByte(READ_HIGHEST).putLong(read.correlationId()).putString(read.persistenceId());
        }
        else if (message instanceof QuorumMessage.Replay replay)
        {
            out.putByte(REPLAY).putLong(replay.correlationId()).putString(replay.persistenceId())
                .putLong(replay.fromSequenceNr()).putLong(replay.toSequenceNr()).putLong(replay.max());
        }
        else if (message instanceof QuorumMessage.SaveSnapshot save)
        {
            out.putByte(SAVE_SNAPSHOT).putLong(save.correlationId()).putString(save.persistenceId())
                .putLong(save.sequenceNr()).putLong(save.timestamp()).putBytes(save.body());
        }
        else if (message instanceof QuorumMessage.DeleteSnapshot delete)
        {
            out.putByte(DELETE_SNAPSHOT).putLong(delete.correlationId()).putString(delete.persistenceId())
                .putLong(delete.sequenceNr()).putLong(delete.timestamp());
        }
        else if (message instanceof QuorumMessage.DeleteSnapshots delete)
        {
            out.putByte(DELETE_SNAPSHOTS).putLong(delete.correlationId()).putString(delete.persistenceId())
                .putLong(delete.minSequenceNr()).putLong(delete.maxSequenceNr())
                .putLong(delete.minTimestamp()).putLong(delete.maxTimestamp());
        }
        else if (message instanceof QuorumMessage.LoadSnapshot load)
        {
            out.putByte(LOAD_SNAPSHOT).putLong(load.correlationId()).putString(load.persistenceId())
                .putLong(load.minSequenceNr()).putLong(load.maxSequenceNr())
                .putLong(load.minTimestamp()).putLong(load.maxTimestamp())
                .putLong(load.beforeSequenceNr()).putLong(load.beforeTimestamp());
        }
        else if (message instanceof QuorumMessage.WriteResult result)
        {
            out.putByte(WRITE_RESULT).putLong(result.correlationId()).putInt(result.refusals().size());
            for (final String refusal : result.refusals())
            {
                if (refusal == null)
                {
                    out.putByte((byte)0);
                }
                else
                {
                    out.putByte((byte)1).putString(refusal);
                }
            }
        }
        else if (message instanceof QuorumMessage.Done done)
        {
            out.putByte(DONE).putLong(done.correlationId());
        }
        else if (message instanceof QuorumMessage.Highest highest)
        {
            out.putByte(HIGHEST).putLong(highest.correlationId()).putLong(highest.highestSequenceNr());
        }
        else if (message instanceof QuorumMessage.ReplayChunk chunk)
        {
            out.putByte(REPLAY_CHUNK).putLong(chunk.correlationId()).putByte((byte)(chunk.last() ? 1 : 0));
            out.putEvents(chunk.events());
        }
        else if (message instanceof QuorumMessage.SnapshotLoaded loaded)
        {
            out.putByte(SNAPSHOT_LOADED).putLong(loaded.correlationId());
            if (loaded.body() == null)
            {
                out.putByte((byte)0);
            }
            else
            {
                out.putByte((byte)1).putLong(loaded.sequenceNr()).putLong(loaded.timestamp()).putBytes(loaded.body());
            }
        }
        else if (message instanceof QuorumMessage.StateStream stream)
        {
            out.putByte(STATE_STREAM).putString(stream.persistenceId()).putLong(stream.highestSequenceNr())
                .putLong(stream.deletedToSequenceNr());
        }
        else if (message instanceof QuorumMessage.StateEvents events)
        {
            out.putByte(STATE_EVENTS).putString(events.persistenceId());
            out.putEvents(events.events());
        }
        else if (message instanceof QuorumMessage.StateSnapshotEntry entry)
        {
            out.putByte(STATE_SNAPSHOT_ENTRY).putString(entry.persistenceId()).putLong(entry.sequenceNr())
                .putLong(entry.timestamp()).putBytes(entry.body());
        }
        else if (message instanceof QuorumMessage.StateEnd end)
        {
            out.putByte(STATE_END).putLong(end.streams());
        }
        else
        {
            throw new IllegalArgumentException("not encodable: " + message);
        }
        return out.position - offset;
    }

    /**
     * Decodes one message.
     *
     * @param buffer holding it.
     * @param offset where it starts.
     * @param length its length.
     * @return the message.
     * @throws IllegalStateException on an unknown version or type, or a length that does not match.
     */
    static QuorumMessage decode(final DirectBuffer buffer, final int offset, final int length)
    {
        final Reader in = new Reader(buffer, offset);
        final byte version = in.getByte();
        if (version != VERSION)
        {
            throw new IllegalStateException("unsupported quorum message version " + version + ", expected " + VERSION);
        }
        final byte type = in.getByte();
        final QuorumMessage message = switch (type)
        {
            case WRITE -> decodeWrite(in, false);
            case WRITE_REPEAT -> decodeWrite(in, true);
            case DELETE_TO -> new QuorumMessage.DeleteTo(in.getLong(), in.getString(), in.getLong());
            case READ_HIGHEST -> new QuorumMessage.ReadHighest(in.getLong(), in.getString());
            case REPLAY -> new QuorumMessage.Replay(in.getLong(), in.getString(), in.getLong(), in.getLong(), in.getLong());
            case SAVE_SNAPSHOT -> new QuorumMessage.SaveSnapshot(
                in.getLong(), in.getString(), in.getLong(), in.getLong(), in.getBytes());
            case DELETE_SNAPSHOT -> new QuorumMessage.DeleteSnapshot(in.getLong(), in.getString(), in.getLong(), in.getLong());
            case DELETE_SNAPSHOTS -> new QuorumMessage.DeleteSnapshots(
                in.getLong(), in.getString(), in.getLong(), in.getLong(), in.getLong(), in.getLong());
            case LOAD_SNAPSHOT -> new QuorumMessage.LoadSnapshot(
                in.getLong(), in.getString(), in.getLong(), in.getLong(), in.getLong(), in.getLong(), in.getLong(),
                in.getLong());
            case WRITE_RESULT -> decodeWriteResult(in);
            case DONE -> new QuorumMessage.Done(in.getLong());
            case HIGHEST -> new QuorumMessage.Highest(in.getLong(), in.getLong());
            case REPLAY_CHUNK -> new QuorumMessage.ReplayChunk(in.getLong(), in.getByte() != 0, in.getEvents());
            case SNAPSHOT_LOADED -> decodeSnapshotLoaded(in);
            case STATE_STREAM -> new QuorumMessage.StateStream(in.getString(), in.getLong(), in.getLong());
            case STATE_EVENTS -> new QuorumMessage.StateEvents(in.getString(), in.getEvents());
            case STATE_SNAPSHOT_ENTRY -> new QuorumMessage.StateSnapshotEntry(
                in.getString(), in.getLong(), in.getLong(), in.getBytes());
            case STATE_END -> new QuorumMessage.StateEnd(in.getLong());
            default -> throw new IllegalStateException("unknown quorum message type " + type);
        };
        if (in.position - offset != length)
        {
            throw new IllegalStateException(
                "corrupt quorum message of type " + type + ": decoded " + (in.position - offset) + " of " + length +
                " bytes");
        }
        return message;
    }

    private static QuorumMessage decodeWrite(final Reader in, final boolean repeat)
    {
        final long correlationId = in.getLong();
        final int count = in.getCount();
        final List<QuorumMessage.AtomicEntry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            entries.add(new QuorumMessage.AtomicEntry(in.getString(), in.getLong(), in.getLong(), in.getEvents()));
        }
        return new QuorumMessage.Write(correlationId, Collections.unmodifiableList(entries), repeat);
    }

    private static QuorumMessage decodeWriteResult(final Reader in)
    {
        final long correlationId = in.getLong();
        final int count = in.getCount();
        final List<String> refusals = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            refusals.add(in.getByte() == 0 ? null : in.getString());
        }
        return new QuorumMessage.WriteResult(correlationId, Collections.unmodifiableList(refusals));
    }

    private static QuorumMessage decodeSnapshotLoaded(final Reader in)
    {
        final long correlationId = in.getLong();
        if (in.getByte() == 0)
        {
            return new QuorumMessage.SnapshotLoaded(correlationId, 0L, 0L, null);
        }
        return new QuorumMessage.SnapshotLoaded(correlationId, in.getLong(), in.getLong(), in.getBytes());
    }

    /** Appends fields at a moving position. */
    private static final class Writer
    {
        private final MutableDirectBuffer buffer;
        private int position;

        Writer(final MutableDirectBuffer buffer, final int offset)
        {
            this.buffer = buffer;
            this.position = offset;
        }

        Writer putByte(final byte value)
        {
            buffer.putByte(position, value);
            position += 1;
            return this;
        }

        Writer putInt(final int value)
        {
            buffer.putInt(position, value);
            position += 4;
            return this;
        }

        Writer putLong(final long value)
        {
            buffer.putLong(position, value);
            position += 8;
            return this;
        }

        Writer putString(final String value)
        {
            position += buffer.putStringUtf8(position, value);
            return this;
        }

        Writer putBytes(final byte[] value)
        {
            putInt(value.length);
            buffer.putBytes(position, value);
            position += value.length;
            return this;
        }

        void putEvents(final List<QuorumMessage.Event> events)
        {
            putInt(events.size());
            for (final QuorumMessage.Event event : events)
            {
                putLong(event.sequenceNr()).putBytes(event.body());
            }
        }
    }

    /** Reads fields at a moving position. */
    private static final class Reader
    {
        private final DirectBuffer buffer;
        private int position;

        Reader(final DirectBuffer buffer, final int offset)
        {
            this.buffer = buffer;
            this.position = offset;
        }

        byte getByte()
        {
            return buffer.getByte(position++);
        }

        int getCount()
        {
            final int count = buffer.getInt(position);
            position += 4;
            if (count < 0)
            {
                throw new IllegalStateException("corrupt quorum message: negative count " + count);
            }
            return count;
        }

        long getLong()
        {
            final long value = buffer.getLong(position);
            position += 8;
            return value;
        }

        String getString()
        {
            final String value = buffer.getStringUtf8(position);
            position += 4 + buffer.getInt(position);
            return value;
        }

        byte[] getBytes()
        {
            final int length = getCount();
            final byte[] bytes = new byte[length];
            buffer.getBytes(position, bytes);
            position += length;
            return bytes;
        }

        List<QuorumMessage.Event> getEvents()
        {
            final int count = getCount();
            final List<QuorumMessage.Event> events = new ArrayList<>(count);
            for (int i = 0; i < count; i++)
            {
                events.add(new QuorumMessage.Event(getLong(), getBytes()));
            }
            return Collections.unmodifiableList(events);
        }
    }
}
