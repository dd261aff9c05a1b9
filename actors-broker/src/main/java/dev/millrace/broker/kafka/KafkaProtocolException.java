package dev.millrace.broker.kafka;

/** A connection sent something that is not a Kafka request this listener can answer: the connection is closed. */
public final class KafkaProtocolException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public KafkaProtocolException(final String message)
    {
        super(message);
    }

    public KafkaProtocolException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
