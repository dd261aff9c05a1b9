package dev.millrace.sharding.persistence.embedded;

import dev.millrace.sharding.persistence.EventEnvelope;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Key and value layouts of the snapshot store (one column family, the default). Integers big-endian, so the
 * snapshots of one persistence id sort by sequence number, then timestamp; the length prefix keeps one id's keys
 * from interleaving with another id that has it as a prefix.
 * <pre>
 * key:
 * +-------------------------+---------------------------+-------------------+-------------------+
 * | pid length (uint16)     | persistence id (UTF-8)    | sequence nr int64 | timestamp ms int64|
 * +-------------------------+---------------------------+-------------------+-------------------+
 * value:
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  version = 1  |           serializer id (int32)  ...          |
 * +---------------+-------------------------------+---------------+
 * |  ... (cont.)  |  serializer manifest length   | manifest ...  |
 * +---------------+-------------------------------+---------------+
 * |  payload length (int32)                                       |
 * +---------------------------------------------------------------+
 * |  payload bytes ...                                            |
 * +---------------------------------------------------------------+
 * </pre>
 * <p>
 * Threading: immutable value; the codec methods are stateless.
 */
record SnapshotEnvelope(int serializerId, String serializerManifest, byte[] payload)
{
    static final byte VERSION = 1;
    static final int SUFFIX_LENGTH = 16;

    static byte[] pidPrefix(final String persistenceId)
    {
        final byte[] pid = EventEnvelope.shortString(persistenceId, "persistence id");
        return ByteBuffer.allocate(2 + pid.length).putShort((short)pid.length).put(pid).array();
    }

    static byte[] key(final byte[] pidPrefix, final long sequenceNr, final long timestamp)
    {
        return ByteBuffer.allocate(pidPrefix.length + SUFFIX_LENGTH)
            .put(pidPrefix)
            .putLong(sequenceNr)
            .putLong(timestamp)
            .array();
    }

    static boolean hasPrefix(final byte[] key, final byte[] pidPrefix)
    {
        if (key.length != pidPrefix.length + SUFFIX_LENGTH)
        {
            return false;
        }
        for (int i = 0; i < pidPrefix.length; i++)
        {
            if (key[i] != pidPrefix[i])
            {
                return false;
            }
        }
        return true;
    }

    static long sequenceNr(final byte[] key)
    {
        return ByteBuffer.wrap(key).getLong(key.length - SUFFIX_LENGTH);
    }

    static long timestamp(final byte[] key)
    {
        return ByteBuffer.wrap(key).getLong(key.length - 8);
    }

    byte[] encode()
    {
        final byte[] manifest = EventEnvelope.shortString(serializerManifest, "serializer manifest");
        return ByteBuffer.allocate(1 + 4 + 2 + manifest.length + 4 + payload.length)
            .put(VERSION)
            .putInt(serializerId)
            .putShort((short)manifest.length)
            .put(manifest)
            .putInt(payload.length)
            .put(payload)
            .array();
    }

    static SnapshotEnvelope decode(final byte[] bytes)
    {
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        final byte version = buffer.get();
        if (version != VERSION)
        {
            throw new IllegalStateException("unsupported snapshot envelope version " + version + ", expected " + VERSION);
        }
        final int serializerId = buffer.getInt();
        final int manifestLength = Short.toUnsignedInt(buffer.getShort());
        final byte[] manifest = new byte[manifestLength];
        buffer.get(manifest);
        final int payloadLength = buffer.getInt();
        if (payloadLength < 0 || payloadLength != buffer.remaining())
        {
            throw new IllegalStateException(
                "corrupt snapshot envelope: payload length " + payloadLength + ", remaining " + buffer.remaining());
        }
        final byte[] payload = new byte[payloadLength];
        buffer.get(payload);
        return new SnapshotEnvelope(serializerId, new String(manifest, StandardCharsets.UTF_8), payload);
    }
}
