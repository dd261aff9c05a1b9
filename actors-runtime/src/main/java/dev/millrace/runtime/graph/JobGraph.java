package dev.millrace.runtime.graph;

import dev.millrace.runtime.state.StateBackend;
import dev.millrace.runtime.state.StateBackends;
import java.util.ArrayList;
import java.util.List;

/**
 * The physical plan of a job: vertices (operator chains) at their parallelism and the exchanges between
 * them. Built and validated by {@link JobGraphBuilder}; immutable.
 *
 * @param name           the job's name
 * @param maxParallelism number of key groups
 * @param vertices       by id (index = id)
 * @param edges          by id (index = id)
 * @param stateBackend   where the keyed operators keep their state
 */
public record JobGraph(String name, int maxParallelism, List<JobVertex> vertices, List<JobEdge> edges,
                       StateBackend stateBackend)
{
    /**
     * A graph whose keyed state lives on the heap.
     *
     * @param name           the job's name
     * @param maxParallelism number of key groups
     * @param vertices       by id (index = id)
     * @param edges          by id (index = id)
     */
    public JobGraph(final String name, final int maxParallelism, final List<JobVertex> vertices,
        final List<JobEdge> edges)
    {
        this(name, maxParallelism, vertices, edges, StateBackends.heap());
    }

    /**
     * @param backend the state backend to run with
     * @return this graph with it
     */
    public JobGraph withStateBackend(final StateBackend backend)
    {
        if (backend == null)
        {
            throw new IllegalArgumentException("job " + name + ": the state backend must not be null");
        }
        return new JobGraph(name, maxParallelism, vertices, edges, backend);
    }

    /**
     * @param vertexId a vertex
     * @return it
     */
    public JobVertex vertex(final int vertexId)
    {
        return vertices.get(vertexId);
    }

    /**
     * @param edgeId an edge
     * @return it
     */
    public JobEdge edge(final int edgeId)
    {
        return edges.get(edgeId);
    }

    /**
     * @param vertexId      the receiving vertex
     * @param targetSubtask the receiving instance
     * @return its input channels, in channel-index order: per input edge, the sending instances that feed it
     */
    public List<InputChannel> inputChannels(final int vertexId, final int targetSubtask)
    {
        final List<InputChannel> channels = new ArrayList<>();
        for (final int edgeId : vertex(vertexId).inputEdges())
        {
            final JobEdge edge = edge(edgeId);
            if (edge.partitioning().kind() == Partitioning.Kind.FORWARD)
            {
                channels.add(new InputChannel(edgeId, targetSubtask));
            }
            else
            {
                for (int source = 0; source < vertex(edge.sourceVertex()).parallelism(); source++)
                {
                    channels.add(new InputChannel(edgeId, source));
                }
            }
        }
        return channels;
    }

    /**
     * @param edgeId        an edge
     * @param sourceSubtask the sending instance
     * @return the receiving instances it has channels to, in its writer's channel order
     */
    public List<Integer> targetSubtasks(final int edgeId, final int sourceSubtask)
    {
        final JobEdge edge = edge(edgeId);
        if (edge.partitioning().kind() == Partitioning.Kind.FORWARD)
        {
            return List.of(sourceSubtask);
        }
        final List<Integer> targets = new ArrayList<>();
        for (int target = 0; target < vertex(edge.targetVertex()).parallelism(); target++)
        {
            targets.add(target);
        }
        return targets;
    }

    /**
     * @return a readable plan: one line per vertex and per edge
     */
    public String describe()
    {
        final StringBuilder text = new StringBuilder("job ").append(name).append(" (maxParallelism ")
            .append(maxParallelism).append(", state ")
            .append(stateBackend.describe()).append(")\n");
        for (final JobVertex vertex : vertices)
        {
            text.append("  vertex ").append(vertex.id()).append(" [").append(vertex.parallelism()).append("] ")
                .append(vertex.name()).append('\n');
        }
        for (final JobEdge edge : edges)
        {
            text.append("  edge ").append(edge.id()).append(": ").append(edge.sourceVertex()).append(" -")
                .append(edge.partitioning().kind()).append(edge.tag() == null ? "" : "(" + edge.tag().id() + ")")
                .append("-> ").append(edge.targetVertex()).append('\n');
        }
        return text.toString();
    }
}
