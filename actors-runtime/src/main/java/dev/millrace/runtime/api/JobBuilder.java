package dev.millrace.runtime.api;

import dev.millrace.runtime.graph.JobGraph;
import dev.millrace.runtime.graph.JobGraphBuilder;
import dev.millrace.runtime.graph.SourceTransformation;
import dev.millrace.runtime.graph.Transformation;
import dev.millrace.runtime.state.KeyGroupRangeAssignment;
import dev.millrace.runtime.state.StateBackend;
import dev.millrace.runtime.state.StateBackends;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * Where a job is described: sources, then the operations on the {@link DataStream}s they return, then
 * sinks; {@link #build(String)} validates the description and turns it into a {@link JobGraph} that a job
 * master runs (see {@code dev.millrace.runtime.execution.LocalJobRunner}). Millrace's counterpart of
 * Flink's {@code StreamExecutionEnvironment}.
 *
 * <pre>
 * JobBuilder job = JobBuilder.create().setParallelism(2);
 * job.fromGenerator(1_000, i -&gt; i)
 *    .keyBy(i -&gt; i % 10)
 *    .reduce(Long::sum)
 *    .sinkTo(results);
 * JobGraph graph = job.build("sums");
 * </pre>
 *
 * <p>Threading: one thread describes a job.
 */
public final class JobBuilder
{
    private final List<Transformation> transformations = new ArrayList<>();
    private int parallelism = 1;
    private int maxParallelism = KeyGroupRangeAssignment.DEFAULT_MAX_PARALLELISM;
    private StateBackend stateBackend = StateBackends.heap();

    private JobBuilder()
    {
    }

    /** @return a new, empty job description */
    public static JobBuilder create()
    {
        return new JobBuilder();
    }

    /**
     * @param defaultParallelism parallelism of every operator that sets none (default 1)
     * @return this
     */
    public JobBuilder setParallelism(final int defaultParallelism)
    {
        if (defaultParallelism < 1)
        {
            throw new IllegalArgumentException("parallelism must be at least 1: " + defaultParallelism);
        }
        this.parallelism = defaultParallelism;
        return this;
    }

    /**
     * @param keyGroups the number of key groups, the upper bound of every parallelism (default 128); fixed
     *                  for the lifetime of the job's state
     * @return this
     */
    public JobBuilder setMaxParallelism(final int keyGroups)
    {
        this.maxParallelism = keyGroups;
        return this;
    }

    /**
     * @param backend where the job's keyed operators keep their state: {@link StateBackends#heap()} (the
     *                default) or {@link StateBackends#rocksDb()}
     * @return this
     */
    public JobBuilder stateBackend(final StateBackend backend)
    {
        if (backend == null)
        {
            throw new IllegalArgumentException("the state backend must not be null");
        }
        this.stateBackend = backend;
        return this;
    }

    /** @return the default parallelism */
    public int parallelism()
    {
        return parallelism;
    }

    /**
     * @param source the source
     * @param name   its display name
     * @param <T>    record type
     * @return its stream
     */
    public <T> DataStream<T> fromSource(final Source<T> source, final String name)
    {
        return new DataStream<>(this, register(new SourceTransformation(nextId(), name, source)));
    }

    /**
     * @param elements the records, emitted in order by one instance
     * @param <T>      record type
     * @return their stream
     */
    public <T> DataStream<T> fromCollection(final List<T> elements)
    {
        return fromSource(new CollectionSource<>(elements), "Collection Source");
    }

    /**
     * @param count     number of records
     * @param generator the record at an index, a pure function
     * @param <T>       record type
     * @return their stream, spread over the source's instances (see {@link GeneratorSource})
     */
    public <T> DataStream<T> fromGenerator(final long count, final LongFunction<T> generator)
    {
        return fromSource(new GeneratorSource<>(count, generator), "Generator Source");
    }

    /**
     * @param jobName the job's name
     * @return the validated physical plan
     * @throws dev.millrace.runtime.graph.InvalidJobException when the job cannot run as described
     */
    public JobGraph build(final String jobName)
    {
        return JobGraphBuilder.build(jobName, transformations, parallelism, maxParallelism)
            .withStateBackend(stateBackend);
    }

    int nextId()
    {
        return transformations.size();
    }

    <X extends Transformation> X register(final X transformation)
    {
        transformations.add(transformation);
        return transformation;
    }
}
