package dev.millrace.runtime.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.millrace.runtime.api.CollectingSink;
import dev.millrace.runtime.api.Collector;
import dev.millrace.runtime.api.JobBuilder;
import dev.millrace.runtime.api.KeyedStream;
import dev.millrace.runtime.api.ProcessJoinFunction;
import dev.millrace.runtime.api.Source;
import dev.millrace.runtime.api.SourceReader;
import dev.millrace.runtime.graph.InvalidJobException;
import dev.millrace.runtime.operators.WindowOperator;
import dev.millrace.runtime.time.WatermarkStrategy;
import dev.millrace.runtime.windows.EventTimeSessionWindows;
import dev.millrace.runtime.windows.TimeWindow;
import dev.millrace.runtime.windows.Trigger;
import dev.millrace.runtime.windows.TriggerResult;
import dev.millrace.runtime.windows.TumblingEventTimeWindows;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Bad input to windows and two-input operations: refused when the job is built when the plan is wrong, a
 * failed job with the user's or the runtime's precise exception as the cause when a record is wrong.
 */
@Timeout(60)
class BadWindowInputTest
{
    private static final ActorTestKit TEST_KIT = ActorTestKit.create();

    @AfterAll
    static void shutdown()
    {
        TEST_KIT.shutdownTestKit();
    }

    private static JobResult run(final JobBuilder job) throws Exception
    {
        return LocalJobRunner.submit(TEST_KIT.system(), job.build("bad")).await(Duration.ofSeconds(30));
    }

    private static KeyedStream<Long, Long> timed(final JobBuilder job)
    {
        return job.fromGenerator(1_000, i -> i)
            .assignTimestampsAndWatermarks(WatermarkStrategy.<Long>forMonotonousTimestamps()
                .withTimestampAssigner((value, previous) -> value))
            .keyBy(i -> i % 3);
    }

    @Test
    void shouldRefuseAWindowOperatorOnANonKeyedStreamWhenBuilding()
    {
        final JobBuilder job = JobBuilder.create();
        job.fromGenerator(10, i -> i)
            .transform("raw window", () -> new WindowOperator<Long, Long, Long, Long, Long, TimeWindow>(i -> i,
                TumblingEventTimeWindows.of(Duration.ofSeconds(1)), null, 0, new SumAggregate(), null, null, null), true)
            .sinkTo(new CollectingSink<>());
        final InvalidJobException e = assertThrows(InvalidJobException.class, () -> job.build("bad"));
        assertTrue(e.getMessage().contains("'raw window' is a keyed operation"), e.getMessage());
        assertTrue(e.getMessage().contains("keyBy"), e.getMessage());
    }

