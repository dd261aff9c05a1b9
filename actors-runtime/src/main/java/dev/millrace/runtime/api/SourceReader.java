package dev.millrace.runtime.api;

/**
 * Reads one instance's share of a source in batches. Its position is state: {@link #position()} is what a
 * checkpoint stores and {@link #seek(Object)} what a restore calls, so a restarted instance continues where
 * the snapshot was taken.
 *
 * <p>Threading: confined to its instance.
 *
 * @param <T> record type
 */
public interface SourceReader<T>
{
    /** Receives a batch's records. */
    interface Output<T>
    {
        /**
         * @param record      a record
         * @param timestampMs its event time, or {@code Long.MIN_VALUE} when the stream gets timestamps later
         */
        void collect(T record, long timestampMs);

        /**
         * Emits event time from the source itself (a source that tracks it per split, e.g. per log partition).
         * The runtime's output forwards it; a plain collector ignores it.
         *
         * @param watermarkMs no record at or below it will follow
         */
        default void emitWatermark(final long watermarkMs)
        {
        }

        /**
         * @param idle whether this instance's input has gone idle (or active again); the runtime forwards it
         */
        default void emitStatus(final boolean idle)
        {
        }
    }

    /**
     * Emits up to {@code maxRecords} records. Must not block: a source with nothing at hand returns 0 and
     * is asked again later.
     *
     * @param output     receives the records
     * @param maxRecords most records to emit now
     * @return the number emitted, or -1 when the input is exhausted (nothing more will come)
     * @throws Exception fails the job
     */
    int emitBatch(Output<T> output, int maxRecords) throws Exception;

    /** @return the reader's position (a plain value: Long, record, collection) */
    Object position();

    /** @param position a value from {@link #position()} to continue from */
    void seek(Object position);
}
