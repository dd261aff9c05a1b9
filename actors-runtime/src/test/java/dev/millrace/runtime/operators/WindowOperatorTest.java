package dev.millrace.runtime.operators;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.millrace.runtime.api.AggregateFunction;
import dev.millrace.runtime.api.Collector;
import dev.millrace.runtime.api.OutputTag;
import dev.millrace.runtime.windows.CountEvictor;
import dev.millrace.runtime.windows.CountTrigger;
import dev.millrace.runtime.windows.EventTimeSessionWindows;
import dev.millrace.runtime.windows.EventTimeTrigger;
import dev.millrace.runtime.windows.Evictor;
import dev.millrace.runtime.windows.GlobalWindow;
import dev.millrace.runtime.windows.GlobalWindows;
import dev.millrace.runtime.windows.ProcessWindowFunction;
import dev.millrace.runtime.windows.ProcessingTimeSessionWindows;
import dev.millrace.runtime.windows.PurgingTrigger;
import dev.millrace.runtime.windows.SlidingProcessingTimeWindows;
import dev.millrace.runtime.windows.TimeWindow;
import dev.millrace.runtime.windows.Trigger;
import dev.millrace.runtime.windows.TriggerResult;
import dev.millrace.runtime.windows.TumblingEventTimeWindows;
import dev.millrace.runtime.windows.TumblingProcessingTimeWindows;
import dev.millrace.runtime.windows.Window;
import dev.millrace.runtime.windows.WindowAssigner;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The window operator stepped single-threaded: sessions (merging, out of order, across a snapshot), count
 * windows, processing-time windows on a manual clock, triggers, allowed lateness with late firings, late
 * records to a side output, and window functions with window metadata. Expected results are computed
 * from the same input with plain Java.
 */
@Timeout(30)
class WindowOperatorTest
{
    private static final int MAX_PARALLELISM = 8;

    /** (key, value). */
    record Ev(String key, long value)
    {
    }

    /** Collects a window's values. */
    static final class Values implements AggregateFunction<Ev, ArrayList<Long>, List<Long>>
    {
        @Override
        public ArrayList<Long> createAccumulator()
        {
            return new ArrayList<>();
        }

        @Override
        public ArrayList<Long> add(final Ev value, final ArrayList<Long> accumulator)
        {
            accumulator.add(value.value());
            return accumulator;
        }

        @Override
        public List<Long> getResult(final ArrayList<Long> accumulator)
        {
            return accumulator;
        }

        @Override
        public ArrayList<Long> merge(final ArrayList<Long> a, final ArrayList<Long> b)
        {
            a.addAll(b);
            return a;
        }
    }

    /** "key [start,end) sorted values", or "key global values" for the global window. */
    static final class Describe<W extends Window> extends ProcessWindowFunction<List<Long>, String, String, W>
    {
        @Override
        public void process(final String key, final Context context, final Iterable<List<Long>> elements,
            final Collector<String> out)
        {
            final List<Long> values = new ArrayList<>(elements.iterator().next());
            final W window = context.window();
            if (window instanceof TimeWindow time)
            {
                Collections.sort(values);
                out.collect(key + " [" + time.startMs() + "," + time.endMs() + ") " + values);
            }
            else
            {
                out.collect(key + " global " + values);
            }
        }
    }

    private static <W extends Window> OperatorHarness<Ev, String> harness(final WindowAssigner<W> assigner,
        final Trigger<Object, W> trigger, final long latenessMs, final Evictor<Object, W> evictor,
        final OutputTag<Ev> late, final byte[] restore) throws Exception
    {
        return new OperatorHarness<>(new WindowOperator<String, Ev, ArrayList<Long>, List<Long>, String, W>(Ev::key,
            assigner, trigger, latenessMs, new Values(), evictor, new Describe<>(), late), MAX_PARALLELISM, 1, 0,
            restore);
    }

    private static List<String> sorted(final List<Object> values)
    {
        final List<String> result = new ArrayList<>();
        for (final Object value : values)
        {
            result.add((String) value);
        }
        Collections.sort(result);
        return result;
    }

    /** Plain Java sessions: per key, sort the times; a gap larger than {@code gapMs} starts a new session. */
    private static List<String> expectedSessions(final List<Ev> events, final long gapMs)
    {
        final Map<String, List<Long>> byKey = new TreeMap<>();
        for (final Ev event : events)
        {
            byKey.computeIfAbsent(event.key(), k -> new ArrayList<>()).add(event.value());
        }
        final List<String> expected = new ArrayList<>();
        byKey.forEach((key, times) ->
        {
            Collections.sort(times);
            List<Long> session = new ArrayList<>();
            for (final long time : times)
            {
                if (!session.isEmpty() && time > session.get(session.size() - 1) + gapMs)
                {
                    expected.add(key + " [" + session.get(0) + "," + (session.get(session.size() - 1) + gapMs) + ") "
                        + session);
                    session = new ArrayList<>();
                }
                session.add(time);
            }
            expected.add(key + " [" + session.get(0) + "," + (session.get(session.size() - 1) + gapMs) + ") " + session);
        });
        Collections.sort(expected);
        return expected;
    }

