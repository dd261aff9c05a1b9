package dev.millrace.runtime.time;

/** Constants of event time. */
public final class Watermarks
{
    /** The timestamp of a record that has none. */
    public static final long NO_TIMESTAMP = Long.MIN_VALUE;
    /** Event time before any watermark. */
    public static final long INITIAL = Long.MIN_VALUE;
    /** The watermark a finished input sends: every event-time timer fires. */
    public static final long END_OF_TIME = Long.MAX_VALUE;

    private Watermarks()
    {
    }
}
