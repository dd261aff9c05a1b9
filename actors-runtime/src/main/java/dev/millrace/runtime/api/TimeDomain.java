package dev.millrace.runtime.api;

/** Which clock fired a timer. */
public enum TimeDomain
{
    /** The watermark passed the timer's timestamp. */
    EVENT_TIME,
    /** The instance's clock passed the timer's timestamp. */
    PROCESSING_TIME
}
