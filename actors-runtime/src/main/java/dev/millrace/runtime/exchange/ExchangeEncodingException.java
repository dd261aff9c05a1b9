package dev.millrace.runtime.exchange;

/**
 * A buffer for (or from) another node could not be encoded or decoded: a record Kryo cannot write or read,
 * a class missing on the receiving node, or a buffer larger than a remote message may be. Fails the
 * instance that met it, and so the job, naming the cause.
 */
public final class ExchangeEncodingException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** @param message what went wrong */
    public ExchangeEncodingException(final String message)
    {
        super(message);
    }

    /** @param message what went wrong @param cause Kryo's exception */
    public ExchangeEncodingException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
