package dev.millrace.runtime.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.millrace.runtime.api.CollectingSink;
import dev.millrace.runtime.api.Collector;
import dev.millrace.runtime.api.DataStream;
import dev.millrace.runtime.api.JobBuilder;
import dev.millrace.runtime.api.KeyedProcessFunction;
import dev.millrace.runtime.api.OutputTag;
import dev.millrace.runtime.api.ProcessFunction;
import dev.millrace.runtime.api.RuntimeContext;
import dev.millrace.runtime.graph.JobGraph;
import dev.millrace.runtime.state.ValueState;
import dev.millrace.runtime.state.ValueStateDescriptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Jobs run end to end on one actor system: operators, exchanges, keyed state, timers, completion and failure.
 */
@Timeout(60)
class LocalExecutionTest
{
    private static final ActorTestKit TEST_KIT = ActorTestKit.create();
    private static final Duration JOB_TIMEOUT = Duration.ofSeconds(30);

    @AfterAll
    static void shutdown()
    {
        TEST_KIT.shutdownTestKit();
    }

    private static JobResult run(final JobBuilder job) throws TimeoutException
    {
        final JobGraph graph = job.build("test");
        return LocalJobRunner.submit(TEST_KIT.system(), graph).await(JOB_TIMEOUT);
    }

    private static List<Long> sorted(final List<Long> values)
    {
        final List<Long> copy = new ArrayList<>(values);
        copy.sort(null);
        return copy;
    }

    @Test
    void shouldRunStatelessOperatorsAcrossExchangesWithParallelism() throws Exception
    {
        final JobBuilder job = JobBuilder.create().setParallelism(3);
        final CollectingSink<Long> sink = new CollectingSink<>();
        final DataStream<Long> numbers = job.fromGenerator(10_000, i -> i);
        numbers.map(i -> i * 2)
            .filter(i -> i % 3 == 0)
            .flatMap((Long i, Collector<Long> out) ->
            {
                out.collect(i);
                out.collect(-i);
            })
            .rebalance()
            .map(i -> i + 1).setParallelism(2)
            .sinkTo(sink);
        final JobResult result = run(job);
        assertEquals(JobState.FINISHED, result.state(), String.valueOf(result.failure()));
        final List<Long> expected = LongStream.range(0, 10_000).map(i -> i * 2).filter(i -> i % 3 == 0)
            .flatMap(i -> LongStream.of(i + 1, -i + 1)).boxed().collect(Collectors.toList());
        assertEquals(sorted(expected), sorted(sink.results()));
    }

    @Test
    void shouldRunABranchingChainInOneVertex() throws Exception
    {
        final JobBuilder job = JobBuilder.create().setParallelism(2);
        final CollectingSink<Long> doubled = new CollectingSink<>();
        final CollectingSink<Long> negated = new CollectingSink<>();
        final DataStream<Long> numbers = job.fromGenerator(1_000, i -> i).map(i -> i + 1);
        numbers.map(i -> i * 2).sinkTo(doubled).setParallelism(2);
        numbers.map(i -> -i).sinkTo(negated).setParallelism(2);
        final JobGraph graph = job.build("tree");
        assertEquals(1, graph.vertices().size(), graph.describe());
        final JobResult result = LocalJobRunner.submit(TEST_KIT.system(), graph).await(JOB_TIMEOUT);
        assertEquals(JobState.FINISHED, result.state(), String.valueOf(result.failure()));
        assertEquals(0, result.metrics().buffersSent(), "a single chain exchanges nothing");
        assertEquals(LongStream.rangeClosed(1, 1_000).map(i -> i * 2).boxed().collect(Collectors.toList()),
            sorted(doubled.results()));
        assertEquals(LongStream.rangeClosed(1, 1_000).map(i -> -i).sorted().boxed().collect(Collectors.toList()),
            sorted(negated.results()));
    }

    @Test
    void shouldReduceByKeyAcrossInstances() throws Exception
    {
        final JobBuilder job = JobBuilder.create().setParallelism(2);
        final CollectingSink<long[]> sink = new CollectingSink<>();
        job.fromGenerator(20_000, i -> new long[] {i % 7, 1})
            .keyBy(pair -> pair[0])
            .reduce((a, b) -> new long[] {a[0], a[1] + b[1]})
            .setParallelism(3)
            .sinkTo(sink);
        final JobResult result = run(job);
        assertEquals(JobState.FINISHED, result.state(), String.valueOf(result.failure()));
        final Map<Long, Long> finalCounts = new HashMap<>();
        for (final long[] pair : sink.results())
        {
            finalCounts.merge(pair[0], pair[1], Math::max);
        }
        assertEquals(20_000, sink.size(), "a rolling reduce emits once per record");
        for (long key = 0; key < 7; key++)
        {
            final long k = key;
            assertEquals(LongStream.range(0, 20_000).filter(i -> i % 7 == k).count(), finalCounts.get(key));
        }
    }

