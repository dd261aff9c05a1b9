package dev.millrace.runtime.api;

import java.util.ArrayList;
import java.util.List;

/**
 * Emits the elements of a list, in order, from a single instance. Position: the index of the next element.
 *
 * @param <T> record type
 */
public final class CollectionSource<T> implements Source<T>
{
    private final List<T> elements;

    /**
     * @param elements the records (copied; no nulls)
     */
    public CollectionSource(final List<T> elements)
    {
        for (final T element : elements)
        {
            if (element == null)
            {
                throw new IllegalArgumentException("a collection source cannot emit null elements");
            }
        }
        this.elements = List.copyOf(new ArrayList<>(elements));
    }

    @Override
    public SourceReader<T> createReader(final int subtaskIndex, final int parallelism)
    {
        return new Reader<>(elements);
    }

    @Override
    public int maxParallelism()
    {
        return 1;
    }

    private static final class Reader<T> implements SourceReader<T>
    {
        private final List<T> elements;
        private int next;

        Reader(final List<T> elements)
        {
            this.elements = elements;
        }

        @Override
        public int emitBatch(final Output<T> output, final int maxRecords)
        {
            if (next >= elements.size())
            {
                return -1;
            }
            final int end = Math.min(elements.size(), next + maxRecords);
            final int emitted = end - next;
            for (; next < end; next++)
            {
                output.collect(elements.get(next), Long.MIN_VALUE);
            }
            return emitted;
        }

        @Override
        public Object position()
        {
            return (long) next;
        }

        @Override
        public void seek(final Object position)
        {
            next = (int) (long) (Long) position;
        }
    }
}