    private static List<Ev> randomEvents(final long seed, final int count)
    {
        final Random random = new Random(seed);
        final List<Ev> events = new ArrayList<>();
        long time = 0;
        for (int i = 0; i < count; i++)
        {
            // Mostly small steps, sometimes a pause longer than the gap: sessions of varied lengths.
            time += random.nextInt(10) < 8 ? random.nextInt(300) : 1_000 + random.nextInt(2_000);
            events.add(new Ev("k" + random.nextInt(3), time));
        }
        return events;
    }

    @Test
    void shouldMergeEventTimeSessionsOfRecordsInAnyOrder() throws Exception
    {
        final List<Ev> events = randomEvents(7, 400);
        final List<Ev> shuffled = new ArrayList<>(events);
        Collections.shuffle(shuffled, new Random(11));
        final OperatorHarness<Ev, String> harness = harness(EventTimeSessionWindows.withGap(Duration.ofMillis(500)),
            null, 0, null, null, null);
        for (final Ev event : shuffled)
        {
            harness.element(event, event.value());
        }
        assertTrue(harness.records.isEmpty(), "no session may fire before the watermark passes its end");
        harness.watermark(Long.MAX_VALUE);
        assertEquals(expectedSessions(events, 500), sorted(harness.values()));
    }

    @Test
    void shouldFireSessionsAsTheWatermarkPassesThemAndContinueAfterARestore() throws Exception
    {
        final List<Ev> events = randomEvents(3, 300);
        OperatorHarness<Ev, String> harness = harness(EventTimeSessionWindows.withGap(Duration.ofMillis(500)), null, 0,
            null, null, null);
        final List<Object> emitted = new ArrayList<>();
        for (int i = 0; i < events.size(); i++)
        {
            final Ev event = events.get(i);
            harness.element(event, event.value());
            harness.watermark(event.value() - 1);
            if (i == events.size() / 2)
            {
                final byte[] snapshot = harness.snapshot();
                emitted.addAll(harness.values());
                harness = harness(EventTimeSessionWindows.withGap(Duration.ofMillis(500)), null, 0, null, null,
                    snapshot);
            }
        }
        final int beforeEnd = harness.records.size() + emitted.size();
        harness.watermark(Long.MAX_VALUE);
        emitted.addAll(harness.values());
        assertTrue(beforeEnd > 10, "sessions fire while the stream runs, not only at the end: " + beforeEnd);
        assertEquals(expectedSessions(events, 500), sorted(emitted));
    }

    @Test
    void shouldFireTumblingCountWindowsEverySizeRecordsPerKey() throws Exception
    {
        final OperatorHarness<Ev, String> harness = harness(GlobalWindows.create(),
            PurgingTrigger.of(CountTrigger.<GlobalWindow>of(3)), 0, null, null, null);
        final Map<String, List<Long>> seen = new HashMap<>();
        final List<String> expected = new ArrayList<>();
        final Random random = new Random(5);
        for (long i = 0; i < 100; i++)
        {
            final Ev event = new Ev("k" + random.nextInt(4), i);
            harness.element(event, Long.MIN_VALUE);
            final List<Long> group = seen.computeIfAbsent(event.key(), k -> new ArrayList<>());
            group.add(i);
            if (group.size() == 3)
            {
                expected.add(event.key() + " global " + group);
                group.clear();
            }
        }
        harness.watermark(Long.MAX_VALUE);
        assertEquals(expected, harness.values().stream().map(String.class::cast).toList());
    }

    @Test
    void shouldFireSlidingCountWindowsOverTheLastSizeRecords() throws Exception
    {
        final OperatorHarness<Ev, String> harness = harness(GlobalWindows.create(), CountTrigger.<GlobalWindow>of(2),
            0, CountEvictor.<GlobalWindow>of(5), null, null);
        final Map<String, List<Long>> seen = new HashMap<>();
        final List<String> expected = new ArrayList<>();
        final Random random = new Random(9);
        for (long i = 0; i < 100; i++)
        {
            final Ev event = new Ev("k" + random.nextInt(3), i);
            harness.element(event, Long.MIN_VALUE);
            final List<Long> all = seen.computeIfAbsent(event.key(), k -> new ArrayList<>());
            all.add(i);
            if (all.size() % 2 == 0)
            {
                expected.add(event.key() + " global " + all.subList(Math.max(0, all.size() - 5), all.size()));
            }
        }
        assertEquals(expected, harness.values().stream().map(String.class::cast).toList());
    }