    @Test
    void shouldRefuseATriggerThatCannotMergeOnSessionWindowsAndAnIntervalJoinWithoutBounds()
    {
        final JobBuilder job = JobBuilder.create();
        final Trigger<Object, TimeWindow> plain = new Trigger<>()
        {
            @Override
            public TriggerResult onElement(final Object element, final long timestampMs, final TimeWindow window,
                final TriggerContext context)
            {
                return TriggerResult.FIRE;
            }
        };
        final IllegalArgumentException merging = assertThrows(IllegalArgumentException.class,
            () -> timed(job).window(EventTimeSessionWindows.withGap(Duration.ofSeconds(1))).trigger(plain));
        assertTrue(merging.getMessage().contains("canMerge()"), merging.getMessage());
        final IllegalStateException bounds = assertThrows(IllegalStateException.class,
            () -> timed(job).intervalJoin(timed(job)).process(() -> new ProcessJoinFunction<Long, Long, Long>()
            {
                @Override
                public void processElement(final Long left, final Long right, final Context context,
                    final Collector<Long> out)
                {
                }
            }));
        assertTrue(bounds.getMessage().contains("between(lower, upper)"), bounds.getMessage());
        assertThrows(IllegalArgumentException.class,
            () -> timed(job).intervalJoin(timed(job)).between(Duration.ofSeconds(1), Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> timed(job).countWindow(0));
    }

    @Test
    void shouldFailTheJobOnANegativeTimestampFromASource() throws Exception
    {
        final JobBuilder job = JobBuilder.create();
        job.fromSource(new Source<Long>()
            {
                @Override
                public SourceReader<Long> createReader(final int subtaskIndex, final int parallelism)
                {
                    return new SourceReader<>()
                    {
                        private long next;

                        @Override
                        public int emitBatch(final Output<Long> output, final int maxRecords)
                        {
                            if (next == 20)
                            {
                                return -1;
                            }
                            // Timestamps straight from the source, no assigner: the 11th is negative.
                            output.collect(next, next == 10 ? -5 : next * 100);
                            next++;
                            return 1;
                        }

                        @Override
                        public Object position()
                        {
                            return next;
                        }

                        @Override
                        public void seek(final Object position)
                        {
                            next = (Long) position;
                        }
                    };
                }
            }, "negative")
            .keyBy(i -> i % 2)
            .window(TumblingEventTimeWindows.of(Duration.ofSeconds(1)))
            .reduce(Long::sum)
            .sinkTo(new CollectingSink<>());
        final JobResult result = run(job);
        assertEquals(JobState.FAILED, result.state());
        assertInstanceOf(IllegalArgumentException.class, result.failure());
        assertTrue(result.failure().getMessage().contains("negative timestamp -5"), result.failure().getMessage());
        assertNotNull(result.failedIn());
    }

    @Test
    void shouldFailTheJobOnARecordWithoutTimestampInAnEventTimeWindow() throws Exception
    {
        final JobBuilder job = JobBuilder.create();
        job.fromGenerator(100, i -> i)
            .keyBy(i -> i % 2)
            .window(TumblingEventTimeWindows.of(Duration.ofSeconds(1)))
            .reduce(Long::sum)
            .sinkTo(new CollectingSink<>());
        final JobResult result = run(job);
        assertEquals(JobState.FAILED, result.state());
        assertInstanceOf(IllegalStateException.class, result.failure());
        assertTrue(result.failure().getMessage().contains("without a timestamp"), result.failure().getMessage());
    }

    @Test
    void shouldFailTheJobWithTheExceptionOfAJoinsKeySelector() throws Exception
    {
        final JobBuilder job = JobBuilder.create().setParallelism(2);
        job.fromGenerator(500, i -> i)
            .assignTimestampsAndWatermarks(WatermarkStrategy.<Long>forMonotonousTimestamps()
                .withTimestampAssigner((value, previous) -> value))
            .join(job.fromGenerator(500, i -> "r" + i)
                .assignTimestampsAndWatermarks(WatermarkStrategy.<String>forMonotonousTimestamps()
                    .withTimestampAssigner((value, previous) -> Long.parseLong(value.substring(1)))))
            .where(i -> i % 10)
            .equalTo(s ->
            {
                if (s.equals("r321"))
                {
                    throw new IllegalStateException("no key for r321");
                }
                return Long.parseLong(s.substring(1)) % 10;
            })
            .window(TumblingEventTimeWindows.of(Duration.ofMillis(100)))
            .apply((left, right) -> left + right)
            .sinkTo(new CollectingSink<>());
        final JobResult result = run(job);
        assertEquals(JobState.FAILED, result.state());
        assertInstanceOf(IllegalStateException.class, result.failure());
        assertEquals("no key for r321", result.failure().getMessage());
    }

    @Test
    void shouldFailTheJobWithTheExceptionOfACustomTrigger() throws Exception
    {
        final JobBuilder job = JobBuilder.create();
        timed(job)
            .window(TumblingEventTimeWindows.of(Duration.ofMillis(100)))
            .trigger(new Trigger<Object, TimeWindow>()
            {
                @Override
                public TriggerResult onElement(final Object element, final long timestampMs, final TimeWindow window,
                    final TriggerContext context)
                {
                    if (timestampMs == 777)
                    {
                        throw new ArithmeticException("trigger cannot handle 777");
                    }
                    return TriggerResult.CONTINUE;
                }
            })
            .reduce(Long::sum)
            .sinkTo(new CollectingSink<>());
        final JobResult result = run(job);
        assertEquals(JobState.FAILED, result.state());
        assertInstanceOf(ArithmeticException.class, result.failure());
        assertEquals("trigger cannot handle 777", result.failure().getMessage());
    }

    /** Sums. */
    static final class SumAggregate implements dev.millrace.runtime.api.AggregateFunction<Long, Long, Long>
    {
        @Override
        public Long createAccumulator()
        {
            return 0L;
        }

        @Override
        public Long add(final Long value, final Long accumulator)
        {
            return accumulator + value;
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
