package dev.millrace.sharding.persistence.quorum;

/**
 * A quorum journal command could not be completed: no leader was reachable in time, or the session was lost before
 * the reply. The message names the voters and what was last seen; retrying later is the remedy (a persistent actor
 * is restarted by its supervisor and recovers from the journal).
 */
public final class QuorumUnavailableException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what failed and why, naming the voters.
     */
    public QuorumUnavailableException(final String message)
    {
        super(message);
    }
}
