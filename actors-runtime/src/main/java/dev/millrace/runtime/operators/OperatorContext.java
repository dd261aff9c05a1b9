package dev.millrace.runtime.operators;

import dev.millrace.runtime.state.KeyGroupRange;
import dev.millrace.runtime.state.StateBackend;
import dev.millrace.runtime.state.StateBackends;

/**
 * What the runtime gives an operator of one instance.
 *
 * @param operatorName   the operator's name
 * @param subtaskIndex   this instance
 * @param parallelism    number of instances of the vertex
 * @param maxParallelism the job's number of key groups
 * @param keyGroupRange  the key groups this instance owns
 * @param processingTime the instance's clock and timers
 * @param stateBackend   where keyed operators keep their state (the job's choice)
 */
public record OperatorContext(String operatorName, int subtaskIndex, int parallelism, int maxParallelism,
                              KeyGroupRange keyGroupRange, ProcessingTimeService processingTime,
                              StateBackend stateBackend)
{
    /**
     * A context with heap state.
     *
     * @param operatorName   the operator's name
     * @param subtaskIndex   this instance
     * @param parallelism    number of instances of the vertex
     * @param maxParallelism the job's number of key groups
     * @param keyGroupRange  the key groups this instance owns
     * @param processingTime the instance's clock and timers
     */
    public OperatorContext(final String operatorName, final int subtaskIndex, final int parallelism,
        final int maxParallelism, final KeyGroupRange keyGroupRange, final ProcessingTimeService processingTime)
    {
        this(operatorName, subtaskIndex, parallelism, maxParallelism, keyGroupRange, processingTime,
            StateBackends.heap());
    }
}
