package dev.millrace.runtime.api;

/**
 * A stream's origin. Each parallel instance gets its own reader, which owns a disjoint share of the input.
 * A source implements one of the two {@code createReader} methods: the plain one when it needs nothing but its
 * share, the one with a {@link SourceContext} when it needs the actor system (the runtime calls that one).
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
    default SourceReader<T> createReader(final int subtaskIndex, final int parallelism)
    {
        throw new UnsupportedOperationException(getClass().getName() + " needs a SourceContext: "
            + "call createReader(SourceContext)");
    }

    /**
     * @param context the instance: its index, the parallelism and the actor system
     * @return the instance's reader
     */
    default SourceReader<T> createReader(final SourceContext context)
    {
        return createReader(context.subtaskIndex(), context.parallelism());
    }

    /**
     * @return the largest parallelism the source supports (1 for a collection)
     */
    default int maxParallelism()
    {
        return Integer.MAX_VALUE;
    }
}
