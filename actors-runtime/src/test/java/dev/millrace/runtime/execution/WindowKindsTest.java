package dev.millrace.runtime.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.millrace.runtime.api.CollectingSink;
import dev.millrace.runtime.api.Collector;
import dev.millrace.runtime.api.DataStream;
import dev.millrace.runtime.api.JobBuilder;
import dev.millrace.runtime.api.OutputTag;
import dev.millrace.runtime.time.WatermarkGenerator;
import dev.millrace.runtime.time.WatermarkOutput;
import dev.millrace.runtime.time.WatermarkStrategy;
import dev.millrace.runtime.windows.EventTimeSessionWindows;
import dev.millrace.runtime.windows.GlobalWindow;
import dev.millrace.runtime.windows.ProcessWindowFunction;
import dev.millrace.runtime.windows.TimeWindow;
import dev.millrace.runtime.windows.TumblingEventTimeWindows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Session and count windows, reduce combined with a process window function, and allowed lateness, through
 * the DataStream API in running jobs at parallelism 2; each result is compared with a plain-Java computation
 * over the same records.
 */
@Timeout(60)
class WindowKindsTest
{
    private static final ActorTestKit TEST_KIT = ActorTestKit.create();

    /** (key, event time). */
    record Event(String key, long timestampMs)
    {
    }

    @AfterAll
    static void shutdown()
    {
        TEST_KIT.shutdownTestKit();
    }

    private static JobResult run(final JobBuilder job) throws Exception
    {
        final JobResult result = LocalJobRunner.submit(TEST_KIT.system(), job.build("windows"))
            .await(Duration.ofSeconds(30));
        assertEquals(JobState.FINISHED, result.state(), String.valueOf(result.failure()));
        return result;
    }

    /** Event i: one of 5 keys; times grow with pauses every 37 events and jitter of up to 60 ms. */
    private static Event event(final long i)
    {
        final long base = i * 40 + (i / 37) * 3_000;
        return new Event("k" + (i * 7 % 5), base + (i % 4) * 20);
    }

    @Test
    void shouldMergeSessionsAcrossParallelSourcesAsPlainJavaDoes() throws Exception
    {
        final int count = 2_000;
        final long gapMs = 700;
        final JobBuilder job = JobBuilder.create().setParallelism(2);
        final CollectingSink<String> sessions = new CollectingSink<>();
        job.fromGenerator(count, WindowKindsTest::event)
            .assignTimestampsAndWatermarks(WatermarkStrategy.<Event>forBoundedOutOfOrderness(Duration.ofMillis(100))
                .withTimestampAssigner((event, previous) -> event.timestampMs()))
            .keyBy(Event::key)
            .window(EventTimeSessionWindows.withGap(Duration.ofMillis(gapMs)))
            .process(() -> new ProcessWindowFunction<Event, String, String, TimeWindow>()
            {
                @Override
                public void process(final String key, final Context context, final Iterable<Event> elements,
                    final Collector<String> out)
                {
                    int n = 0;
                    for (final Event ignored : elements)
                    {
                        n++;
                    }
                    out.collect(key + " [" + context.window().startMs() + "," + context.window().endMs() + ") " + n);
                }
            })
            .sinkTo(sessions);
        run(job);

        final Map<String, List<Long>> times = new TreeMap<>();
        for (long i = 0; i < count; i++)
        {
            final Event event = event(i);
            times.computeIfAbsent(event.key(), k -> new ArrayList<>()).add(event.timestampMs());
        }
        final List<String> expected = new ArrayList<>();
        times.forEach((key, list) ->
        {
            Collections.sort(list);
            int start = 0;
            for (int j = 1; j <= list.size(); j++)
            {
                if (j == list.size() || list.get(j) > list.get(j - 1) + gapMs)
                {
                    expected.add(key + " [" + list.get(start) + "," + (list.get(j - 1) + gapMs) + ") " + (j - start));
                    start = j;
                }
            }
        });
        final List<String> actual = new ArrayList<>(sessions.results());
        Collections.sort(actual);
        Collections.sort(expected);
        assertEquals(expected, actual);
    }

    @Test
    void shouldCountWindowPerKeyInArrivalOrder() throws Exception
    {
        final JobBuilder job = JobBuilder.create().setParallelism(2);
        final CollectingSink<Event> tumbling = new CollectingSink<>();
        final CollectingSink<String> sliding = new CollectingSink<>();
        // One source instance: each key's records reach its window instance in generation order.
        final DataStream<Event> events = job.fromGenerator(1_000, WindowKindsTest::event).setParallelism(1);
        events.keyBy(Event::key)
            .countWindow(4)
            .reduce((a, b) -> new Event(a.key(), a.timestampMs() + b.timestampMs()))
            .sinkTo(tumbling);
        events.keyBy(Event::key)
            .countWindow(5, 3)
            .process(() -> new ProcessWindowFunction<Event, String, String, GlobalWindow>()
            {
                @Override
                public void process(final String key, final Context context, final Iterable<Event> elements,
                    final Collector<String> out)
                {
                    final StringBuilder times = new StringBuilder(key);
                    for (final Event event : elements)
                    {
                        times.append(' ').append(event.timestampMs());
                    }
                    out.collect(times.toString());
                }
            })
            .sinkTo(sliding);
        run(job);

        final Map<String, List<Long>> seen = new HashMap<>();
        final List<Event> expectedTumbling = new ArrayList<>();
        final List<String> expectedSliding = new ArrayList<>();
        for (long i = 0; i < 1_000; i++)
        {
            final Event event = event(i);
            final List<Long> all = seen.computeIfAbsent(event.key(), k -> new ArrayList<>());
            all.add(event.timestampMs());
            if (all.size() % 4 == 0)
            {
                long sum = 0;
                for (final long t : all.subList(all.size() - 4, all.size()))
                {
                    sum += t;
                }
                expectedTumbling.add(new Event(event.key(), sum));
            }
            if (all.size() % 3 == 0)
            {
                final StringBuilder times = new StringBuilder(event.key());
                for (final long t : all.subList(Math.max(0, all.size() - 5), all.size()))
                {
                    times.append(' ').append(t);
                }
                expectedSliding.add(times.toString());
            }
        }
        assertEquals(multiset(expectedTumbling), multiset(tumbling.results()));
        assertEquals(multiset(expectedSliding), multiset(sliding.results()));
    }

