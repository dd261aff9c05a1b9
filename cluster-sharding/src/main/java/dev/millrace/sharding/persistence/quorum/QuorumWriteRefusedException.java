package dev.millrace.sharding.persistence.quorum;

/**
 * The voters refused a write because its first sequence number was not the next one of its persistence id: another
 * (newer) writer owns the stream, or this writer's view is stale. Retrying the same write cannot succeed; the
 * persistent actor must recover from the journal (Pekko stops it on the failure, and its supervisor restarts it).
 */
public final class QuorumWriteRefusedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message which write, and which sequence number would have been next.
     */
    public QuorumWriteRefusedException(final String message)
    {
        super(message);
    }
}
