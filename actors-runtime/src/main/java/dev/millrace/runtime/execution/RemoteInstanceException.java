package dev.millrace.runtime.execution;

/**
 * An instance's failure that reached the job master from another node: the original exception's class
 * name, message and stack trace as text ({@link FailureCause}). {@link #toString()} reads like the
 * original's ({@code class: message}); {@link #remoteStackTrace()} is where it was thrown.
 *
 * <p>Threading: immutable.
 */
public final class RemoteInstanceException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final transient FailureCause cause;

    /**
     * @param cause the description received
     */
    public RemoteInstanceException(final FailureCause cause)
    {
        super(cause.message(), null, false, false);
        this.cause = cause;
    }

    /** @return the original exception's class name */
    public String remoteClassName()
    {
        return cause.className();
    }

    /** @return the original exception's stack trace, as printed on its node */
    public String remoteStackTrace()
    {
        return cause.stackTrace();
    }

    @Override
    public String toString()
    {
        return cause.toString();
    }
}
