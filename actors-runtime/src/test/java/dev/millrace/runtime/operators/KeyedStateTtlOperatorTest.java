package dev.millrace.runtime.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.millrace.runtime.api.Collector;
import dev.millrace.runtime.api.KeyedProcessFunction;
import dev.millrace.runtime.api.RuntimeContext;
import dev.millrace.runtime.state.StateTtlConfig;
import dev.millrace.runtime.state.ValueState;
import dev.millrace.runtime.state.ValueStateDescriptor;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * TTL state obtained through a keyed function's runtime context expires on the operator instance's
 * processing-time clock (here the harness's manual clock), and a snapshot restores the entries with their
 * timestamps.
 */
@Timeout(30)
class KeyedStateTtlOperatorTest
{
    /** Emits "key=previous" for each record and remembers the record, for 100 ms of processing time. */
    static final class RememberBriefly extends KeyedProcessFunction<String, String, String>
    {
        private ValueState<String> last;

        @Override
        public void open(final RuntimeContext context)
        {
            final ValueStateDescriptor<String> descriptor = new ValueStateDescriptor<>("last", String.class);
            descriptor.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofMillis(100)).build());
            last = context.getState(descriptor);
        }

        @Override
        public void processElement(final String value, final Context<String> context, final Collector<String> out)
        {
            out.collect(context.getCurrentKey() + "=" + last.value());
            last.update(value);
        }
    }

    private static OperatorHarness<String, String> harness(final byte[] restore) throws Exception
    {
        return new OperatorHarness<>(new KeyedProcessOperator<>(value -> value.substring(0, 1), new RememberBriefly()),
            8, 1, 0, restore);
    }

    @Test
    void stateShouldExpireOnTheInstancesProcessingTimeClock() throws Exception
    {
        final OperatorHarness<String, String> harness = harness(null);
        harness.advanceProcessingTime(1_000);
        harness.element("a1", 0);
        harness.advanceProcessingTime(1_099);
        harness.element("a2", 0);
        harness.advanceProcessingTime(1_199);
        harness.element("a3", 0);
        harness.advanceProcessingTime(1_299);
        harness.element("a4", 0);
        assertEquals(List.of("a=null", "a=a1", "a=null", "a=null"), harness.values(),
            "alive 99 ms after its write, gone at 100 ms");
    }

    @Test
    void aRestoredEntryShouldKeepItsTimestamp() throws Exception
    {
        final OperatorHarness<String, String> before = harness(null);
        before.advanceProcessingTime(1_000);
        before.element("b1", 0);
        final OperatorHarness<String, String> after = harness(before.snapshot());
        after.advanceProcessingTime(1_050);
        after.element("b2", 0);
        after.advanceProcessingTime(1_160);
        after.element("b3", 0);
        assertEquals(List.of("b=b1", "b=null"), after.values());
    }
}
