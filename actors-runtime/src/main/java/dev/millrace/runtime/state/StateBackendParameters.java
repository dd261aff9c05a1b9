package dev.millrace.runtime.state;

import java.util.function.LongSupplier;

/**
 * What a {@link StateBackend} needs to create the keyed state of one operator instance.
 *
 * @param operatorName   the operator's name (RocksDB names its directory after it)
 * @param subtaskIndex   the instance
 * @param maxParallelism the job's number of key groups
 * @param keyGroupRange  the key groups the instance owns
 * @param clockMs        the instance's processing-time clock (TTL)
 */
public record StateBackendParameters(String operatorName, int subtaskIndex, int maxParallelism,
                                     KeyGroupRange keyGroupRange, LongSupplier clockMs)
{
}
