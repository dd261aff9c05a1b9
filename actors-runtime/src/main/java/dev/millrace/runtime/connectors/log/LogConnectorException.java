package dev.millrace.runtime.connectors.log;

/**
 * A failure of the log source or sink: an unknown topic, a refused produce or fetch, a broker that did not
 * answer, a record the deserializer could not read. The message names the topic (and partition and offset
 * where there is one) and, for a refusal, the broker's error code and message. It fails the job as its cause.
 */
public final class LogConnectorException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** @param message what failed and where */
    public LogConnectorException(final String message)
    {
        super(message);
    }

    /**
     * @param message what failed and where
     * @param cause   the underlying exception
     */
    public LogConnectorException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
