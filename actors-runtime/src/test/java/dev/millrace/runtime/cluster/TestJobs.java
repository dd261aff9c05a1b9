package dev.millrace.runtime.cluster;

import dev.millrace.runtime.api.JobBuilder;
import dev.millrace.runtime.api.Source;
import dev.millrace.runtime.api.SourceReader;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/** Job definitions for the cluster tests; results land in {@link #RESULTS} under the run id given as first arg. */
public final class TestJobs
{
    /** Sink output by run id. */
    static final Map<String, Queue<Long>> RESULTS = new ConcurrentHashMap<>();

    private TestJobs()
    {
    }

    static Queue<Long> results(final String runId)
    {
        return RESULTS.computeIfAbsent(runId, id -> new ConcurrentLinkedQueue<>());
    }

    /** args: run id, record count, parallelism. Doubles 0..count-1 over a rebalance exchange. */
    public static final class Doubling implements JobDefinition
    {
        @Override
        public void define(final JobBuilder job, final List<String> args)
        {
            final String runId = args.get(0);
            final long count = Long.parseLong(args.get(1));
            job.setParallelism(Integer.parseInt(args.get(2)));
            final Queue<Long> out = results(runId);
            job.fromGenerator(count, i -> i)
                .rebalance()
                .map(i -> i * 2)
                .sinkTo((Long value, long timestampMs) -> out.add(value));
        }
    }

    /** args: run id, parallelism. A source that never ends and never emits (it polls), then a sink. */
    public static final class Endless implements JobDefinition
    {
        @Override
        public void define(final JobBuilder job, final List<String> args)
        {
            final Queue<Long> out = results(args.get(0));
            job.setParallelism(Integer.parseInt(args.get(1)));
            job.fromSource(new Source<Long>()
            {
                @Override
                public SourceReader<Long> createReader(final int subtaskIndex, final int parallelism)
                {
                    return new SourceReader<>()
                    {
                        @Override
                        public int emitBatch(final Output<Long> output, final int maxRecords)
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
            }, "never").sinkTo((Long value, long timestampMs) -> out.add(value));
        }
    }

    /** Fails to build its graph. */
    public static final class Broken implements JobDefinition
    {
        @Override
        public void define(final JobBuilder job, final List<String> args)
        {
            throw new IllegalStateException("broken on purpose");
        }
    }
}
