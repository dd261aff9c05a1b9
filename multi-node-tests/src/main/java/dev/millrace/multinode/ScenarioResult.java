package dev.millrace.multinode;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a {@link Scenario} did: its log (each step with the time since the start), each workload's outcome or failure,
 * and the failure that ended the schedule early, if any. Immutable.
 */
public final class ScenarioResult
{
    private final List<String> log;
    private final Map<String, Object> outcomes;
    private final Map<String, Throwable> failures;
    private final Throwable failure;

    ScenarioResult(final List<String> log, final Map<String, Object> outcomes, final Map<String, Throwable> failures,
        final Throwable failure)
    {
        this.log = List.copyOf(log);
        // Not Map.copyOf: a workload may return null.
        this.outcomes = Collections.unmodifiableMap(new LinkedHashMap<>(outcomes));
        this.failures = Collections.unmodifiableMap(new LinkedHashMap<>(failures));
        this.failure = failure;
    }

    /** The steps played, with their times ({@code +12.345s killed node 1 (SIGKILL pid 4242)}). */
    public List<String> log()
    {
        return log;
    }

    /** Why the schedule stopped before its end, if it did. */
    public Optional<Throwable> failure()
    {
        return Optional.ofNullable(failure);
    }

    /** Throws (with the log in the message) when the schedule failed or a workload failed or did not finish. */
    public ScenarioResult throwIfFailed()
    {
        if (failure != null || !failures.isEmpty())
        {
            final IllegalStateException ex = new IllegalStateException("scenario failed" +
                (failure != null ? ": " + failure : "") + (failures.isEmpty() ? "" : "; workloads failed: " + failures.keySet()) +
                System.lineSeparator() + String.join(System.lineSeparator(), log));
            if (failure != null)
            {
                ex.initCause(failure);
            }
            failures.values().forEach(ex::addSuppressed);
            throw ex;
        }
        return this;
    }

    /**
     * The outcome of {@code workload}.
     *
     * @throws IllegalStateException when it failed or did not finish (the cause attached).
     */
    @SuppressWarnings("unchecked")
    public <T> T outcome(final Workload<T> workload)
    {
        final Throwable failed = failures.get(workload.name());
        if (failed != null)
        {
            throw new IllegalStateException(workload.name() + " failed: " + failed, failed);
        }
        if (!outcomes.containsKey(workload.name()))
        {
            throw new IllegalStateException(workload.name() + " is not a workload of this scenario");
        }
        return (T)outcomes.get(workload.name());
    }
}
