package dev.millrace.runtime.windows;

/** What a {@link Trigger} decides for a window: evaluate it, drop its contents, both, or neither. */
public enum TriggerResult
{
    /** Nothing happens. */
    CONTINUE(false, false),
    /** The window function runs over the contents, which are kept (later firings see them again). */
    FIRE(true, false),
    /** The contents are dropped without a result. */
    PURGE(false, true),
    /** The window function runs, then the contents are dropped. */
    FIRE_AND_PURGE(true, true);

    private final boolean fire;
    private final boolean purge;

    TriggerResult(final boolean fire, final boolean purge)
    {
        this.fire = fire;
        this.purge = purge;
    }

    /** @return whether the window is evaluated */
    public boolean isFire()
    {
        return fire;
    }

    /** @return whether its contents are dropped */
    public boolean isPurge()
    {
        return purge;
    }
}
