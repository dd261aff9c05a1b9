package dev.millrace.runtime.state;

/**
 * A value written to keyed state cannot be serialized by the state serializer (Kryo), so it could neither be
 * snapshotted nor stored in RocksDB. Thrown at the first write of a value of that class, on every backend,
 * and fails the job with this exception as the cause.
 */
public final class StateSerializationException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message names the state and the type
     * @param cause   the serializer's error
     */
    public StateSerializationException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