    @Test
    void shouldFireEventTimeTimersWithKeyedStateAtEndOfInput() throws Exception
    {
        final JobBuilder job = JobBuilder.create().setParallelism(2);
        final CollectingSink<String> sink = new CollectingSink<>();
        job.fromGenerator(1_000, i -> i)
            .assignTimestampsAndWatermarks(dev.millrace.runtime.time.WatermarkStrategy.<Long>forMonotonousTimestamps()
                .withTimestampAssigner((value, previous) -> value))
            .keyBy(i -> i % 4)
            .process(SumUntilTimer::new)
            .sinkTo(sink);
        final JobResult result = run(job);
        assertEquals(JobState.FINISHED, result.state(), String.valueOf(result.failure()));
        final List<String> expected = new ArrayList<>();
        for (long key = 0; key < 4; key++)
        {
            long sum = 0;
            for (long i = key; i < 1_000; i += 4)
            {
                sum += i;
            }
            expected.add(key + "=" + sum);
        }
        final List<String> actual = new ArrayList<>(sink.results());
        actual.sort(null);
        assertEquals(expected, actual);
    }

    /** Sums a key's values and emits the sum when the event-time timer at the key's first timestamp + 10 s fires. */
    static final class SumUntilTimer extends KeyedProcessFunction<Long, Long, String>
    {
        private ValueState<Long> sum;

        @Override
        public void open(final RuntimeContext context)
        {
            sum = context.getState(new ValueStateDescriptor<>("sum", Long.class));
        }

        @Override
        public void processElement(final Long value, final Context<Long> context, final Collector<String> out)
        {
            final Long current = sum.value();
            if (current == null)
            {
                context.timerService().registerEventTimeTimer(context.timestamp() + 10_000);
            }
            sum.update((current == null ? 0 : current) + value);
        }

        @Override
        public void onTimer(final long timestampMs, final OnTimerContext<Long> context, final Collector<String> out)
        {
            out.collect(context.getCurrentKey() + "=" + sum.value());
            sum.clear();
        }
    }

    @Test
    void shouldAggregateByKeyAndPrint() throws Exception
    {
        final JobBuilder job = JobBuilder.create().setParallelism(2);
        final CollectingSink<String> sink = new CollectingSink<>();
        final java.io.ByteArrayOutputStream printed = new java.io.ByteArrayOutputStream();
        final DataStream<String> averages = job.fromGenerator(1_000, i -> i)
            .keyBy(i -> i % 2)
            .aggregate(new dev.millrace.runtime.api.AggregateFunction<Long, long[], String>()
            {
                @Override
                public long[] createAccumulator()
                {
                    return new long[] {0, 0, -1};
                }

                @Override
                public long[] add(final Long value, final long[] accumulator)
                {
                    return new long[] {accumulator[0] + value, accumulator[1] + 1, value % 2};
                }

                @Override
                public String getResult(final long[] accumulator)
                {
                    return accumulator[2] + ":" + accumulator[0] / accumulator[1] + "/" + accumulator[1];
                }

                @Override
                public long[] merge(final long[] a, final long[] b)
                {
                    return new long[] {a[0] + b[0], a[1] + b[1], a[2]};
                }
            });
        averages.sinkTo(sink);
        averages.filter(s -> s.endsWith("/500"))
            .sinkTo(new dev.millrace.runtime.api.PrintSink<>(new java.io.PrintStream(printed, true,
                java.nio.charset.StandardCharsets.UTF_8), "avg"));
        final JobResult result = run(job);
        assertEquals(JobState.FINISHED, result.state(), String.valueOf(result.failure()));
        assertEquals(1_000, sink.size());
        assertTrue(sink.results().contains("0:499/500"), sink.results().toString());
        assertTrue(sink.results().contains("1:500/500"), sink.results().toString());
        final List<String> lines = new ArrayList<>(List.of(printed.toString(java.nio.charset.StandardCharsets.UTF_8)
            .split("\n")));
        lines.sort(null);
        assertEquals(List.of("avg> 0:499/500", "avg> 1:500/500"), lines);
    }

