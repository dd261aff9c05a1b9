package dev.millrace.runtime.cluster;

import com.typesafe.config.Config;
import dev.millrace.runtime.execution.ExchangeMetrics;
import dev.millrace.runtime.graph.JobGraph;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The jobs with instances on this node: each job's graph is rebuilt once per node from its definition, and its
 * instances here share that graph and one {@link ExchangeMetrics}, as they do under the local runner. A job is
 * dropped when its last instance here stops.
 *
 * <p>Threading: thread-safe (task entities of many jobs call it).
 */
final class LocalJobs
{
    /** A job's graph and exchange counters on this node. */
    record LocalJob(JobGraph graph, ExchangeMetrics metrics)
    {
    }

    private final Config config;
    private final Map<String, LocalJob> jobs = new HashMap<>();
    private final Map<String, Integer> users = new HashMap<>();

    LocalJobs(final Config config)
    {
        this.config = config;
    }

    /** @return the job, built on first use; the caller must {@link #release} it @throws JobRefusedException */
    synchronized LocalJob acquire(final String jobId, final String jobName, final String className,
        final List<String> args)
    {
        LocalJob job = jobs.get(jobId);
        if (job == null)
        {
            final JobGraph graph = JobDefinitions.build(className, args, jobName, config);
            job = new LocalJob(graph, new ExchangeMetrics(graph.vertices().size()));
            jobs.put(jobId, job);
        }
        users.merge(jobId, 1, Integer::sum);
        return job;
    }

    synchronized void release(final String jobId)
    {
        final Integer left = users.computeIfPresent(jobId, (id, count) -> count == 1 ? null : count - 1);
        if (left == null)
        {
            jobs.remove(jobId);
        }
    }
}
