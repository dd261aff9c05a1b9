package dev.millrace.transport;

/**
 * A transport setting is invalid. The message starts with the full configuration key, says what was found
 * and what is allowed, e.g. {@code millrace.transport.aeron.profile: 'fast' is not one of [small-machine,
 * low-latency]}. Thrown at start-up, before anything is created.
 */
public final class TransportConfigException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    private final String key;

    /**
     * @param key     the full key, e.g. {@code millrace.transport.aeron.profile}.
     * @param problem what is wrong and what is allowed.
     */
    public TransportConfigException(final String key, final String problem)
    {
        super(key + ": " + problem);
        this.key = key;
    }

    /**
     * @param key     the full key.
     * @param problem what is wrong and what is allowed.
     * @param cause   the underlying parse error.
     */
    public TransportConfigException(final String key, final String problem, final Throwable cause)
    {
        super(key + ": " + problem, cause);
        this.key = key;
    }

    /**
     * @return the full configuration key that is wrong.
     */
    public String key()
    {
        return key;
    }
}
