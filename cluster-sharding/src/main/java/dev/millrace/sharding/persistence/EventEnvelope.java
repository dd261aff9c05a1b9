package dev.millrace.sharding.persistence;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The stored form of one journal event, shared by both journals (the value in the embedded journal's {@code events}
 * column family; the opaque body the quorum journal replicates): the payload as its Pekko serializer wrote it plus what
 * replay needs to rebuild the {@code PersistentRepr}. Persistence id and sequence number are kept beside it by each
 * journal and not repeated. Strings are UTF-8, lengths are unsigned,
 * integers big-endian.
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |  version = 1  |           serializer id (int32)  ...          |
 * +---------------+-------------------------------+---------------+
 * |  ... (cont.)  |  serializer manifest length   | manifest ...  |
 * +---------------+-------------------------------+---------------+
 * |  adapter manifest length (uint16) | adapter manifest (event adapter's) ...
 * +-----------------------------------+---------------------------+
 * |  writer uuid length (uint16)      | writer uuid ...           |
 * +-----------------------------------+---------------------------+
 * |                    timestamp, epoch ms (int64)                |
 * +-----------------------------------+---------------------------+
 * |  tag count (uint16)               | per tag: length (uint16), tag bytes ...
 * +-----------------------------------+---------------------------+
 * |  payload length (int32)                                       |
 * +---------------------------------------------------------------+
 * |  payload bytes ...                                            |
 * +---------------------------------------------------------------+
 * </pre>
 * A reader refuses an unknown version instead of guessing. The actor reference {@code sender} of a
 * {@code PersistentRepr} and its optional metadata are not stored (Pekko's persistent actors do not rely on either
 * after replay).
 * <p>
 * Threading: immutable value; the codec methods are stateless.
 */
public record EventEnvelope(
    int serializerId,
    String serializerManifest,
    String adapterManifest,
    String writerUuid,
    long timestamp,
    Set<String> tags,
    byte[] payload)
{
    public static final byte VERSION = 1;
    private static final int MAX_SHORT_STRING = 0xFFFF;

    public byte[] encode()
    {
        final byte[] serializerManifestBytes = shortString(serializerManifest, "serializer manifest");
        final byte[] adapterManifestBytes = shortString(adapterManifest, "event adapter manifest");
        final byte[] writerUuidBytes = shortString(writerUuid, "writer uuid");
        final List<byte[]> tagBytes = new ArrayList<>(tags.size());
        int tagsLength = 0;
        for (final String tag : tags)
        {
            final byte[] bytes = shortString(tag, "tag");
            tagBytes.add(bytes);
            tagsLength += 2 + bytes.length;
        }
        if (tags.size() > MAX_SHORT_STRING)
        {
            throw new IllegalArgumentException("too many tags: " + tags.size());
        }

        final int length = 1 + 4 + 2 + serializerManifestBytes.length + 2 + adapterManifestBytes.length + 2 +
            writerUuidBytes.length + 8 + 2 + tagsLength + 4 + payload.length;
        final ByteBuffer buffer = ByteBuffer.allocate(length);
        buffer.put(VERSION).putInt(serializerId);
        putShortBytes(buffer, serializerManifestBytes);
        putShortBytes(buffer, adapterManifestBytes);
        putShortBytes(buffer, writerUuidBytes);
        buffer.putLong(timestamp);
        buffer.putShort((short)tagBytes.size());
        for (final byte[] tag : tagBytes)
        {
            putShortBytes(buffer, tag);
        }
        buffer.putInt(payload.length).put(payload);
        return buffer.array();
    }

    public static EventEnvelope decode(final byte[] bytes)
    {
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        final byte version = buffer.get();
        if (version != VERSION)
        {
            throw new IllegalStateException("unsupported event envelope version " + version + ", expected " + VERSION);
        }
        final int serializerId = buffer.getInt();
        final String serializerManifest = getShortString(buffer);
        final String adapterManifest = getShortString(buffer);
        final String writerUuid = getShortString(buffer);
        final long timestamp = buffer.getLong();
        final int tagCount = Short.toUnsignedInt(buffer.getShort());
        final Set<String> tags;
        if (tagCount == 0)
        {
            tags = Collections.emptySet();
        }
        else
        {
            final Set<String> read = new TreeSet<>();
            for (int i = 0; i < tagCount; i++)
            {
                read.add(getShortString(buffer));
            }
            tags = Collections.unmodifiableSet(read);
        }
        final int payloadLength = buffer.getInt();
        if (payloadLength < 0 || payloadLength != buffer.remaining())
        {
            throw new IllegalStateException(
                "corrupt event envelope: payload length " + payloadLength + ", remaining " + buffer.remaining());
        }
        final byte[] payload = new byte[payloadLength];
        buffer.get(payload);
        return new EventEnvelope(serializerId, serializerManifest, adapterManifest, writerUuid, timestamp, tags, payload);
    }

    public static byte[] shortString(final String value, final String what)
    {
        final byte[] bytes = (value == null ? "" : value).getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_SHORT_STRING)
        {
            throw new IllegalArgumentException(what + " longer than " + MAX_SHORT_STRING + " bytes");
        }
        return bytes;
    }

    public static void putShortBytes(final ByteBuffer buffer, final byte[] bytes)
    {
        buffer.putShort((short)bytes.length).put(bytes);
    }

    public static String getShortString(final ByteBuffer buffer)
    {
        final int length = Short.toUnsignedInt(buffer.getShort());
        final byte[] bytes = new byte[length];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
