/**
 * The logical plan ({@link dev.millrace.runtime.graph.Transformation}s) and the physical one
 * ({@link dev.millrace.runtime.graph.JobGraph}: vertices of chained operators, edges with partitioners),
 * built and validated by {@link dev.millrace.runtime.graph.JobGraphBuilder}.
 */
package dev.millrace.runtime.graph;
