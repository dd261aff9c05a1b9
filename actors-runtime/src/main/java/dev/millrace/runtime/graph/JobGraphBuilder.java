package dev.millrace.runtime.graph;

import dev.millrace.runtime.api.OutputTag;
import dev.millrace.runtime.state.KeyGroupRangeAssignment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Turns the logical plan (transformations) into a {@link JobGraph}: resolves virtual transformations into
 * edge properties, fixes each operator's parallelism, validates, and chains operators.
 *
 * <p>Chaining rule: an operator joins the chain of its input when it has exactly one input edge, that edge
 * is {@link Partitioning.Kind#FORWARD} (explicitly, or by default between equal parallelisms) and carries the
 * main output. Anything else starts a new vertex and crosses an exchange.
 *
 * <p>Validation (each an {@link InvalidJobException} naming the operator): no sink; a cycle; a parallelism
 * below 1 or above maxParallelism; a source above its own maximum; forward between different parallelisms;
 * a keyed operation on an input that is not partitioned by key; a side output of a union or partitioning;
 * two operators with one uid.
 */
public final class JobGraphBuilder
{
    private JobGraphBuilder()
    {
    }

    private record Upstream(int nodeId, Partitioning partitioning, OutputTag<?> tag)
    {
    }

    private record LogicalEdge(int source, int target, Partitioning partitioning, OutputTag<?> tag)
    {
    }

    /**
     * @param name               the job name
     * @param transformations    every transformation of the job
     * @param defaultParallelism parallelism of operators that set none
     * @param maxParallelism     number of key groups
     * @return the validated job graph
     * @throws InvalidJobException when the job cannot run as described
     */
    public static JobGraph build(final String name, final List<Transformation> transformations,
        final int defaultParallelism, final int maxParallelism)
    {
        if (maxParallelism < 1 || maxParallelism > KeyGroupRangeAssignment.UPPER_BOUND_MAX_PARALLELISM)
        {
            throw new InvalidJobException("maxParallelism " + maxParallelism + " must be in [1, "
                + KeyGroupRangeAssignment.UPPER_BOUND_MAX_PARALLELISM + "]");
        }
        final List<Transformation> sorted = new ArrayList<>(transformations);
        sorted.sort(Comparator.comparingInt(Transformation::id));
        checkAcyclic(sorted);

        final Map<Integer, Transformation> nodes = new LinkedHashMap<>();
        final Map<Integer, Integer> parallelism = new HashMap<>();
        final Map<Integer, List<LogicalEdge>> inEdges = new HashMap<>();
        final Set<String> uids = new HashSet<>();
        boolean anySink = false;
        for (final Transformation t : sorted)
        {
            if (!t.isPhysical())
            {
                continue;
            }
            nodes.put(t.id(), t);
            parallelism.put(t.id(), parallelismOf(t, defaultParallelism, maxParallelism));
            if (t.uid() != null && !uids.add(t.uid()))
            {
                throw new InvalidJobException("operator '" + t.name() + "': uid '" + t.uid()
                    + "' is used by two operators; uids must be unique within a job");
            }
            final List<LogicalEdge> edges = new ArrayList<>();
            if (t instanceof OneInputTransformation op)
            {
                anySink |= op.sink();
                for (final Upstream upstream : resolve(op.input()))
                {
                    edges.add(edgeOf(upstream, op, parallelism));
                }
                if (op.keyed())
                {
                    for (final LogicalEdge edge : edges)
                    {
                        if (edge.partitioning().kind() != Partitioning.Kind.HASH)
                        {
                            throw new InvalidJobException("operator '" + op.name() + "' is a keyed operation (keyed "
                                + "state, timers or windows) but its input from '" + nodes.get(edge.source()).name()
                                + "' is not partitioned by key; call keyBy(...) before it");
                        }
                    }
                }
            }
            inEdges.put(t.id(), edges);
        }
        if (!anySink)
        {
            throw new InvalidJobException("job '" + name + "' has no sink; add one with sinkTo(...), print() or "
                + "a CollectingSink");
        }
        return chain(name, maxParallelism, nodes, parallelism, inEdges);
    }

    private static int parallelismOf(final Transformation t, final int defaultParallelism, final int maxParallelism)
    {
        int p = t.parallelism() == -1 ? defaultParallelism : t.parallelism();
        if (t instanceof SourceTransformation source)
        {
            final int sourceMax = source.source().maxParallelism();
            if (t.parallelism() == -1)
            {
                p = Math.min(p, sourceMax);
            }
            else if (p > sourceMax)
            {
                throw new InvalidJobException("source '" + t.name() + "' supports a parallelism of at most " + sourceMax
                    + " but " + p + " was set");
            }
        }
        if (p < 1)
        {
            throw new InvalidJobException("operator '" + t.name() + "': parallelism " + p + " must be at least 1");
        }
        if (p > maxParallelism)
        {
            throw new InvalidJobException("operator '" + t.name() + "': parallelism " + p + " exceeds the job's "
                + "maxParallelism " + maxParallelism + " (the number of key groups); raise maxParallelism or lower "
                + "the parallelism");
        }
        return p;
    }

    private static LogicalEdge edgeOf(final Upstream upstream, final OneInputTransformation target,
        final Map<Integer, Integer> parallelism)
    {
        final int sourceP = parallelism.get(upstream.nodeId());
        final int targetP = parallelism.get(target.id());
        Partitioning partitioning = upstream.partitioning();
        if (partitioning == null)
        {
            partitioning = sourceP == targetP ? Partitioning.FORWARD : Partitioning.REBALANCE;
        }
        else if (partitioning.kind() == Partitioning.Kind.FORWARD && sourceP != targetP)
        {
            throw new InvalidJobException("operator '" + target.name() + "' (parallelism " + targetP + ") has a forward "
                + "input from an operator with parallelism " + sourceP + "; forward needs equal parallelism, use "
                + "rebalance() instead");
        }
        return new LogicalEdge(upstream.nodeId(), target.id(), partitioning, upstream.tag());
    }

    private static List<Upstream> resolve(final Transformation t)
    {
        if (t.isPhysical())
        {
            return List.of(new Upstream(t.id(), null, null));
        }
        final List<Upstream> result = new ArrayList<>();
        if (t instanceof PartitionTransformation partition)
        {
            for (final Upstream upstream : resolve(partition.input()))
            {
                result.add(new Upstream(upstream.nodeId(), partition.partitioning(), upstream.tag()));
            }
        }
        else if (t instanceof UnionTransformation union)
        {
            for (final Transformation input : union.inputs())
            {
                result.addAll(resolve(input));
            }
        }
        else if (t instanceof SideOutputTransformation side)
        {
            if (!side.input().isPhysical())
            {
                throw new InvalidJobException("side output '" + side.tag().id() + "' was asked of '"
                    + side.input().name() + "', which is not an operator; take side outputs from the operator that "
                    + "emits them");
            }
            result.add(new Upstream(side.input().id(), null, side.tag()));
        }
        return result;
    }

    private static void checkAcyclic(final List<Transformation> transformations)
    {
        final Map<Integer, Integer> indegree = new HashMap<>();
        final Map<Integer, List<Integer>> consumers = new HashMap<>();
        for (final Transformation t : transformations)
        {
            indegree.putIfAbsent(t.id(), 0);
            for (final Transformation input : t.inputs())
            {
                indegree.merge(t.id(), 1, Integer::sum);
                consumers.computeIfAbsent(input.id(), id -> new ArrayList<>()).add(t.id());
                indegree.putIfAbsent(input.id(), 0);
            }
        }
        final Deque<Integer> ready = new ArrayDeque<>();
        indegree.forEach((id, degree) ->
        {
            if (degree == 0)
            {
                ready.add(id);
            }
        });
        int visited = 0;
        while (!ready.isEmpty())
        {
            final int id = ready.poll();
            visited++;
            for (final int consumer : consumers.getOrDefault(id, List.of()))
            {
                if (indegree.merge(consumer, -1, Integer::sum) == 0)
                {
                    ready.add(consumer);
                }
            }
        }
        if (visited < indegree.size())
        {
            final List<String> cyclic = new ArrayList<>();
            for (final Transformation t : transformations)
            {
                if (indegree.get(t.id()) > 0)
                {
                    cyclic.add(t.name());
                }
            }
            throw new InvalidJobException("the job graph has a cycle through " + cyclic
                + "; streams may only flow forward (iterations are not supported)");
        }
    }

    private static JobGraph chain(final String name, final int maxParallelism, final Map<Integer, Transformation> nodes,
        final Map<Integer, Integer> parallelism, final Map<Integer, List<LogicalEdge>> inEdges)
    {
        final Map<Integer, Integer> vertexOf = new HashMap<>();
        final List<List<Integer>> vertexNodes = new ArrayList<>();
        for (final Transformation t : nodes.values())
        {
            final List<LogicalEdge> edges = inEdges.get(t.id());
            if (edges.size() == 1 && chainable(edges.get(0)))
            {
                final int vertex = vertexOf.get(edges.get(0).source());
                vertexOf.put(t.id(), vertex);
                vertexNodes.get(vertex).add(t.id());
            }
            else
            {
                vertexOf.put(t.id(), vertexNodes.size());
                final List<Integer> chainNodes = new ArrayList<>();
                chainNodes.add(t.id());
                vertexNodes.add(chainNodes);
            }
        }
        final List<JobEdge> jobEdges = new ArrayList<>();
        final List<List<Integer>> vertexInputs = new ArrayList<>();
        final List<List<Integer>> vertexOutputs = new ArrayList<>();
        final List<Map<Integer, List<Integer>>> chained = new ArrayList<>();
        for (int v = 0; v < vertexNodes.size(); v++)
        {
            vertexInputs.add(new ArrayList<>());
            vertexOutputs.add(new ArrayList<>());
            chained.add(new HashMap<>());
        }
        for (final Transformation t : nodes.values())
        {
            for (final LogicalEdge edge : inEdges.get(t.id()))
            {
                final int sourceVertex = vertexOf.get(edge.source());
                final int targetVertex = vertexOf.get(edge.target());
                if (sourceVertex == targetVertex)
                {
                    chained.get(sourceVertex).computeIfAbsent(edge.source(), id -> new ArrayList<>()).add(edge.target());
                }
                else
                {
                    final JobEdge jobEdge = new JobEdge(jobEdges.size(), sourceVertex, edge.source(), targetVertex,
                        edge.partitioning(), edge.tag());
                    jobEdges.add(jobEdge);
                    vertexOutputs.get(sourceVertex).add(jobEdge.id());
                    vertexInputs.get(targetVertex).add(jobEdge.id());
                }
            }
        }
        final List<JobVertex> vertices = new ArrayList<>();
        for (int v = 0; v < vertexNodes.size(); v++)
        {
            final List<OperatorNode> operatorNodes = new ArrayList<>();
            final List<String> names = new ArrayList<>();
            for (final int nodeId : vertexNodes.get(v))
            {
                final Transformation t = nodes.get(nodeId);
                names.add(t.name());
                if (t instanceof SourceTransformation source)
                {
                    operatorNodes.add(new OperatorNode(nodeId, t.name(), t.uid(), source.source(), null, false));
                }
                else
                {
                    final OneInputTransformation op = (OneInputTransformation) t;
                    operatorNodes.add(new OperatorNode(nodeId, t.name(), t.uid(), null, op.operatorFactory(), op.keyed()));
                }
            }
            final Map<Integer, List<Integer>> chainedOutputs = new HashMap<>();
            chained.get(v).forEach((k, targets) -> chainedOutputs.put(k, List.copyOf(targets)));
            vertices.add(new JobVertex(v, String.join(" -> ", names), parallelism.get(vertexNodes.get(v).get(0)),
                List.copyOf(operatorNodes), Collections.unmodifiableMap(chainedOutputs),
                List.copyOf(vertexInputs.get(v)), List.copyOf(vertexOutputs.get(v))));
        }
        return new JobGraph(name, maxParallelism, List.copyOf(vertices), List.copyOf(jobEdges));
    }

    private static boolean chainable(final LogicalEdge edge)
    {
        return edge.partitioning().kind() == Partitioning.Kind.FORWARD && edge.tag() == null;
    }
}
