package dev.millrace.runtime.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.millrace.runtime.api.AggregateFunction;
import dev.millrace.runtime.api.CollectingSink;
import dev.millrace.runtime.api.Collector;
import dev.millrace.runtime.api.DataStream;
import dev.millrace.runtime.api.JobBuilder;
import dev.millrace.runtime.api.OutputTag;
import dev.millrace.runtime.api.Source;
import dev.millrace.runtime.api.SourceReader;
import dev.millrace.runtime.time.WatermarkGenerator;
import dev.millrace.runtime.time.WatermarkOutput;
import dev.millrace.runtime.time.WatermarkStrategy;
import dev.millrace.runtime.windows.ProcessWindowFunction;
import dev.millrace.runtime.windows.SlidingEventTimeWindows;
import dev.millrace.runtime.windows.TimeWindow;
import dev.millrace.runtime.windows.TumblingEventTimeWindows;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Event-time windows in running jobs: tumbling reduce with late records to a side output, sliding
 * aggregate with a process window function, and a process window function over all elements.
 */
@Timeout(60)
class EventTimeWindowsTest
{
    private static final ActorTestKit TEST_KIT = ActorTestKit.create();

    /** (key, event time). */
    record Event(String key, long timestampMs)
    {
    }

    /** (key, window start, count). */
    record Count(String key, long windowStartMs, long count)
    {
    }

    @AfterAll
    static void shutdown()
    {
        TEST_KIT.shutdownTestKit();
    }

    private static JobResult run(final JobBuilder job) throws Exception
    {
        return LocalJobRunner.submit(TEST_KIT.system(), job.build("windows")).await(Duration.ofSeconds(30));
    }

    /** Watermark = the last event's time − 1 after every event: makes lateness exact in a test. */
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

    @Test
    void shouldReduceTumblingWindowsAndSendLateRecordsToTheSideOutput() throws Exception
    {
        final OutputTag<Event> late = new OutputTag<>("late");
        final JobBuilder job = JobBuilder.create().setParallelism(2);
        final CollectingSink<Event> sums = new CollectingSink<>();
        final CollectingSink<Event> lateRecords = new CollectingSink<>();
        final DataStream<Event> windowed = job.fromCollection(List.of(
                new Event("a", 1_000), new Event("b", 2_000), new Event("a", 2_500), new Event("a", 11_000),
                new Event("a", 3_000), new Event("b", 12_000), new Event("a", 12_000)))
            .assignTimestampsAndWatermarks(WatermarkStrategy.forGenerator(Punctuated::new)
                .withTimestampAssigner((event, previous) -> event.timestampMs()))
            // Chained to the single source instance: one watermark sequence in record order, so lateness is exact.
            .setParallelism(1)
            .keyBy(Event::key)
            .window(TumblingEventTimeWindows.of(Duration.ofSeconds(10)))
            .sideOutputLateData(late)
            .reduce((x, y) -> new Event(x.key(), x.timestampMs() + y.timestampMs()));
        windowed.sinkTo(sums);
        windowed.getSideOutput(late).sinkTo(lateRecords);
        final JobResult result = run(job);
        assertEquals(JobState.FINISHED, result.state(), String.valueOf(result.failure()));
        final List<String> actual = new ArrayList<>();
        for (final Event sum : sums.results())
        {
            actual.add(sum.key() + ":" + sum.timestampMs());
        }
        actual.sort(null);
        assertEquals(List.of("a:23000", "a:3500", "b:12000", "b:2000"), actual);
        assertEquals(List.of(new Event("a", 3_000)), lateRecords.results());
    }

    @Test
    void shouldAggregateSlidingWindowsThroughAProcessWindowFunction() throws Exception
    {
        final JobBuilder job = JobBuilder.create().setParallelism(2);
        final CollectingSink<Count> counts = new CollectingSink<>();
        job.fromGenerator(500, i -> new Event(i % 3 == 0 ? "x" : "y", i * 97 + (i % 5) * 40))
            .assignTimestampsAndWatermarks(WatermarkStrategy.<Event>forBoundedOutOfOrderness(Duration.ofMillis(200))
                .withTimestampAssigner((event, previous) -> event.timestampMs()))
            .keyBy(Event::key)
            .window(SlidingEventTimeWindows.of(Duration.ofSeconds(10), Duration.ofSeconds(2)))
            .aggregate(new CountEvents(), () -> new ProcessWindowFunction<Long, Count, String, TimeWindow>()
            {
                @Override
                public void process(final String key, final Context context, final Iterable<Long> elements,
                    final Collector<Count> out)
                {
                    out.collect(new Count(key, context.window().startMs(), elements.iterator().next()));
                }
            })
            .sinkTo(counts);
        final JobResult result = run(job);
        assertEquals(JobState.FINISHED, result.state(), String.valueOf(result.failure()));

        final Map<Count, Integer> expected = new HashMap<>();
        final Map<String, Long> byWindow = new HashMap<>();
        for (long i = 0; i < 500; i++)
        {
            final String key = i % 3 == 0 ? "x" : "y";
            final long ts = i * 97 + (i % 5) * 40;
            for (long start = ts - Math.floorMod(ts, 2_000); start > ts - 10_000; start -= 2_000)
            {
                byWindow.merge(key + "/" + start, 1L, Long::sum);
            }
        }
        byWindow.forEach((window, count) ->
        {
            final String[] parts = window.split("/");
            expected.merge(new Count(parts[0], Long.parseLong(parts[1]), count), 1, Integer::sum);
        });
        final Map<Count, Integer> actual = new HashMap<>();
        for (final Count count : counts.results())
        {
            actual.merge(count, 1, Integer::sum);
        }
        assertEquals(expected, actual);
    }