    @Test
    void shouldWindowByProcessingTimeOnAManualClock() throws Exception
    {
        final OperatorHarness<Ev, String> tumbling = harness(TumblingProcessingTimeWindows.of(Duration.ofMillis(100)),
            null, 0, null, null, null);
        final OperatorHarness<Ev, String> sliding = harness(SlidingProcessingTimeWindows.of(Duration.ofMillis(100),
            Duration.ofMillis(50)), null, 0, null, null, null);
        final Map<String, List<Long>> expectedTumbling = new TreeMap<>();
        final Map<String, List<Long>> expectedSliding = new TreeMap<>();
        for (long i = 0; i < 40; i++)
        {
            final long now = i * 17;
            tumbling.advanceProcessingTime(now);
            sliding.advanceProcessingTime(now);
            // Event time is irrelevant here: records without timestamps are windowed by arrival.
            tumbling.element(new Ev("k", i), Long.MIN_VALUE);
            sliding.element(new Ev("k", i), Long.MIN_VALUE);
            final long start = now - now % 100;
            expectedTumbling.computeIfAbsent("k [" + start + "," + (start + 100) + ")", w -> new ArrayList<>()).add(i);
            for (long s = now - now % 50; s > now - 100; s -= 50)
            {
                expectedSliding.computeIfAbsent("k [" + s + "," + (s + 100) + ")", w -> new ArrayList<>()).add(i);
            }
        }
        // The clock reached 663: windows ending at or before it have fired, the others have not yet.
        final List<String> firedTumbling = sorted(tumbling.values());
        tumbling.advanceProcessingTime(10_000);
        sliding.advanceProcessingTime(10_000);
        final List<String> expectedT = new ArrayList<>();
        expectedTumbling.forEach((window, values) -> expectedT.add(window + " " + values));
        Collections.sort(expectedT);
        final List<String> expectedS = new ArrayList<>();
        expectedSliding.forEach((window, values) -> expectedS.add(window + " " + values));
        Collections.sort(expectedS);
        assertEquals(expectedT.subList(0, 6), firedTumbling.subList(0, 6));
        assertEquals(expectedT.size() - 1, firedTumbling.size(), "only the window [600,700) was still open");
        assertEquals(expectedT, sorted(tumbling.values()));
        assertEquals(expectedS, sorted(sliding.values()));
    }

    @Test
    void shouldMergeProcessingTimeSessionsAndFireOpenWindowsAtEndOfInput() throws Exception
    {
        final OperatorHarness<Ev, String> harness = harness(ProcessingTimeSessionWindows.withGap(Duration.ofMillis(50)),
            null, 0, null, null, null);
        final long[] arrivals = {0, 30, 60, 200, 240, 400};
        for (int i = 0; i < arrivals.length; i++)
        {
            harness.advanceProcessingTime(arrivals[i]);
            harness.element(new Ev("k", i), Long.MIN_VALUE);
        }
        assertEquals(List.of("k [0,110) [0, 1, 2]", "k [200,290) [3, 4]"), sorted(harness.values()));
        harness.records.clear();
        harness.finish();
        assertEquals(List.of("k [400,450) [5]"), sorted(harness.values()));
    }

    @Test
    void shouldFireLateAgainWithinAllowedLatenessAndSideOutputRecordsBeyondIt() throws Exception
    {
        final OutputTag<Ev> late = new OutputTag<>("late");
        final OperatorHarness<Ev, String> harness = harness(TumblingEventTimeWindows.of(Duration.ofMillis(100)), null,
            50, null, late, null);
        harness.element(new Ev("k", 10), 10);
        harness.element(new Ev("k", 20), 20);
        harness.watermark(120);
        harness.element(new Ev("k", 30), 30);
        harness.element(new Ev("k", 40), 40);
        harness.watermark(149);
        harness.element(new Ev("k", 50), 50);
        harness.watermark(150);
        harness.element(new Ev("k", 60), 60);
        harness.element(new Ev("k", 170), 170);
        harness.watermark(Long.MAX_VALUE);
        final List<String> main = new ArrayList<>();
        final List<Object> side = new ArrayList<>();
        for (final OperatorHarness.Emitted emitted : harness.records)
        {
            if (emitted.tag() == null)
            {
                main.add(emitted.value() + "@" + emitted.timestampMs());
            }
            else
            {
                side.add(emitted.value());
            }
        }
        assertEquals(List.of("k [0,100) [10, 20]@99", "k [0,100) [10, 20, 30]@99", "k [0,100) [10, 20, 30, 40]@99",
            "k [100,200) [170]@199"), main);
        // The window is cleaned up once the watermark reaches its end + lateness (99 + 50): 50 and 60 are too late.
        assertEquals(List.of(new Ev("k", 50), new Ev("k", 60)), side);
    }

