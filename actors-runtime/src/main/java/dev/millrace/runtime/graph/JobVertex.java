package dev.millrace.runtime.graph;

import java.util.List;
import java.util.Map;

/**
 * A chain of operators that one actor per instance runs with plain method calls: the head receives from
 * the vertex's input edges (or is a source), each operator hands its main output to the operators chained
 * after it and to the vertex's output edges that start at it.
 *
 * @param id             the vertex id, unique in the job
 * @param name           the chain's operator names joined by {@code " -> "}
 * @param parallelism    number of instances
 * @param nodes          the chain, head first, each after its input
 * @param chainedOutputs node id → the ids of the nodes chained after it
 * @param inputEdges     edges into the head, in channel order
 * @param outputEdges    edges out of the chain's nodes
 */
public record JobVertex(int id, String name, int parallelism, List<OperatorNode> nodes,
                        Map<Integer, List<Integer>> chainedOutputs, List<Integer> inputEdges, List<Integer> outputEdges)
{
    /** @return the head operator */
    public OperatorNode head()
    {
        return nodes.get(0);
    }

    /** @return whether the head is a source */
    public boolean isSource()
    {
        return head().source() != null;
    }
}
