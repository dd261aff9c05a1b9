package dev.millrace.runtime.graph;

import dev.millrace.runtime.api.Source;
import dev.millrace.runtime.operators.StreamOperator;
import java.util.function.Supplier;

/**
 * One operator of a vertex's chain: a source (the head of a source vertex) or an operator factory.
 *
 * @param id              the node id (the transformation's id)
 * @param name            its display name
 * @param uid             its stable id for state, or null
 * @param source          the source, for a source node, else null
 * @param operatorFactory makes one operator per instance, for an operator node, else null
 * @param keyed           whether it uses keyed state or timers
 */
public record OperatorNode(int id, String name, String uid, Source<?> source,
                           Supplier<? extends StreamOperator<?, ?>> operatorFactory, boolean keyed)
{
}
