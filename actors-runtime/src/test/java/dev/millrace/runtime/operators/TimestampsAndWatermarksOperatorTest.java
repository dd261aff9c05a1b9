package dev.millrace.runtime.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.millrace.runtime.time.WatermarkStrategy;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Bounded out-of-orderness watermarks per batch, and idleness by processing time. */
class TimestampsAndWatermarksOperatorTest
{
    @Test
    void shouldEmitBoundedOutOfOrdernessWatermarksAfterEachBatch() throws Exception
    {
        final OperatorHarness<Long, Long> harness = new OperatorHarness<>(new TimestampsAndWatermarksOperator<>(
            WatermarkStrategy.<Long>forBoundedOutOfOrderness(Duration.ofMillis(100))
                .withTimestampAssigner((value, previous) -> value)), 8, 1, 0, null);
        harness.element(1_000L, Long.MIN_VALUE);
        harness.element(1_500L, Long.MIN_VALUE);
        harness.element(1_200L, Long.MIN_VALUE);
        assertEquals(List.of(), harness.watermarks);
        harness.batchEnd();
        harness.element(1_450L, Long.MIN_VALUE);
        harness.batchEnd();
        assertEquals(List.of(1_399L), harness.watermarks, "no new watermark without a newer event");
        assertEquals(1_200L, harness.records.get(2).timestampMs());
    }

    @Test
    void shouldMarkTheStreamIdleAfterTheTimeoutAndActiveWithTheNextRecord() throws Exception
    {
        final OperatorHarness<Long, Long> harness = new OperatorHarness<>(new TimestampsAndWatermarksOperator<>(
            WatermarkStrategy.<Long>forMonotonousTimestamps().withTimestampAssigner((value, previous) -> value)
                .withIdleness(Duration.ofMillis(100))), 8, 1, 0, null);
        harness.element(5L, Long.MIN_VALUE);
        harness.advanceProcessingTime(99);
        assertEquals(List.of(), harness.statuses);
        harness.advanceProcessingTime(250);
        assertEquals(List.of(true), harness.statuses);
        harness.element(6L, Long.MIN_VALUE);
        assertEquals(List.of(true, false), harness.statuses);
    }
}
