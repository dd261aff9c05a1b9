package dev.millrace.runtime.cluster;

/** A job was refused at submit: its definition does not build, or the cluster lacks the task slots it needs. */
public final class JobRefusedException extends RuntimeException
{
    /**
     * @param message why, precisely
     * @param cause   the underlying exception, or null
     */
    public JobRefusedException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
