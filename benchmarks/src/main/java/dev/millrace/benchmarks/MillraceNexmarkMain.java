package dev.millrace.benchmarks;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

import dev.millrace.runtime.api.DataStream;
import dev.millrace.runtime.api.JobBuilder;
import dev.millrace.runtime.examples.nexmark.Event;
import dev.millrace.runtime.examples.nexmark.NexmarkGenerator;
import dev.millrace.runtime.examples.nexmark.NexmarkQueries;
import dev.millrace.runtime.execution.JobResult;
import dev.millrace.runtime.execution.JobState;
import dev.millrace.runtime.execution.LocalJobRunner;
import dev.millrace.runtime.state.StateBackend;
import dev.millrace.runtime.state.StateBackends;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The Millrace side of {@code bench nexmark}, run by the benchmark as a child JVM (class path: benchmarks.jar) with the
 * same heap and GC flags as the Flink side: one query of {@link NexmarkQueries} through {@link LocalJobRunner} on one
 * actor system, a warm-up run and then the measured runs, each a fresh bounded job with the in-process generator
 * source, results counted in a sink; then one line in the format of the Flink side
 * ({@code NEXMARK-RESULT <query> events=<n> results=<n> ns=<ns>,...}). The time of a run is from submission to the
 * job's end, as the Flink side's net runtime.
 *
 * <p>Arguments: {@code query events parallelism rounds warmupEvents [heap|rocksdb]} (the state backend, heap by
 * default; RocksDB with the reference configuration, its databases under {@code java.io.tmpdir}).
 */
final class MillraceNexmarkMain
{
    static final String RESULT_PREFIX = "NEXMARK-RESULT ";
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(20);

    private MillraceNexmarkMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        if (args.length != 5 && args.length != 6)
        {
            System.err.println("usage: MillraceNexmarkMain query events parallelism rounds warmupEvents [heap|rocksdb]");
            System.exit(2);
        }
        final StateBackend backend = args.length == 5 ? StateBackends.heap() : stateBackend(args[5]);
        final String query = args[0];
        final long events = Long.parseLong(args[1]);
        final int parallelism = Integer.parseInt(args[2]);
        final int rounds = Integer.parseInt(args[3]);
        final long warmupEvents = Long.parseLong(args[4]);
        final Function<DataStream<Event>, DataStream<?>> plan = query(query);
        final ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "nexmark-bench");
        try
        {
            if (warmupEvents > 0)
            {
                run(system, query, plan, warmupEvents, parallelism, backend);
            }
            final List<Long> nanos = new ArrayList<>();
            long results = -1;
            for (int round = 0; round < rounds; round++)
            {
                final long startNs = System.nanoTime();
                final long count = run(system, query, plan, events, parallelism, backend);
                nanos.add(System.nanoTime() - startNs);
                if (results >= 0 && count != results)
                {
                    throw new IllegalStateException(query + ": " + count + " results in round " + (round + 1) + ", " +
                        results + " before");
                }
                results = count;
            }
            final StringBuilder line = new StringBuilder(RESULT_PREFIX).append(query).append(" events=").append(events)
                .append(" results=").append(results).append(" ns=");
            for (int i = 0; i < nanos.size(); i++)
            {
                line.append(i == 0 ? "" : ",").append(nanos.get(i));
            }
            System.out.println(line);
            System.out.flush();
        }
        finally
        {
            system.terminate();
            system.getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    static Function<DataStream<Event>, DataStream<?>> query(final String name)
    {
        return switch (name)
        {
            case "q0" -> NexmarkQueries::q0;
            case "q1" -> NexmarkQueries::q1;
            case "q2" -> NexmarkQueries::q2;
            case "q5" -> NexmarkQueries::q5;
            case "q7" -> NexmarkQueries::q7;
            case "q8" -> NexmarkQueries::q8;
            default -> throw new IllegalArgumentException("unknown query " + name + " (q0, q1, q2, q5, q7, q8)");
        };
    }

    static StateBackend stateBackend(final String name)
    {
        return switch (name)
        {
            case "heap" -> StateBackends.heap();
            case "rocksdb" -> StateBackends.rocksDb();
            default -> throw new IllegalArgumentException("unknown state backend " + name + " (heap, rocksdb)");
        };
    }

    /** One bounded job; fails unless it finishes. @return the number of results */
    private static long run(final ActorSystem<Void> system, final String query,
        final Function<DataStream<Event>, DataStream<?>> plan, final long events, final int parallelism,
        final StateBackend backend) throws Exception
    {
        final JobBuilder job = JobBuilder.create().setParallelism(parallelism).stateBackend(backend);
        final LongAdder results = new LongAdder();
        plan.apply(NexmarkQueries.events(job, NexmarkGenerator.defaults(), events))
            .sinkTo((value, timestamp) -> results.increment());
        final JobResult result = LocalJobRunner.submit(system, job.build("nexmark-" + query)).await(JOB_TIMEOUT);
        if (result.state() != JobState.FINISHED)
        {
            throw new IllegalStateException(query + " ended " + result.state() + ": " + result.failure(), result.failure());
        }
        return results.sum();
    }
}
