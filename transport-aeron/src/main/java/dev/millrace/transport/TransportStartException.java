package dev.millrace.transport;

/**
 * The embedded media driver or its client could not start. By the time this is thrown everything the failed
 * start created has been released: driver and client threads stopped, and the Aeron directory removed when
 * this start created it. The message says what to do (a JVM flag to add, a directory to fix, another driver
 * to stop).
 */
public final class TransportStartException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed and what to do.
     * @param cause   the underlying failure, may be null.
     */
    public TransportStartException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
