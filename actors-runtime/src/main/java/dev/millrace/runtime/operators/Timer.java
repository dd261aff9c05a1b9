package dev.millrace.runtime.operators;

/**
 * A registered timer: a time, the key it belongs to, and a namespace (the window for window timers, a
 * fixed marker for user timers). Equal timers are registered once. Part of the operator's state.
 *
 * @param timestampMs when it fires
 * @param key         the key it fires for
 * @param namespace   what it is about
 */
public record Timer(long timestampMs, Object key, Object namespace)
{
}
