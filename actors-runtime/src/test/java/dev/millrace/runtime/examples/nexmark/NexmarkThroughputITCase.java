package dev.millrace.runtime.examples.nexmark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.millrace.runtime.api.DataStream;
import dev.millrace.runtime.api.JobBuilder;
import dev.millrace.runtime.execution.JobResult;
import dev.millrace.runtime.execution.JobState;
import dev.millrace.runtime.execution.LocalJobRunner;
import java.time.Duration;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Throughput of the Nexmark queries on one node at parallelism 2, heap state, generator in-process: prints
 * events/s per query (the side-by-side run against Flink lives in the benchmarks module, later). Events:
 * {@code -Dnexmark.events} (default 1,000,000). A smoke figure, not a benchmark: one short warm-up, one run each.
 */
@Timeout(600)
class NexmarkThroughputITCase
{
    private static final ActorTestKit TEST_KIT = ActorTestKit.create();
    private static final long EVENTS = Long.getLong("nexmark.events", 1_000_000L);

    @AfterAll
    static void shutdown()
    {
        TEST_KIT.shutdownTestKit();
    }

    private static void measure(final String name, final Function<DataStream<Event>, DataStream<?>> query)
        throws Exception
    {
        measure(name, query, EVENTS, true);
    }

    private static void measure(final String name, final Function<DataStream<Event>, DataStream<?>> query,
        final long events, final boolean print) throws Exception
    {
        final JobBuilder job = JobBuilder.create().setParallelism(2);
        final LongAdder results = new LongAdder();
        query.apply(NexmarkQueries.events(job, NexmarkGenerator.defaults(), events))
            .sinkTo((value, timestamp) -> results.increment());
        final long startNs = System.nanoTime();
        final JobResult result = LocalJobRunner.submit(TEST_KIT.system(), job.build(name)).await(Duration.ofSeconds(280));
        final long elapsedNs = System.nanoTime() - startNs;
        assertEquals(JobState.FINISHED, result.state(), String.valueOf(result.failure()));
        assertTrue(results.sum() > 0);
        if (!print)
        {
            return;
        }
        System.out.printf("nexmark %s: %,d events in %,d ms = %,.0f events/s (%,d results, %,d buffers exchanged)%n",
            name, events, elapsedNs / 1_000_000, events * 1e9 / elapsedNs, results.sum(), result.metrics().buffersSent());
    }

    @Test
    void shouldReportThroughputOfEachQuery() throws Exception
    {
        // Warm-up (not reported): the JIT compiles the generator, exchanges and window paths.
        measure("warm-up", NexmarkQueries::q0, EVENTS / 4, false);
        measure("warm-up", NexmarkQueries::q5, EVENTS / 4, false);
        measure("q0", NexmarkQueries::q0);
        measure("q1", NexmarkQueries::q1);
        measure("q2", NexmarkQueries::q2);
        measure("q4", NexmarkQueries::q4);
        measure("q5", NexmarkQueries::q5);
        measure("q6", NexmarkQueries::q6);
        measure("q7", NexmarkQueries::q7);
        measure("q8", NexmarkQueries::q8);
    }
}