    @Test
    void shouldProcessAllElementsOfATumblingWindow() throws Exception
    {
        final JobBuilder job = JobBuilder.create();
        final CollectingSink<String> out = new CollectingSink<>();
        job.fromGenerator(30, i -> new Event("k", i * 1_000))
            .assignTimestampsAndWatermarks(WatermarkStrategy.<Event>forMonotonousTimestamps()
                .withTimestampAssigner((event, previous) -> event.timestampMs()))
            .keyBy(Event::key)
            .window(TumblingEventTimeWindows.of(Duration.ofSeconds(10)))
            .process(() -> new ProcessWindowFunction<Event, String, String, TimeWindow>()
            {
                @Override
                public void process(final String key, final Context context, final Iterable<Event> elements,
                    final Collector<String> collector)
                {
                    final TimeWindow window = context.window();
                    int n = 0;
                    for (final Event ignored : elements)
                    {
                        n++;
                    }
                    collector.collect(key + "[" + window.startMs() + "," + window.endMs() + ")=" + n);
                }
            })
            .sinkTo(out);
        final JobResult result = run(job);
        assertEquals(JobState.FINISHED, result.state(), String.valueOf(result.failure()));
        final List<String> actual = new ArrayList<>(out.results());
        actual.sort(null);
        assertEquals(List.of("k[0,10000)=10", "k[10000,20000)=10", "k[20000,30000)=10"), actual);
    }

    @Test
    void shouldNotLetAnIdleInputHoldBackEventTime() throws Exception
    {
        final JobBuilder job = JobBuilder.create();
        final CollectingSink<Event> sums = new CollectingSink<>();
        final DataStream<Event> busy = job.fromGenerator(100, i -> new Event("k", i * 100))
            .assignTimestampsAndWatermarks(WatermarkStrategy.<Event>forMonotonousTimestamps()
                .withTimestampAssigner((event, previous) -> event.timestampMs()));
        // An input that never ends and never emits: without idleness its watermark would stay at the start of time.
        final DataStream<Event> silent = job.fromSource(new Source<Event>()
            {
                @Override
                public SourceReader<Event> createReader(final int subtaskIndex, final int parallelism)
                {
                    return new SourceReader<>()
                    {
                        @Override
                        public int emitBatch(final Output<Event> output, final int maxRecords)
                        {
                            return 0;
                        }

                        @Override
                        public Object position()
                        {
                            return 0L;
                        }

                        @Override
                        public void seek(final Object position)
                        {
                        }
                    };
                }
            }, "silent")
            .assignTimestampsAndWatermarks(WatermarkStrategy.<Event>forMonotonousTimestamps()
                .withTimestampAssigner((event, previous) -> event.timestampMs())
                .withIdleness(Duration.ofMillis(50)));
        busy.union(silent)
            .keyBy(Event::key)
            .window(TumblingEventTimeWindows.of(Duration.ofSeconds(5)))
            .reduce((x, y) -> new Event(x.key(), x.timestampMs() + y.timestampMs()))
            .sinkTo(sums);
        final LocalJobRunner.JobHandle handle = LocalJobRunner.submit(TEST_KIT.system(), job.build("idle"));
        try
        {
            final org.apache.pekko.actor.testkit.typed.javadsl.TestProbe<Object> probe = TEST_KIT.createTestProbe();
            probe.awaitAssert(Duration.ofSeconds(20), () ->
            {
                final List<Event> results = new ArrayList<>(sums.results());
                results.sort(java.util.Comparator.comparingLong(Event::timestampMs));
                // Windows [0, 5 s) and [5 s, 10 s): sums of i * 100 for i in 0..49 and 50..99.
                assertEquals(List.of(new Event("k", 122_500), new Event("k", 372_500)), results);
                return results;
            });
        }
        finally
        {
            handle.cancel();
        }
        assertEquals(JobState.CANCELED, handle.result().get(10, java.util.concurrent.TimeUnit.SECONDS).state(),
            "the silent source never ends, so the job runs until cancelled");
    }

    /** Counts elements. */
    static final class CountEvents implements AggregateFunction<Event, Long, Long>
    {
        @Override
        public Long createAccumulator()
        {
            return 0L;
        }

        @Override
        public Long add(final Event value, final Long accumulator)
        {
            return accumulator + 1;
        }

        @Override
        public Long getResult(final Long accumulator)
        {
            return accumulator;
        }

        @Override
        public Long merge(final Long a, final Long b)
        {
            return a + b;
        }
    }
}
