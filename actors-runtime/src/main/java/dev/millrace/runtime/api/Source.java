package dev.millrace.runtime.api;

/**
 * A stream's origin. Each parallel instance gets its own reader, which owns a disjoint share of the input.
 *
 * @param <T> record type
 */
public interface Source<T>
{
    /**
     * @param subtaskIndex this instance
     * @param parallelism  the number of instances
     * @return the instance's reader
     */
    SourceReader<T> createReader(int subtaskIndex, int parallelism);

    /**
     * @return the largest parallelism the source supports (1 for a collection)
     */
    default int maxParallelism()
    {
        return Integer.MAX_VALUE;
    }
}
