package dev.millrace.runtime.state;

/**
 * Carries a checked exception thrown by user code through runtime paths that cannot declare it. The job's
 * failure reports the wrapped cause, not this wrapper.
 */
public final class UserCodeException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param cause the user code's exception
     */
    public UserCodeException(final Throwable cause)
    {
        super(cause);
    }

    /**
     * @param failure any throwable
     * @return the user code's own exception when {@code failure} is a wrapper, else {@code failure}
     */
    public static Throwable unwrap(final Throwable failure)
    {
        Throwable current = failure;
        while (current instanceof UserCodeException && current.getCause() != null)
        {
            current = current.getCause();
        }
        return current;
    }
}
