package dev.millrace.runtime.time;

/**
 * Decides watermarks from the records seen. Millrace calls {@link #onPeriodicEmit} after every batch of
 * records an instance processes (not on a wall-clock period), which keeps results deterministic for a
 * given input order.
 *
 * @param <T> record type
 */
public interface WatermarkGenerator<T>
{
    /**
     * @param event       the record
     * @param timestampMs its event time
     * @param output      may emit at once (punctuated watermarks)
     */
    void onEvent(T event, long timestampMs, WatermarkOutput output);

    /**
     * @param output where to emit the current watermark, if any
     */
    void onPeriodicEmit(WatermarkOutput output);
}
