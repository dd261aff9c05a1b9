package dev.millrace.runtime.operators;

import dev.millrace.runtime.state.KeyGroupRange;

/**
 * What the runtime gives an operator of one instance.
 *
 * @param operatorName   the operator's name
 * @param subtaskIndex   this instance
 * @param parallelism    number of instances of the vertex
 * @param maxParallelism the job's number of key groups
 * @param keyGroupRange  the key groups this instance owns
 * @param processingTime the instance's clock and timers
 */
public record OperatorContext(String operatorName, int subtaskIndex, int parallelism, int maxParallelism,
                              KeyGroupRange keyGroupRange, ProcessingTimeService processingTime)
{
}
