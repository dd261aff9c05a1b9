package dev.millrace.sharding.persistence.quorum;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The body of one quorum journal event ({@link QuorumMessage.Event#body()}): the payload as its Pekko serializer
 * wrote it plus what replay needs to rebuild the {@code PersistentRepr}. Only the client plugins read it; the
 * replicated service stores it as opaque bytes. Integers big-endian, strings a uint16 length then UTF-8.
 * <pre>
 * +---------------+------------------------+---------------------------------+-------------------------------+
 * | version = 1   | serializer id (int32)  | serializer manifest (uint16+..) | adapter manifest (uint16+..)  |
 * +---------------+------------------------+---------------------------------+-------------------------------+
 * | writer uuid (uint16+..) | timestamp ms (int64) | tag count (uint16), tags (uint16+..) | payload length (int32) |
 * +-------------------------+----------------------+-------------------------------------+------------------------+
 * | payload bytes ...                                                                                          |
 * +------------------------------------------------------------------------------------------------------------+
 * </pre>
 * Threading: immutable value; the codec methods are stateless.
 */
record StoredEvent(
    int serializerId,
    String serializerManifest,
    String adapterManifest,
    String writerUuid,
    long timestamp,
    Set<String> tags,
    byte[] payload)
{
    static final byte VERSION = 1;
    private static final int MAX_SHORT_STRING = 0xFFFF;

    byte[] encode()
    {
        final byte[] serializerManifestBytes = shortString(serializerManifest, "serializer manifest");
        final byte[] adapterManifestBytes = shortString(adapterManifest, "event adapter manifest");
        final byte[] writerUuidBytes = shortString(writerUuid, "writer uuid");
        if (tags.size() > MAX_SHORT_STRING)
        {
            throw new IllegalArgumentException("too many tags: " + tags.size());
        }
        final List<byte[]> tagBytes = new ArrayList<>(tags.size());
        int tagsLength = 0;
        for (final String tag : tags)
        {
            final byte[] bytes = shortString(tag, "tag");
            tagBytes.add(bytes);
            tagsLength += 2 + bytes.length;
        }
        final int length = 1 + 4 + 2 + serializerManifestBytes.length + 2 + adapterManifestBytes.length + 2 +
            writerUuidBytes.length + 8 + 2 + tagsLength + 4 + payload.length;
        final ByteBuffer buffer = ByteBuffer.allocate(length);
        buffer.put(VERSION).putInt(serializerId);
        buffer.putShort((short)serializerManifestBytes.length).put(serializerManifestBytes);
        buffer.putShort((short)adapterManifestBytes.length).put(adapterManifestBytes);
        buffer.putShort((short)writerUuidBytes.length).put(writerUuidBytes);
        buffer.putLong(timestamp).putShort((short)tagBytes.size());
        for (final byte[] tag : tagBytes)
        {
            buffer.putShort((short)tag.length).put(tag);
        }
        buffer.putInt(payload.length).put(payload);
        return buffer.array();
    }

    static StoredEvent decode(final byte[] bytes)
    {
        final ByteBuffer buffer = ByteBuffer.wrap(bytes);
        final byte version = buffer.get();
        if (version != VERSION)
        {
            throw new IllegalStateException("unsupported quorum event version " + version + ", expected " + VERSION);
        }
        final int serializerId = buffer.getInt();
        final String serializerManifest = shortString(buffer);
        final String adapterManifest = shortString(buffer);
        final String writerUuid = shortString(buffer);
        final long timestamp = buffer.getLong();
        final int tagCount = Short.toUnsignedInt(buffer.getShort());
        Set<String> tags = Collections.emptySet();
        if (tagCount > 0)
        {
            final Set<String> read = new TreeSet<>();
            for (int i = 0; i < tagCount; i++)
            {
                read.add(shortString(buffer));
            }
            tags = Collections.unmodifiableSet(read);
        }
        final int payloadLength = buffer.getInt();
        if (payloadLength < 0 || payloadLength != buffer.remaining())
        {
            throw new IllegalStateException(
                "corrupt quorum event: payload length " + payloadLength + ", remaining " + buffer.remaining());
        }
        final byte[] payload = new byte[payloadLength];
        buffer.get(payload);
        return new StoredEvent(serializerId, serializerManifest, adapterManifest, writerUuid, timestamp, tags, payload);
    }

    private static byte[] shortString(final String value, final String what)
    {
        final byte[] bytes = (value == null ? "" : value).getBytes(StandardCharsets.UTF_8);
        if (bytes.length > MAX_SHORT_STRING)
        {
            throw new IllegalArgumentException(what + " longer than " + MAX_SHORT_STRING + " bytes");
        }
        return bytes;
    }

    private static String shortString(final ByteBuffer buffer)
    {
        final byte[] bytes = new byte[Short.toUnsignedInt(buffer.getShort())];
        buffer.get(bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
