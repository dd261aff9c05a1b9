package dev.millrace.serialization.compress;

/**
 * The codecs a v2 record batch can name in bits 0–2 of its attributes, with the ids and default levels of
 * kafka-clients 4.x (gzip: zlib's default, lz4: 9, zstd: 3), so that a batch we compress with the defaults is
 * the batch a Kafka producer would send.
 *
 * <p>Immutable and thread-safe.
 */
public enum CompressionType
{
    NONE(0, 0),
    GZIP(1, -1),
    SNAPPY(2, 0),
    LZ4(3, 9),
    ZSTD(4, 3);

    private static final CompressionType[] BY_ID = values();

    private final int id;
    private final int defaultLevel;

    CompressionType(final int id, final int defaultLevel)
    {
        this.id = id;
        this.defaultLevel = defaultLevel;
    }

    /** The attribute value (0–4). */
    public int id()
    {
        return id;
    }

    /** The level kafka-clients uses when none is configured; meaningless for NONE and SNAPPY. */
    public int defaultLevel()
    {
        return defaultLevel;
    }

    /** The codec for an attribute value, or null when the id is not one of 0–4. */
    public static CompressionType forId(final int id)
    {
        return id >= 0 && id < BY_ID.length ? BY_ID[id] : null;
    }
}