    /** Fires early at every second record, and at the window's end fires what is left and purges. */
    static final class EarlyAndFinal extends Trigger<Object, TimeWindow>
    {
        @Override
        public TriggerResult onElement(final Object element, final long timestampMs, final TimeWindow window,
            final TriggerContext context) throws Exception
        {
            context.registerEventTimeTimer(window.maxTimestamp());
            return EARLY.onElement(element, timestampMs, window, context);
        }

        @Override
        public TriggerResult onEventTime(final long timeMs, final TimeWindow window, final TriggerContext context)
        {
            return timeMs == window.maxTimestamp() ? TriggerResult.FIRE_AND_PURGE : TriggerResult.CONTINUE;
        }

        @Override
        public void clear(final TimeWindow window, final TriggerContext context)
        {
            context.deleteEventTimeTimer(window.maxTimestamp());
            EARLY.clear(window, context);
        }

        private static final CountTrigger<TimeWindow> EARLY = CountTrigger.of(2);
    }

    @Test
    void shouldFollowACustomTriggersFireAndPurgeDecisions() throws Exception
    {
        final OperatorHarness<Ev, String> harness = harness(TumblingEventTimeWindows.of(Duration.ofMillis(100)),
            new EarlyAndFinal(), 0, null, null, null);
        for (long t = 0; t < 5; t++)
        {
            harness.element(new Ev("k", t), t);
        }
        harness.watermark(99);
        harness.element(new Ev("k", 150), 150);
        harness.watermark(Long.MAX_VALUE);
        assertEquals(List.of("k [0,100) [0, 1]", "k [0,100) [0, 1, 2, 3]", "k [0,100) [0, 1, 2, 3, 4]",
            "k [100,200) [150]"), harness.values().stream().map(String.class::cast).toList());
    }

    @Test
    void shouldFireEventTimeWindowsAtEveryNthRecordWithACountTrigger() throws Exception
    {
        final OperatorHarness<Ev, String> harness = harness(TumblingEventTimeWindows.of(Duration.ofMillis(100)),
            PurgingTrigger.of(CountTrigger.<TimeWindow>of(2)), 0, null, null, null);
        for (long t = 0; t < 5; t++)
        {
            harness.element(new Ev("k", t * 30), t * 30);
        }
        harness.watermark(Long.MAX_VALUE);
        // A count trigger replaces the event-time one: the lone record of [100,200) never fires.
        assertEquals(List.of("k [0,100) [0, 30]", "k [0,100) [60, 90]"),
            harness.values().stream().map(String.class::cast).toList());
    }

    @Test
    void shouldRefuseATriggerThatCannotMergeOnSessionWindows()
    {
        final Trigger<Object, TimeWindow> plain = new Trigger<>()
        {
            @Override
            public TriggerResult onElement(final Object element, final long timestampMs, final TimeWindow window,
                final TriggerContext context)
            {
                return TriggerResult.CONTINUE;
            }
        };
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> harness(EventTimeSessionWindows.withGap(Duration.ofMillis(10)), plain, 0, null, null, null));
        assertTrue(e.getMessage().contains("merging"), e.getMessage());
    }

    @Test
    void shouldGiveWindowFunctionsTheWindowAndASideOutput() throws Exception
    {
        final OutputTag<String> sizes = new OutputTag<>("sizes");
        final OperatorHarness<Ev, String> harness = new OperatorHarness<>(
            new WindowOperator<String, Ev, ArrayList<Long>, List<Long>, String, TimeWindow>(Ev::key,
                TumblingEventTimeWindows.of(Duration.ofMillis(100)), EventTimeTrigger.create(), 0, new Values(), null,
                new ProcessWindowFunction<>()
                {
                    @Override
                    public void process(final String key, final Context context, final Iterable<List<Long>> elements,
                        final Collector<String> out)
                    {
                        out.collect(key + "@" + context.window().endMs() + " wm " + context.currentWatermark());
                        context.output(sizes, key + " size " + elements.iterator().next().size());
                    }
                }, null), MAX_PARALLELISM, 1, 0, null);
        harness.element(new Ev("a", 1), 1);
        harness.element(new Ev("a", 2), 2);
        harness.element(new Ev("b", 3), 3);
        harness.watermark(150);
        final List<String> emitted = new ArrayList<>();
        for (final OperatorHarness.Emitted e : harness.records)
        {
            emitted.add(e.tag() + ":" + e.value() + "@" + e.timestampMs());
        }
        Collections.sort(emitted);
        assertEquals(List.of("null:a@100 wm 150@99", "null:b@100 wm 150@99", "sizes:a size 2@99", "sizes:b size 1@99"),
            emitted);
    }
}
