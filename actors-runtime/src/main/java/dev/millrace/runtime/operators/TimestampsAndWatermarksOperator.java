package dev.millrace.runtime.operators;

import dev.millrace.runtime.time.TimestampAssigner;
import dev.millrace.runtime.time.WatermarkGenerator;
import dev.millrace.runtime.time.WatermarkOutput;
import dev.millrace.runtime.time.WatermarkStrategy;
import dev.millrace.runtime.time.Watermarks;
import java.time.Duration;

/**
 * Gives records their event time and generates watermarks from them. Upstream watermarks are replaced by
 * this operator's own, except the final one ({@link Watermarks#END_OF_TIME}) of a finished input. The
 * generator's periodic emit runs after each batch, so the watermarks depend on the input, not on wall-clock
 * timing. With idleness set, a processing-time check marks the output idle when no record arrived for the
 * timeout, and the next record marks it active again.
 *
 * @param <T> record type
 */
public final class TimestampsAndWatermarksOperator<T> extends StreamOperator<T, T> implements WatermarkOutput
{
    private final WatermarkStrategy<T> strategy;
    private TimestampAssigner<T> assigner;
    private WatermarkGenerator<T> generator;
    private long lastRecordMs;
    private boolean idle;
    private long emittedWatermark = Watermarks.INITIAL;

    /** @param strategy the stream's watermark strategy */
    public TimestampsAndWatermarksOperator(final WatermarkStrategy<T> strategy)
    {
        this.strategy = strategy;
    }

    @Override
    public void open()
    {
        assigner = strategy.timestampAssigner();
        generator = strategy.createGenerator();
        final Duration idleness = strategy.idleness();
        if (idleness != null)
        {
            lastRecordMs = context.processingTime().currentTimeMillis();
            scheduleIdleCheck(idleness.toMillis());
        }
    }

    private void scheduleIdleCheck(final long timeoutMs)
    {
        context.processingTime().registerTimer(context.processingTime().currentTimeMillis() + timeoutMs, now ->
        {
            if (!idle && context.processingTime().currentTimeMillis() - lastRecordMs >= timeoutMs)
            {
                markIdle();
            }
            scheduleIdleCheck(timeoutMs);
        });
    }

    @Override
    public void processElement(final T value, final long recordTimestampMs)
    {
        final long timestampMs = assigner.extractTimestamp(value, recordTimestampMs);
        if (timestampMs < 0)
        {
            throw new IllegalArgumentException("record " + value + " has the negative timestamp " + timestampMs
                + " (operator " + context.operatorName() + "); event time must be epoch milliseconds >= 0");
        }
        if (strategy.idleness() != null)
        {
            lastRecordMs = context.processingTime().currentTimeMillis();
            if (idle)
            {
                markActive();
            }
        }
        generator.onEvent(value, timestampMs, this);
        output.collect(value, timestampMs);
    }

    @Override
    public void processWatermark(final long watermarkMs)
    {
        if (watermarkMs == Watermarks.END_OF_TIME)
        {
            currentWatermark = watermarkMs;
            emitWatermark(watermarkMs);
        }
    }

    @Override
    public void processStatus(final boolean inputIdle)
    {
        // This operator decides the stream's idleness from its own records.
    }

    @Override
    public void onBatchEnd()
    {
        generator.onPeriodicEmit(this);
    }

    @Override
    public void emitWatermark(final long watermarkMs)
    {
        if (watermarkMs > emittedWatermark)
        {
            emittedWatermark = watermarkMs;
            output.emitWatermark(watermarkMs);
        }
    }

    @Override
    public void markIdle()
    {
        if (!idle)
        {
            idle = true;
            output.emitStatus(true);
        }
    }

    @Override
    public void markActive()
    {
        if (idle)
        {
            idle = false;
            output.emitStatus(false);
        }
    }
}
