package dev.millrace.runtime.windows;

/**
 * A group of a key's records that is evaluated together: a {@link TimeWindow} (an interval of event or
 * processing time) or the {@link GlobalWindow} (all of a key's records, fired by count or custom triggers).
 * Windows are map keys in keyed state and timer namespaces, so they must be immutable values.
 */
public interface Window
{
    /** @return the last millisecond that belongs to the window; results carry it as their timestamp */
    long maxTimestamp();
}
