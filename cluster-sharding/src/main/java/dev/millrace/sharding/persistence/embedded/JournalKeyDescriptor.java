package dev.millrace.sharding.persistence.embedded;

import dev.millrace.sharding.persistence.EventEnvelope;
import java.nio.ByteBuffer;

/**
 * Key layouts of the journal's column families. All integers are big-endian so that RocksDB's bytewise key order is
 * numeric order for non-negative values: iterating {@code events} from {@code key(pidId, from)} visits one
 * persistence id's events in sequence-number order and stops at the next id.
 * <pre>
 * column family "pids"     key: persistence id (UTF-8 bytes)        value: pidId (int64)
 * column family "highest"  key: pidId (int64)                       value: highest sequence number written (int64)
 * column family "events"   key: see below                           value: {@link EventEnvelope}
 *
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                          pidId (int64)                        |
 * |                                                               |
 * +---------------------------------------------------------------+
 * |                     sequence number (int64)                   |
 * |                                                               |
 * +---------------------------------------------------------------+
 * </pre>
 * pidIds are assigned from 1 upwards the first time a persistence id is written, in the same atomic batch as that
 * first event, so a mapping never exists without its event or the other way round. The {@code highest} entry is kept
 * when events are deleted, so the highest sequence number stays correct after a delete of everything.
 * <p>
 * Threading: stateless.
 */
final class JournalKeyDescriptor
{
    static final String PIDS_COLUMN_FAMILY = "pids";
    static final String HIGHEST_COLUMN_FAMILY = "highest";
    static final String EVENTS_COLUMN_FAMILY = "events";

    static final int PID_ID_OFFSET = 0;
    static final int SEQUENCE_NR_OFFSET = 8;
    static final int EVENT_KEY_LENGTH = 16;
    static final int LONG_LENGTH = 8;

    private JournalKeyDescriptor()
    {
    }

    static byte[] eventKey(final long pidId, final long sequenceNr)
    {
        return ByteBuffer.allocate(EVENT_KEY_LENGTH)
            .putLong(PID_ID_OFFSET, pidId)
            .putLong(SEQUENCE_NR_OFFSET, sequenceNr)
            .array();
    }

    static long pidId(final byte[] eventKey)
    {
        return ByteBuffer.wrap(eventKey).getLong(PID_ID_OFFSET);
    }

    static long sequenceNr(final byte[] eventKey)
    {
        return ByteBuffer.wrap(eventKey).getLong(SEQUENCE_NR_OFFSET);
    }

    static byte[] longBytes(final long value)
    {
        return ByteBuffer.allocate(LONG_LENGTH).putLong(0, value).array();
    }

    static long longValue(final byte[] bytes)
    {
        if (bytes.length != LONG_LENGTH)
        {
            throw new IllegalStateException("expected an 8-byte value, found " + bytes.length + " bytes");
        }
        return ByteBuffer.wrap(bytes).getLong(0);
    }
}
