package dev.millrace.runtime.time;

import java.time.Duration;

/**
 * Watermark = highest event time seen − the allowed delay − 1 ms. A record at most {@code delay} older than
 * the newest record before it is never late. With a zero delay this is the monotonous-timestamps strategy.
 *
 * @param <T> record type
 */
public final class BoundedOutOfOrdernessWatermarks<T> implements WatermarkGenerator<T>
{
    private final long delayMs;
    private long maxTimestampMs;
    private long lastEmittedMs = Watermarks.INITIAL;

    /**
     * @param maxOutOfOrderness the largest delay of a record behind the newest one
     */
    public BoundedOutOfOrdernessWatermarks(final Duration maxOutOfOrderness)
    {
        if (maxOutOfOrderness.isNegative())
        {
            throw new IllegalArgumentException("maxOutOfOrderness must not be negative: " + maxOutOfOrderness);
        }
        this.delayMs = maxOutOfOrderness.toMillis();
        this.maxTimestampMs = Long.MIN_VALUE + delayMs + 1;
    }

    @Override
    public void onEvent(final T event, final long timestampMs, final WatermarkOutput output)
    {
        maxTimestampMs = Math.max(maxTimestampMs, timestampMs);
    }

    @Override
    public void onPeriodicEmit(final WatermarkOutput output)
    {
        final long watermark = maxTimestampMs - delayMs - 1;
        if (watermark > lastEmittedMs)
        {
            lastEmittedMs = watermark;
            output.emitWatermark(watermark);
        }
    }
}