    @Test
    void shouldReportTheStatusAndBackPressureOfARunningJobAndCancelIt() throws Exception
    {
        final JobBuilder job = JobBuilder.create();
        job.fromGenerator(Long.MAX_VALUE, i -> i)
            .rebalance()
            .map(i -> i).setParallelism(2)
            // A slow sink: the unbounded source must wait for credit.
            .sinkTo((value, timestamp) -> java.util.concurrent.locks.LockSupport.parkNanos(50_000)).setParallelism(2);
        final LocalJobRunner.JobHandle handle = LocalJobRunner.submit(TEST_KIT.system(), job.build("endless"));
        final org.apache.pekko.actor.testkit.typed.javadsl.TestProbe<JobMaster.StatusReport> probe =
            TEST_KIT.createTestProbe();
        try
        {
            probe.awaitAssert(Duration.ofSeconds(20), () ->
            {
                handle.master().tell(new JobMaster.GetStatus(probe.ref()));
                final JobMaster.StatusReport report = probe.receiveMessage();
                assertEquals(JobState.RUNNING, report.state());
                assertEquals(3, report.totalInstances());
                assertTrue(report.blockedMsByVertex().get(0) > 0, "the source must be back-pressured: " + report);
                return report;
            });
        }
        finally
        {
            handle.cancel();
        }
        final JobResult result = handle.result().get(10, java.util.concurrent.TimeUnit.SECONDS);
        assertEquals(JobState.CANCELED, result.state());
    }

    @Test
    void shouldFailTheJobWithTheKeySelectorsException() throws Exception
    {
        final JobBuilder job = JobBuilder.create().setParallelism(2);
        job.fromGenerator(100_000, i -> i)
            .keyBy(i ->
            {
                if (i == 5_000)
                {
                    throw new IllegalStateException("bad key for record 5000");
                }
                return i % 10;
            })
            .reduce(Long::sum)
            .sinkTo(new CollectingSink<>());
        final JobResult result = run(job);
        assertEquals(JobState.FAILED, result.state());
        assertInstanceOf(IllegalStateException.class, result.failure());
        assertEquals("bad key for record 5000", result.failure().getMessage());
        assertNotNull(result.failedIn());
    }

    @Test
    void shouldFailTheJobOnANegativeTimestamp() throws Exception
    {
        final JobBuilder job = JobBuilder.create();
        job.fromGenerator(100, i -> i - 50)
            .assignTimestampsAndWatermarks(dev.millrace.runtime.time.WatermarkStrategy.<Long>forMonotonousTimestamps()
                .withTimestampAssigner((value, previous) -> value))
            .sinkTo(new CollectingSink<>());
        final JobResult result = run(job);
        assertEquals(JobState.FAILED, result.state());
        assertInstanceOf(IllegalArgumentException.class, result.failure());
        assertTrue(result.failure().getMessage().contains("negative timestamp -50"), result.failure().getMessage());
    }

    @Test
    void shouldRouteSideOutputsAndBroadcast() throws Exception
    {
        final OutputTag<String> odd = new OutputTag<>("odd");
        final JobBuilder job = JobBuilder.create().setParallelism(2);
        final CollectingSink<Long> evens = new CollectingSink<>();
        final CollectingSink<String> odds = new CollectingSink<>();
        final CollectingSink<Long> broadcast = new CollectingSink<>();
        final DataStream<Long> split = job.fromGenerator(100, i -> i).process(() -> new ProcessFunction<Long, Long>()
        {
            @Override
            public void processElement(final Long value, final Context context, final Collector<Long> out)
            {
                if (value % 2 == 0)
                {
                    out.collect(value);
                }
                else
                {
                    context.output(odd, "odd-" + value);
                }
            }
        });
        split.sinkTo(evens);
        split.getSideOutput(odd).sinkTo(odds);
        job.fromCollection(List.of(1L, 2L, 3L)).broadcast().map(i -> i * 10).setParallelism(3).sinkTo(broadcast);
        final JobResult result = run(job);
        assertEquals(JobState.FINISHED, result.state(), String.valueOf(result.failure()));
        assertEquals(50, evens.size());
        assertEquals(50, odds.size());
        assertTrue(odds.results().contains("odd-99"));
        assertEquals(List.of(10L, 10L, 10L, 20L, 20L, 20L, 30L, 30L, 30L), sorted(broadcast.results()));
    }
}
