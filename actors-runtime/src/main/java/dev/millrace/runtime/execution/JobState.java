package dev.millrace.runtime.execution;

/** Where a job is in its life. */
public enum JobState
{
    /** Instances are being created. */
    CREATED,
    /** Instances are running. */
    RUNNING,
    /** Every instance finished its input. */
    FINISHED,
    /** An instance failed; the others were stopped. */
    FAILED,
    /** Cancelled on request. */
    CANCELED;

    /** @return whether the job is over */
    public boolean isTerminal()
    {
        return this == FINISHED || this == FAILED || this == CANCELED;
    }
}
