package dev.millrace.runtime.api;

import java.util.function.LongFunction;
import java.util.function.ToLongFunction;

/**
 * Emits {@code generator(i)} for every index {@code i} in {@code [0, count)}; instance {@code s} of {@code p}
 * emits the indexes {@code s, s + p, s + 2p, ...} in increasing order, so the output depends only on the
 * generator, not on the parallelism or the timing. Position: the next index this instance emits.
 *
 * @param <T> record type
 */
public final class GeneratorSource<T> implements Source<T>
{
    private final long count;
    private final LongFunction<T> generator;
    private final ToLongFunction<T> timestamps;

    /**
     * @param count     number of records ({@code Long.MAX_VALUE} for an unbounded stream)
     * @param generator the record at an index: must be a pure function of the index and thread-safe
     */
    public GeneratorSource(final long count, final LongFunction<T> generator)
    {
        this(count, generator, null);
    }

    /**
     * @param count      number of records
     * @param generator  the record at an index: must be a pure function of the index and thread-safe
     * @param timestamps the event time of a record, attached at the source (null: none)
     */
    public GeneratorSource(final long count, final LongFunction<T> generator, final ToLongFunction<T> timestamps)
    {
        if (count < 0)
        {
            throw new IllegalArgumentException("count must not be negative: " + count);
        }
        this.count = count;
        this.generator = generator;
        this.timestamps = timestamps;
    }

    @Override
    public SourceReader<T> createReader(final int subtaskIndex, final int parallelism)
    {
        return new Reader(subtaskIndex, parallelism);
    }

    private final class Reader implements SourceReader<T>
    {
        private final int stride;
        private long next;

        Reader(final int subtaskIndex, final int parallelism)
        {
            this.stride = parallelism;
            this.next = subtaskIndex;
        }

        @Override
        public int emitBatch(final Output<T> output, final int maxRecords)
        {
            if (next >= count)
            {
                return -1;
            }
            int emitted = 0;
            while (emitted < maxRecords && next < count)
            {
                final T record = generator.apply(next);
                output.collect(record, timestamps == null ? Long.MIN_VALUE : timestamps.applyAsLong(record));
                next += stride;
                emitted++;
            }
            return emitted;
        }

        @Override
        public Object position()
        {
            return next;
        }

        @Override
        public void seek(final Object position)
        {
            next = (Long) position;
        }
    }
}
