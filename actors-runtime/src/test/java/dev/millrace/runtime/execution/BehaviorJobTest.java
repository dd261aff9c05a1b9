package dev.millrace.runtime.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.millrace.runtime.api.CollectingSink;
import dev.millrace.runtime.api.JobBuilder;
import dev.millrace.runtime.api.KeyedBehaviorContext;
import dev.millrace.runtime.api.TimeDomain;
import dev.millrace.runtime.graph.JobGraph;
import dev.millrace.runtime.graph.JobVertex;
import dev.millrace.runtime.state.ValueState;
import dev.millrace.runtime.state.ValueStateDescriptor;
import dev.millrace.runtime.time.WatermarkStrategy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Behavior operators in running jobs at parallelism 2: chained after and before ordinary operators, keyed state
 * and event-time timers compared with plain Java, and the job's failure when a behavior throws or leaves a
 * record unhandled.
 */
@Timeout(60)
class BehaviorJobTest
{
    private static final ActorTestKit TEST_KIT = ActorTestKit.create();
    private static final long RECORDS = 20_000;
    private static final int KEYS = 13;

    @AfterAll
    static void shutdown()
    {
        TEST_KIT.shutdownTestKit();
    }

    /** What the counting behavior receives. */
    sealed interface Msg permits Seen, Fired
    {
    }

    record Seen(Long key, Long value, long timestampMs) implements Msg
    {
    }

    record Fired(Long key, long timestampMs, TimeDomain domain) implements Msg
    {
    }

    /**
     * Counts each key's records in ValueState, emits "key:count"; at the key's record {@code key + 99 * KEYS} (a
     * fixed record, whatever order the two sources' records arrive in), an event-time timer 5 ms later.
     */
    static Behavior<Msg> counter(final KeyedBehaviorContext<Long, String> context)
    {
        final ValueState<Long> count = context.getState(new ValueStateDescriptor<>("count", Long.class));
        return Behaviors.receive(Msg.class)
            .onMessage(Seen.class, seen ->
            {
                final long next = (count.value() == null ? 0 : count.value()) + 1;
                count.update(next);
                context.emit(seen.key() + ":" + next);
                if (seen.value() / KEYS == 99)
                {
                    context.timerService().registerEventTimeTimer(seen.timestampMs() + 5);
                }
                return Behaviors.same();
            })
            .onMessage(Fired.class, fired ->
            {
                final boolean due = context.currentWatermark() >= fired.timestampMs();
                context.emit(fired.key() + ":timer at " + fired.timestampMs() + " due=" + due + " stamped "
                    + context.timestamp());
                return Behaviors.same();
            })
            .build();
    }

    private static JobResult run(final JobBuilder job) throws Exception
    {
        return LocalJobRunner.submit(TEST_KIT.system(), job.build("behaviors")).await(Duration.ofSeconds(40));
    }

    private static List<String> sorted(final List<String> values)
    {
        final List<String> copy = new ArrayList<>(values);
        copy.sort(null);
        return copy;
    }

    @Test
    void shouldCountPerKeyAndFireTimersLikePlainJavaChainedBetweenOrdinaryOperators() throws Exception
    {
        final JobBuilder job = JobBuilder.create().setParallelism(2);
        final CollectingSink<String> sink = new CollectingSink<>();
        job.fromGenerator(RECORDS, i -> i)
            .assignTimestampsAndWatermarks(WatermarkStrategy.<Long>forMonotonousTimestamps()
                .withTimestampAssigner((value, previous) -> value))
            .map(i -> i * 3).name("triple")
            .<Long, Long>processWithBehavior(context -> Behaviors.receive(Long.class)
                .onAnyMessage(value ->
                {
                    context.emit(value / 3);
                    return Behaviors.same();
                })
                .build(), (value, timestampMs) -> value).name("third")
            .keyBy(i -> i % KEYS)
            .processWithBehavior(BehaviorJobTest::counter, Seen::new, Fired::new).name("count")
            .map(line -> "<" + line + ">").name("wrap")
            .filter(line -> !line.isEmpty()).name("keep")
            .sinkTo(sink).name("sink");
        final JobGraph graph = job.build("behaviors");
        final List<String> vertices = graph.vertices().stream().map(JobVertex::name).toList();
        assertTrue(vertices.stream().anyMatch(name -> name.contains("triple -> third")), vertices.toString());
        assertTrue(vertices.stream().anyMatch(name -> name.contains("count -> wrap -> keep -> sink")),
            vertices.toString());
        final JobResult result = LocalJobRunner.submit(TEST_KIT.system(), graph).await(Duration.ofSeconds(40));
        assertEquals(JobState.FINISHED, result.state(), String.valueOf(result.failure()));

        final Map<Long, Long> counts = new HashMap<>();
        final List<String> expected = new ArrayList<>();
        for (long i = 0; i < RECORDS; i++)
        {
            final long key = i % KEYS;
            expected.add("<" + key + ":" + counts.merge(key, 1L, Long::sum) + ">");
        }
        for (long key = 0; key < KEYS; key++)
        {
            final long hundredth = key + 99L * KEYS;   // the record (and timestamp) that set the key's timer
            expected.add("<" + key + ":timer at " + (hundredth + 5) + " due=true stamped " + (hundredth + 5) + ">");
        }
        assertEquals(sorted(expected), sorted(sink.results()));
    }

    @Test
    void shouldFailTheJobWithTheBehaviorsOwnExceptionAndNameTheOperator() throws Exception
    {
        final JobBuilder job = JobBuilder.create().setParallelism(2);
        job.fromGenerator(RECORDS, i -> i)
            .keyBy(i -> i % KEYS)
            .processWithBehavior(context -> Behaviors.receive(Msg.class)
                .onMessage(Seen.class, seen ->
                {
                    if (seen.value() == 5_000)
                    {
                        throw new IllegalStateException("record 5000 is poison");
                    }
                    return Behaviors.same();
                })
                .build(), Seen::new, Fired::new).name("poisoned behavior")
            .sinkTo(new CollectingSink<>());
        final JobResult result = run(job);
        assertEquals(JobState.FAILED, result.state());
        assertInstanceOf(IllegalStateException.class, result.failure());
        assertEquals("record 5000 is poison", result.failure().getMessage());
        assertNotNull(result.failedIn());
        assertTrue(result.failedIn().contains("poisoned behavior"), result.failedIn());
    }

    @Test
    void shouldFailTheJobWhenTheBehaviorLeavesARecordUnhandled() throws Exception
    {
        final JobBuilder job = JobBuilder.create().setParallelism(2);
        job.fromGenerator(RECORDS, i -> i)
            .keyBy(i -> i % KEYS)
            .processWithBehavior(context -> Behaviors.receive(Msg.class)
                .onMessage(Seen.class, seen -> seen.value() < 7_000, seen -> Behaviors.same())
                .build(), Seen::new, Fired::new).name("picky behavior")
            .sinkTo(new CollectingSink<>());
        final JobResult result = run(job);
        assertEquals(JobState.FAILED, result.state());
        assertInstanceOf(IllegalStateException.class, result.failure());
        assertTrue(result.failure().getMessage().contains("'picky behavior'")
            && result.failure().getMessage().contains("did not handle"), result.failure().getMessage());
    }
}
