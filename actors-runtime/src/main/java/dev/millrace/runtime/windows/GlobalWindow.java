package dev.millrace.runtime.windows;

/**
 * The one window that holds all of a key's records ({@link GlobalWindows}). It never ends by time, so it
 * fires only through a trigger (count windows use a {@link CountTrigger}).
 */
public enum GlobalWindow implements Window
{
    /** The only instance. */
    INSTANCE;

    /** @return {@code Long.MAX_VALUE}: the window never ends */
    @Override
    public long maxTimestamp()
    {
        return Long.MAX_VALUE;
    }
}
