package dev.millrace.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The parts of the failover probe that need no cluster: which leader it kills, what it prints, the logs it keeps. */
class FailoverProbeTest
{
    @Test
    void shouldAcceptOnlyTheLeadersTheTargetAsksFor()
    {
        assertTrue(FailoverProbe.Target.CONTROLLER.accepts(2, 2));
        assertFalse(FailoverProbe.Target.CONTROLLER.accepts(1, 2));
        assertTrue(FailoverProbe.Target.OTHER.accepts(1, 2));
        assertFalse(FailoverProbe.Target.OTHER.accepts(2, 2));
        assertTrue(FailoverProbe.Target.ANY.accepts(1, 2));
        assertTrue(FailoverProbe.Target.ANY.accepts(2, 2));
    }

    @Test
    void shouldPrintTheTimelineInMillisecondsAndAFailedSendOnlyWhenThereIsOne()
    {
        final FailoverProbe.Timeline clean = new FailoverProbe.Timeline(-1, "none", 1_642_000_000L, 1_694_000_000L, 0,
            1_991_000_000L);
        assertEquals("Admin sees leader 0 1642 ms, producer's metadata 1694 ms, first ack 1991 ms", clean.describe());
        final FailoverProbe.Timeline failed = new FailoverProbe.Timeline(120_000_000L, "TimeoutException", -1, -1, -1, -1);
        assertEquals("first failed send 120 ms (TimeoutException), Admin sees leader -1 -, producer's metadata -, " +
            "first ack -", failed.describe());
    }

    @Test
    void shouldCapTheClientBackoffsTheSameForBothSystems()
    {
        assertEquals(250, FailoverProbe.CLIENT_SETTINGS.get(ProducerConfig.RETRY_BACKOFF_MAX_MS_CONFIG));
        assertEquals(250, FailoverProbe.CLIENT_SETTINGS.get(ProducerConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG));
        assertEquals("02:54:43.451", FailoverProbe.timeOfDay(Instant.parse("2026-11-25T02:54:43.451Z")));
        assertEquals("-", FailoverProbe.timeOfDay(null));
    }

    @Test
    void shouldCopyOnlyLogFiles(@TempDir final Path dir) throws Exception
    {
        final Path node = Files.createDirectories(dir.resolve("node-0"));
        Files.writeString(node.resolve("stderr.log"), "line");
        Files.writeString(node.resolve("kafka.out"), "out");
        Files.writeString(node.resolve("node.conf"), "conf");
        Files.createDirectories(node.resolve("data.log"));
        final Path target = dir.resolve("kept");
        BenchFiles.copyLogs(node, target, "millrace-0-");
        assertEquals("line", Files.readString(target.resolve("millrace-0-stderr.log")));
        assertEquals("out", Files.readString(target.resolve("millrace-0-kafka.out")));
        assertFalse(Files.exists(target.resolve("millrace-0-node.conf")));
        assertFalse(Files.exists(target.resolve("millrace-0-data.log")));
    }
}