    @Test
    void shouldCombineReduceWithAProcessWindowFunctionAndFireLateUpdates() throws Exception
    {
        final OutputTag<Event> tooLate = new OutputTag<>("too-late");
        final JobBuilder job = JobBuilder.create().setParallelism(2);
        final CollectingSink<String> sums = new CollectingSink<>();
        final CollectingSink<Event> dropped = new CollectingSink<>();
        final DataStream<String> windowed = job.fromCollection(List.of(
                new Event("a", 1_000), new Event("a", 2_000), new Event("a", 12_000),
                new Event("a", 3_000), new Event("a", 16_000), new Event("a", 4_000)))
            .assignTimestampsAndWatermarks(WatermarkStrategy.forGenerator(Punctuated::new)
                .withTimestampAssigner((event, previous) -> event.timestampMs()))
            .setParallelism(1)
            .keyBy(Event::key)
            .window(TumblingEventTimeWindows.of(Duration.ofSeconds(10)))
            .allowedLateness(Duration.ofSeconds(5))
            .sideOutputLateData(tooLate)
            .reduce((x, y) -> new Event(x.key(), x.timestampMs() + y.timestampMs()),
                () -> new ProcessWindowFunction<Event, String, String, TimeWindow>()
                {
                    @Override
                    public void process(final String key, final Context context, final Iterable<Event> elements,
                        final Collector<String> out)
                    {
                        out.collect(key + "@" + context.window().startMs() + "=" + elements.iterator().next().timestampMs());
                    }
                });
        windowed.sinkTo(sums);
        windowed.getSideOutput(tooLate).sinkTo(dropped);
        run(job);
        // Watermark 11 999 fires [0,10 s) with 1 000 + 2 000; 3 000 is late but within 5 s: a late firing with
        // the updated sum; at watermark 15 999 the window is gone, so 4 000 goes to the side output.
        assertEquals(List.of("a@0=3000", "a@0=6000", "a@10000=28000"), sums.results());
        assertEquals(List.of(new Event("a", 4_000)), dropped.results());
    }

    @Test
    void shouldFireProcessingTimeWindowsInARunningJobAndAtTheEndOfInput() throws Exception
    {
        final int count = 20_000;
        final java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong(1_000_000);
        final JobBuilder job = JobBuilder.create().setParallelism(2);
        final CollectingSink<String> windows = new CollectingSink<>();
        job.fromGenerator(count, i ->
            {
                // The records move the job's clock: 1 ms per 100 records, so windows open and close as they flow.
                if (i % 100 == 0)
                {
                    clock.incrementAndGet();
                }
                return new Event("k" + (i % 3), i);
            })
            .keyBy(Event::key)
            .window(dev.millrace.runtime.windows.TumblingProcessingTimeWindows.of(Duration.ofMillis(20)))
            .process(() -> new ProcessWindowFunction<Event, String, String, TimeWindow>()
            {
                @Override
                public void process(final String key, final Context context, final Iterable<Event> elements,
                    final Collector<String> out)
                {
                    int n = 0;
                    for (final Event ignored : elements)
                    {
                        n++;
                    }
                    out.collect(key + " " + context.window().startMs() + " " + n);
                }
            })
            .sinkTo(windows);
        final JobResult result = LocalJobRunner.submit(TEST_KIT.system(), job.build("processing-time"), clock::get)
            .await(Duration.ofSeconds(30));
        assertEquals(JobState.FINISHED, result.state(), String.valueOf(result.failure()));
        // Which window a record lands in depends on when it arrives; that every record is in exactly one aligned
        // window per key, and that every window fired (the last ones at the end of input), does not.
        final Map<String, Long> perKey = new TreeMap<>();
        final java.util.Set<String> seen = new java.util.HashSet<>();
        for (final String window : windows.results())
        {
            final String[] parts = window.split(" ");
            assertEquals(0, Long.parseLong(parts[1]) % 20, window);
            assertTrue(seen.add(parts[0] + " " + parts[1]), "a window fired twice: " + window);
            perKey.merge(parts[0], Long.parseLong(parts[2]), Long::sum);
        }
        final Map<String, Long> expected = new TreeMap<>();
        for (long i = 0; i < count; i++)
        {
            expected.merge("k" + (i % 3), 1L, Long::sum);
        }
        assertEquals(expected, perKey);
    }

    /** Watermark = the event's time − 1 after every event: makes lateness exact in a test. */
    static final class Punctuated implements WatermarkGenerator<Event>
    {
        @Override
        public void onEvent(final Event event, final long timestampMs, final WatermarkOutput output)
        {
            output.emitWatermark(timestampMs - 1);
        }

        @Override
        public void onPeriodicEmit(final WatermarkOutput output)
        {
        }
    }

    private static <T> Map<T, Integer> multiset(final List<T> values)
    {
        final Map<T, Integer> counts = new HashMap<>();
        for (final T value : values)
        {
            counts.merge(value, 1, Integer::sum);
        }
        return counts;
    }
}
