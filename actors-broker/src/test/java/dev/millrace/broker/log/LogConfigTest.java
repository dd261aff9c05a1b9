package dev.millrace.broker.log;

import static org.junit.jupiter.api.Assertions.*;

import java.util.Map;

import org.junit.jupiter.api.Test;

class LogConfigTest
{
    @Test
    void shouldDefaultToKafkasValues()
    {
        final LogConfig config = LogConfig.defaults();
        assertEquals(1 << 30, config.segmentBytes());
        assertEquals(4096, config.indexIntervalBytes());
        assertEquals(7L * 24 * 3600 * 1000, config.retentionMs());
        assertEquals(-1, config.retentionBytes());
        assertEquals(1048588, config.maxMessageBytes());
        assertFalse(config.fsyncOnAck());
        assertEquals(LogConfig.TimestampType.CREATE_TIME, config.messageTimestampType());
        assertEquals(config, LogConfig.fromMap(Map.of()));
    }

    @Test
    void shouldParseEveryKey()
    {
        final LogConfig config = LogConfig.fromMap(Map.of(
            "segment.bytes", "1048576", "segment.ms", "1000", "retention.ms", "-1", "retention.bytes", "5000",
            "index.interval.bytes", "0", "max.message.bytes", "2000", "flush.messages", "1", "flush.ms", "10",
            "fsync-on-ack", "true", "message.timestamp.type", "LogAppendTime"));
        assertEquals(
            new LogConfig(1048576, 1000, -1, 5000, 0, 2000, 1, 10, true, LogConfig.TimestampType.LOG_APPEND_TIME), config);
        assertEquals(LogConfig.TimestampType.CREATE_TIME,
            LogConfig.fromMap(Map.of("message.timestamp.type", "CreateTime")).messageTimestampType());
    }

    @Test
    void shouldNameTheKeyOfAnOutOfRangeValue()
    {
        assertConfigError("segment.bytes must be >= 61", () -> LogConfig.defaults().withSegmentBytes(10));
        assertConfigError("retention.ms must be >= -1", () -> LogConfig.defaults().withRetentionMs(-2));
        assertConfigError("retention.bytes must be >= -1", () -> LogConfig.defaults().withRetentionBytes(-5));
        assertConfigError("index.interval.bytes must be >= 0", () -> LogConfig.defaults().withIndexIntervalBytes(-1));
        assertConfigError("max.message.bytes must be >= 61", () -> LogConfig.defaults().withMaxMessageBytes(0));
        assertConfigError("flush.messages must be >= 1", () -> LogConfig.defaults().withFlushMessages(0));
        assertConfigError("flush.ms must be >= 0", () -> LogConfig.defaults().withFlushMs(-1));
        assertConfigError("segment.ms must be >= 1", () -> LogConfig.defaults().withSegmentMs(0));
    }

    @Test
    void shouldNameTheKeyOfAnUnparsableOrUnknownSetting()
    {
        assertConfigError("segment.bytes must be an integer", () -> LogConfig.fromMap(Map.of("segment.bytes", "1GB")));
        assertConfigError("fsync-on-ack must be true or false", () -> LogConfig.fromMap(Map.of("fsync-on-ack", "yes")));
        assertConfigError("message.timestamp.type must be CreateTime or LogAppendTime but was 'BrokerTime'",
            () -> LogConfig.fromMap(Map.of("message.timestamp.type", "BrokerTime")));
        assertConfigError("message.timestamp.type must be CreateTime or LogAppendTime but was null",
            () -> LogConfig.defaults().withMessageTimestampType(null));
        assertConfigError("unknown log config key 'segment.size'; known keys are segment.bytes, segment.ms, " +
            "retention.ms, retention.bytes, index.interval.bytes, max.message.bytes, flush.messages, flush.ms, " +
            "fsync-on-ack, message.timestamp.type", () -> LogConfig.fromMap(Map.of("segment.size", "1")));
    }

    private static void assertConfigError(final String expected, final Runnable action)
    {
        final LogException ex = assertThrows(LogException.class, action::run);
        assertEquals(LogException.Category.CONFIG, ex.category());
        assertTrue(ex.getMessage().contains(expected), ex.getMessage());
    }
}
