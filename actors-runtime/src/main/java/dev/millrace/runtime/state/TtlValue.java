package dev.millrace.runtime.state;

/**
 * The stored form of a value under {@link StateTtlConfig time-to-live}: the user value and the processing
 * time it was last written (or read, with {@link StateTtlConfig.UpdateType#ON_READ_AND_WRITE}). Value,
 * reducing and aggregating states store one per key; list states one per element; map states one per
 * user value. It is part of the snapshot format.
 *
 * @param value        the user value
 * @param lastAccessMs when it was last written (or read), processing time in ms
 */
public record TtlValue(Object value, long lastAccessMs)
{
}
