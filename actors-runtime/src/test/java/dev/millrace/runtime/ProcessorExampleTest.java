package dev.millrace.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.millrace.runtime.api.AggregateFunction;
import dev.millrace.runtime.api.CollectingSink;
import dev.millrace.runtime.api.Collector;
import dev.millrace.runtime.api.JobBuilder;
import dev.millrace.runtime.execution.JobResult;
import dev.millrace.runtime.execution.JobState;
import dev.millrace.runtime.execution.LocalJobRunner;
import dev.millrace.runtime.graph.JobGraph;
import dev.millrace.runtime.time.WatermarkStrategy;
import dev.millrace.runtime.windows.ProcessWindowFunction;
import dev.millrace.runtime.windows.TimeWindow;
import dev.millrace.runtime.windows.TumblingEventTimeWindows;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The example of docs/processor.md, compiled and run. */
@Timeout(60)
class ProcessorExampleTest
{
    private static final ActorTestKit TEST_KIT = ActorTestKit.create();

    /** A click of a user at an event time. */
    record Click(String user, long timeMs)
    {
    }

    /** Counts clicks. */
    static final class CountClicks implements AggregateFunction<Click, Long, Long>
    {
        @Override
        public Long createAccumulator()
        {
            return 0L;
        }

        @Override
        public Long add(final Click value, final Long accumulator)
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

    @AfterAll
    static void shutdown()
    {
        TEST_KIT.shutdownTestKit();
    }

    @Test
    void shouldCountClicksPerUserAndMinute() throws Exception
    {
        final ActorSystem<Void> actorSystem = TEST_KIT.system();
        // --- as in docs/processor.md ---
        JobBuilder job = JobBuilder.create().setParallelism(2);
        CollectingSink<String> results = new CollectingSink<>();

        job.fromGenerator(100_000, i -> new Click("user-" + (i % 50), 1_600_000_000_000L + i * 10))
            .assignTimestampsAndWatermarks(WatermarkStrategy.<Click>forBoundedOutOfOrderness(Duration.ofMillis(100))
                .withTimestampAssigner((click, previous) -> click.timeMs()))
            .filter(click -> !click.user().equals("user-0")).name("no bots")
            .keyBy(Click::user)
            .window(TumblingEventTimeWindows.of(Duration.ofSeconds(60)))
            .aggregate(new CountClicks(), () -> new ProcessWindowFunction<Long, String, String, TimeWindow>()
            {
                @Override
                public void process(String user, Context context, Iterable<Long> counts, Collector<String> out)
                {
                    out.collect(user + " " + context.window().startMs() + " " + counts.iterator().next());
                }
            }).name("clicks per minute").uid("clicks-per-minute")
            .sinkTo(results);

        JobGraph graph = job.build("clicks");
        JobResult result = LocalJobRunner.submit(actorSystem, graph).await(Duration.ofSeconds(30));
        // --- end of the example ---

        assertEquals(JobState.FINISHED, result.state(), String.valueOf(result.failure()));
        final Map<String, Long> expected = new HashMap<>();
        for (long i = 0; i < 100_000; i++)
        {
            final String user = "user-" + (i % 50);
            if (!user.equals("user-0"))
            {
                final long time = 1_600_000_000_000L + i * 10;
                expected.merge(user + " " + (time - Math.floorMod(time, 60_000)), 1L, Long::sum);
            }
        }
        final Map<String, Long> actual = new HashMap<>();
        for (final String line : results.results())
        {
            final int last = line.lastIndexOf(' ');
            actual.merge(line.substring(0, last), Long.parseLong(line.substring(last + 1)), Long::sum);
        }
        assertEquals(expected, actual);
        assertEquals(expected.size(), results.size(), "one result per user and window");
    }
}
