package dev.millrace.runtime.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.millrace.runtime.api.Collector;
import dev.millrace.runtime.api.KeyedProcessFunction;
import dev.millrace.runtime.api.RuntimeContext;
import dev.millrace.runtime.api.TimeDomain;
import dev.millrace.runtime.state.ValueState;
import dev.millrace.runtime.state.ValueStateDescriptor;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A keyed process function's state and both kinds of timers, and a snapshot taken mid-stream that a new
 * operator (also at another parallelism) continues from.
 */
class KeyedProcessOperatorTest
{
    private static final int MAX_PARALLELISM = 8;

    /** Counts per key; an event-time timer at ts + 100 and a processing-time timer at now + 50 report the count. */
    static final class CountWithTimers extends KeyedProcessFunction<String, String, String>
    {
        private ValueState<Long> count;

        @Override
        public void open(final RuntimeContext context)
        {
            count = context.getState(new ValueStateDescriptor<>("count", Long.class));
        }

        @Override
        public void processElement(final String value, final Context<String> context, final Collector<String> out)
        {
            final Long current = count.value();
            count.update(current == null ? 1 : current + 1);
            context.timerService().registerEventTimeTimer(context.timestamp() + 100);
            context.timerService().registerProcessingTimeTimer(context.timerService().currentProcessingTime() + 50);
        }

        @Override
        public void onTimer(final long timestampMs, final OnTimerContext<String> context, final Collector<String> out)
        {
            out.collect((context.timeDomain() == TimeDomain.EVENT_TIME ? "event " : "processing ")
                + context.getCurrentKey() + "@" + timestampMs + "=" + count.value());
        }
    }

    private static OperatorHarness<String, String> harness(final int parallelism, final int subtask,
        final byte[] restore) throws Exception
    {
        return new OperatorHarness<>(new KeyedProcessOperator<>(value -> value, new CountWithTimers()),
            MAX_PARALLELISM, parallelism, subtask, restore);
    }

    @Test
    void shouldFireEventAndProcessingTimeTimersForTheirKey() throws Exception
    {
        final OperatorHarness<String, String> harness = harness(1, 0, null);
        harness.element("a", 1_000);
        harness.element("a", 1_010);
        harness.element("b", 1_020);
        harness.advanceProcessingTime(49);
        assertEquals(List.of(), harness.values());
        harness.advanceProcessingTime(50);
        assertEquals(List.of("processing a@50=2", "processing b@50=1"), harness.values().stream().sorted().toList());
        harness.watermark(1_105);
        assertEquals(List.of("event a@1100=2"), harness.values().subList(2, 3));
        harness.watermark(2_000);
        assertEquals(List.of("event a@1110=2", "event b@1120=1"), harness.values().subList(3, 5));
        assertEquals(List.of(1_105L, 2_000L), harness.watermarks);
        assertEquals(1_120L, harness.records.get(4).timestampMs(), "timer output carries the timer's time");
    }

    @Test
    void shouldContinueFromASnapshotWithItsStateAndTimers() throws Exception
    {
        final OperatorHarness<String, String> before = harness(1, 0, null);
        for (final String key : List.of("a", "b", "c", "d", "e", "f"))
        {
            before.element(key, 1_000);
        }
        before.element("a", 1_050);
        final byte[] snapshot = before.snapshot();

        final OperatorHarness<String, String> after = harness(1, 0, snapshot);
        after.element("a", 1_060);
        after.watermark(1_100);
        assertEquals(List.of("event a@1100=3", "event b@1100=1", "event c@1100=1", "event d@1100=1",
            "event e@1100=1", "event f@1100=1"), after.values().stream().sorted().toList());

        // Rescaled to two instances: each restores only the keys (state and timers) of its key groups.
        final OperatorHarness<String, String> left = harness(2, 0, snapshot);
        final OperatorHarness<String, String> right = harness(2, 1, snapshot);
        left.watermark(1_200);
        right.watermark(1_200);
        final List<Object> all = new java.util.ArrayList<>(left.values());
        all.addAll(right.values());
        assertEquals(List.of("event a@1100=2", "event a@1150=2", "event b@1100=1", "event c@1100=1",
            "event d@1100=1", "event e@1100=1", "event f@1100=1"), all.stream().map(String::valueOf).sorted().toList());
        assertEquals(true, !left.values().isEmpty() && !right.values().isEmpty(), "keys spread over both instances");
    }
}
