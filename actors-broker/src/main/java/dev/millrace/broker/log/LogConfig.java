package dev.millrace.broker.log;

import java.util.List;
import java.util.Map;

import dev.millrace.serialization.batch.RecordBatchDescriptor;

/**
 * Settings of one partition log, with Kafka's topic-level key names and defaults. The canonical constructor
 * validates every value and fails with a {@link LogException.Category#CONFIG} error naming the key, so a
 * {@code LogConfig} that exists is a valid one.
 *
 * <p>Immutable and thread-safe.
 *
 * @param segmentBytes       {@value #SEGMENT_BYTES}: roll to a new segment before one would grow past this.
 * @param segmentMs          {@value #SEGMENT_MS}: roll when the active segment's first batch is older than this.
 * @param retentionMs        {@value #RETENTION_MS}: delete segments whose newest timestamp is older; -1 keeps forever.
 * @param retentionBytes     {@value #RETENTION_BYTES}: delete oldest segments while the rest still holds this much;
 *                           -1 for no size limit.
 * @param indexIntervalBytes {@value #INDEX_INTERVAL_BYTES}: bytes of log between two offset-index entries.
 * @param maxMessageBytes    {@value #MAX_MESSAGE_BYTES}: the largest batch an append accepts, header included.
 * @param flushMessages      {@value #FLUSH_MESSAGES}: fsync after this many records since the last flush.
 * @param flushMs            {@value #FLUSH_MS}: fsync when an append finds the last flush this long ago.
 * @param fsyncOnAck         {@value #FSYNC_ON_ACK}: fsync every append before it returns (single-node durability).
 * @param messageTimestampType {@value #MESSAGE_TIMESTAMP_TYPE}: {@code CreateTime} keeps the producer's record
 *                           timestamps; {@code LogAppendTime} has the leader stamp each batch with its clock on append.
 */
