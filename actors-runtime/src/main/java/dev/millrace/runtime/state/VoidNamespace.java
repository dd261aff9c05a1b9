package dev.millrace.runtime.state;

/**
 * The namespace of state that is scoped to the key alone (what a keyed function's state handles use). Window
 * operators scope the same state to a window by setting another namespace on the handle
 * ({@link NamespacedState#setCurrentNamespace(Object)}).
 */
public enum VoidNamespace
{
    /** The one void namespace. */
    INSTANCE
}
