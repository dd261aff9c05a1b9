package dev.millrace.runtime.graph;

import dev.millrace.runtime.api.OutputTag;

/**
 * An exchange between two vertices: records of one operator of the source vertex (its main output, or a
 * side output) to the head of the target vertex, partitioned.
 *
 * @param id           the edge id, unique in the job
 * @param sourceVertex the sending vertex
 * @param sourceNode   the sending operator in that vertex's chain
 * @param targetVertex the receiving vertex (its head operator)
 * @param partitioning how records are spread over the receiving instances
 * @param tag          the side output carried, or null for the main output
 */
public record JobEdge(int id, int sourceVertex, int sourceNode, int targetVertex, Partitioning partitioning,
                      OutputTag<?> tag)
{
}
