package dev.millrace.runtime.execution;

/**
 * How a job ended.
 *
 * @param jobName    the job
 * @param state      {@link JobState#FINISHED}, {@link JobState#FAILED} or {@link JobState#CANCELED}
 * @param failure    the first instance failure's cause (the user code's own exception), or null
 * @param failedIn   which instance failed, as {@code "vertex name (subtask i)"}, or null
 * @param durationMs from start to end
 * @param metrics    the job's exchange counters
 */
public record JobResult(String jobName, JobState state, Throwable failure, String failedIn, long durationMs,
                        ExchangeMetrics metrics)
{
}
