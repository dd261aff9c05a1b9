package dev.millrace.runtime.time;

/** Where a {@link WatermarkGenerator} emits. */
public interface WatermarkOutput
{
    /** @param watermarkMs no record with an event time at or below it is expected any more */
    void emitWatermark(long watermarkMs);

    /** This input has no data for now: downstream event time must not wait for it. */
    void markIdle();

    /** This input has data again. */
    void markActive();
}