public record LogConfig(
    int segmentBytes,
    long segmentMs,
    long retentionMs,
    long retentionBytes,
    int indexIntervalBytes,
    int maxMessageBytes,
    long flushMessages,
    long flushMs,
    boolean fsyncOnAck,
    TimestampType messageTimestampType)
{
    public static final String SEGMENT_BYTES = "segment.bytes";
    public static final String SEGMENT_MS = "segment.ms";
    public static final String RETENTION_MS = "retention.ms";
    public static final String RETENTION_BYTES = "retention.bytes";
    public static final String INDEX_INTERVAL_BYTES = "index.interval.bytes";
    public static final String MAX_MESSAGE_BYTES = "max.message.bytes";
    public static final String FLUSH_MESSAGES = "flush.messages";
    public static final String FLUSH_MS = "flush.ms";
    public static final String FSYNC_ON_ACK = "fsync-on-ack";
    public static final String MESSAGE_TIMESTAMP_TYPE = "message.timestamp.type";
    /** Every key {@link #fromMap} accepts, in component order, as its unknown-key error lists them. */
    private static final List<String> KEYS = List.of(
        SEGMENT_BYTES, SEGMENT_MS, RETENTION_MS, RETENTION_BYTES, INDEX_INTERVAL_BYTES, MAX_MESSAGE_BYTES,
        FLUSH_MESSAGES, FLUSH_MS, FSYNC_ON_ACK, MESSAGE_TIMESTAMP_TYPE);

    public static final int DEFAULT_SEGMENT_BYTES = 1 << 30;
    public static final long DEFAULT_SEGMENT_MS = 7L * 24 * 60 * 60 * 1000;
    public static final long DEFAULT_RETENTION_MS = 7L * 24 * 60 * 60 * 1000;
    public static final long DEFAULT_RETENTION_BYTES = -1;
    public static final int DEFAULT_INDEX_INTERVAL_BYTES = 4096;
    /** Kafka's default: 1 MiB of records plus the 12 bytes of log overhead. */
    public static final int DEFAULT_MAX_MESSAGE_BYTES = 1024 * 1024 + RecordBatchDescriptor.LOG_OVERHEAD;
    public static final long DEFAULT_FLUSH_MESSAGES = Long.MAX_VALUE;
    public static final long DEFAULT_FLUSH_MS = Long.MAX_VALUE;
    public static final boolean DEFAULT_FSYNC_ON_ACK = false;
    public static final TimestampType DEFAULT_MESSAGE_TIMESTAMP_TYPE = TimestampType.CREATE_TIME;

    private static final LogConfig DEFAULTS = new LogConfig(
        DEFAULT_SEGMENT_BYTES, DEFAULT_SEGMENT_MS, DEFAULT_RETENTION_MS, DEFAULT_RETENTION_BYTES,
        DEFAULT_INDEX_INTERVAL_BYTES, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_FLUSH_MESSAGES, DEFAULT_FLUSH_MS,
        DEFAULT_FSYNC_ON_ACK, DEFAULT_MESSAGE_TIMESTAMP_TYPE);

    public LogConfig
    {
        // A segment must hold at least one batch header, or no append could ever fit.
        atLeast(SEGMENT_BYTES, segmentBytes, RecordBatchDescriptor.HEADER_LENGTH);
        atLeast(SEGMENT_MS, segmentMs, 1);
        atLeast(RETENTION_MS, retentionMs, -1);
        atLeast(RETENTION_BYTES, retentionBytes, -1);
        atLeast(INDEX_INTERVAL_BYTES, indexIntervalBytes, 0);
        atLeast(MAX_MESSAGE_BYTES, maxMessageBytes, RecordBatchDescriptor.HEADER_LENGTH);
        atLeast(FLUSH_MESSAGES, flushMessages, 1);
        atLeast(FLUSH_MS, flushMs, 0);
        if (null == messageTimestampType)
        {
            throw new LogException(
                LogException.Category.CONFIG, MESSAGE_TIMESTAMP_TYPE + " must be CreateTime or LogAppendTime but was null");
        }
    }

    /** Which timestamp a record carries in the log: Kafka's {@code message.timestamp.type} values. */
    public enum TimestampType
    {
        /** The producer's timestamp, as sent. */
        CREATE_TIME("CreateTime"),
        /** The leader's clock when it appended the batch. */
        LOG_APPEND_TIME("LogAppendTime");

        private final String configValue;

        TimestampType(final String configValue)
        {
            this.configValue = configValue;
        }

        /** The value as written in configuration. */
        public String configValue()
        {
            return configValue;
        }

        static TimestampType parse(final String key, final String value)
        {
            final String trimmed = value.trim();
            for (final TimestampType type : values())
            {
                if (type.configValue.equals(trimmed))
                {
                    return type;
                }
            }
            throw new LogException(
                LogException.Category.CONFIG, key + " must be CreateTime or LogAppendTime but was '" + value + "'");
        }
    }

    /** Kafka's defaults: 1 GiB segments, 7 days retention, no size limit, flush left to the OS, no fsync on ack. */
    public static LogConfig defaults()
    {
        return DEFAULTS;
    }

    /**
     * Builds a config from string properties with the Kafka key names; absent keys take their defaults.
     *
     * @throws LogException {@link LogException.Category#CONFIG} naming the key for an unknown key, a value that is
     *                      not a number or a boolean, or a value out of range.
     */
    public static LogConfig fromMap(final Map<String, String> properties)
    {
        int segmentBytes = DEFAULT_SEGMENT_BYTES;
        long segmentMs = DEFAULT_SEGMENT_MS;
        long retentionMs = DEFAULT_RETENTION_MS;
        long retentionBytes = DEFAULT_RETENTION_BYTES;
        int indexIntervalBytes = DEFAULT_INDEX_INTERVAL_BYTES;
        int maxMessageBytes = DEFAULT_MAX_MESSAGE_BYTES;
        long flushMessages = DEFAULT_FLUSH_MESSAGES;
        long flushMs = DEFAULT_FLUSH_MS;
        boolean fsyncOnAck = DEFAULT_FSYNC_ON_ACK;
        TimestampType messageTimestampType = DEFAULT_MESSAGE_TIMESTAMP_TYPE;

        for (final Map.Entry<String, String> entry : properties.entrySet())
        {
            final String key = entry.getKey();
            final String value = entry.getValue();
            switch (key)
            {
                case SEGMENT_BYTES -> segmentBytes = parseInt(key, value);
                case SEGMENT_MS -> segmentMs = parseLong(key, value);
                case RETENTION_MS -> retentionMs = parseLong(key, value);
                case RETENTION_BYTES -> retentionBytes = parseLong(key, value);
                case INDEX_INTERVAL_BYTES -> indexIntervalBytes = parseInt(key, value);
                case MAX_MESSAGE_BYTES -> maxMessageBytes = parseInt(key, value);
                case FLUSH_MESSAGES -> flushMessages = parseLong(key, value);
                case FLUSH_MS -> flushMs = parseLong(key, value);
                case FSYNC_ON_ACK -> fsyncOnAck = parseBoolean(key, value);
                case MESSAGE_TIMESTAMP_TYPE -> messageTimestampType = TimestampType.parse(key, value);
                default -> throw new LogException(
                    LogException.Category.CONFIG,
                    "unknown log config key '" + key + "'; known keys are " + String.join(", ", KEYS));
            }
        }

        return new LogConfig(
            segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, maxMessageBytes,
            flushMessages, flushMs, fsyncOnAck, messageTimestampType);
    }

    public LogConfig withSegmentBytes(final int segmentBytes)
    {
        return new LogConfig(
            segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, maxMessageBytes,
            flushMessages, flushMs, fsyncOnAck, messageTimestampType);
    }

    public LogConfig withSegmentMs(final long segmentMs)
    {
        return new LogConfig(
            segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, maxMessageBytes,
            flushMessages, flushMs, fsyncOnAck, messageTimestampType);
    }

    public LogConfig withRetentionMs(final long retentionMs)
    {
        return new LogConfig(
            segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, maxMessageBytes,
            flushMessages, flushMs, fsyncOnAck, messageTimestampType);
    }

    public LogConfig withRetentionBytes(final long retentionBytes)
    {
        return new LogConfig(
            segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, maxMessageBytes,
            flushMessages, flushMs, fsyncOnAck, messageTimestampType);
    }

    public LogConfig withIndexIntervalBytes(final int indexIntervalBytes)
    {
        return new LogConfig(
            segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, maxMessageBytes,
            flushMessages, flushMs, fsyncOnAck, messageTimestampType);
    }

    public LogConfig withMaxMessageBytes(final int maxMessageBytes)
    {
        return new LogConfig(
            segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, maxMessageBytes,
            flushMessages, flushMs, fsyncOnAck, messageTimestampType);
    }

    public LogConfig withFlushMessages(final long flushMessages)
    {
        return new LogConfig(
            segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, maxMessageBytes,
            flushMessages, flushMs, fsyncOnAck, messageTimestampType);
    }

    public LogConfig withFlushMs(final long flushMs)
    {
        return new LogConfig(
            segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, maxMessageBytes,
            flushMessages, flushMs, fsyncOnAck, messageTimestampType);
    }

    public LogConfig withFsyncOnAck(final boolean fsyncOnAck)
    {
        return new LogConfig(
            segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, maxMessageBytes,
            flushMessages, flushMs, fsyncOnAck, messageTimestampType);
    }

    public LogConfig withMessageTimestampType(final TimestampType messageTimestampType)
    {
        return new LogConfig(
            segmentBytes, segmentMs, retentionMs, retentionBytes, indexIntervalBytes, maxMessageBytes,
            flushMessages, flushMs, fsyncOnAck, messageTimestampType);
    }

    private static void atLeast(final String key, final long value, final long min)
    {
        if (value < min)
        {
            throw new LogException(
                LogException.Category.CONFIG, key + " must be >= " + min + " but was " + value + explain(key));
        }
    }

    private static String explain(final String key)
    {
        return switch (key)
        {
            case SEGMENT_BYTES, MAX_MESSAGE_BYTES ->
                " (a batch header alone is " + RecordBatchDescriptor.HEADER_LENGTH + " bytes)";
            case RETENTION_MS, RETENTION_BYTES -> " (use -1 for no limit)";
            default -> "";
        };
    }

    private static int parseInt(final String key, final String value)
    {
        try
        {
            return Integer.parseInt(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new LogException(
                LogException.Category.CONFIG, key + " must be an integer in [" + Integer.MIN_VALUE + ", " +
                Integer.MAX_VALUE + "] but was '" + value + "'", ex);
        }
    }

    private static long parseLong(final String key, final String value)
    {
        try
        {
            return Long.parseLong(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            throw new LogException(LogException.Category.CONFIG, key + " must be a long integer but was '" + value + "'", ex);
        }
    }

    private static boolean parseBoolean(final String key, final String value)
    {
        final String trimmed = value.trim();
        if ("true".equalsIgnoreCase(trimmed))
        {
            return true;
        }
        if ("false".equalsIgnoreCase(trimmed))
        {
            return false;
        }
        throw new LogException(LogException.Category.CONFIG, key + " must be true or false but was '" + value + "'");
    }
}
