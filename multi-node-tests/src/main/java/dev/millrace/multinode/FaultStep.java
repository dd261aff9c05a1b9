package dev.millrace.multinode;

import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * One step of a {@link Scenario}'s fault schedule. The steps act on the scenario's {@link LocalCluster} by node index
 * and send their signals by pid ({@link NodeProcess}); a {@link Scenario} plays them in order, each bounded in time.
 *
 * <p>Steps: {@link Kill} (SIGKILL), {@link Pause} (SIGSTOP), {@link Resume} (SIGCONT), {@link PauseFor} (SIGSTOP, wait,
 * SIGCONT), {@link Stop} (SIGTERM, a graceful leave), {@link Restart} (a new JVM on the same data directory, killing
 * the old one first if it still runs, then waiting until it is ready), {@link RestartAll} (every node killed, then
 * every node started again at once), {@link Cut} and {@link Heal} (the Pekko traffic between two nodes dropped or
 * restored; needs {@link LocalCluster.Builder#networkFaults()}), {@link Wait} (let time pass while the workloads run), {@link Await} (a condition,
 * polled until it holds, failing the scenario after its timeout), {@link Finish} (stop a workload and wait for its
 * outcome) and {@link Action} (anything else, e.g. reading a figure for a later condition).
 */
public sealed interface FaultStep permits FaultStep.Kill, FaultStep.Pause, FaultStep.Resume, FaultStep.PauseFor,
    FaultStep.Stop, FaultStep.Restart, FaultStep.RestartAll, FaultStep.Wait, FaultStep.Await, FaultStep.Finish, FaultStep.Action,
    FaultStep.Cut, FaultStep.Heal
{
    /** SIGKILL node {@code node}. */
    static FaultStep kill(final int node)
    {
        return new Kill(node);
    }

    /** SIGSTOP node {@code node}. */
    static FaultStep pause(final int node)
    {
        return new Pause(node);
    }

    /** SIGCONT node {@code node}. */
    static FaultStep resume(final int node)
    {
        return new Resume(node);
    }

    /** SIGSTOP node {@code node}, wait {@code duration}, SIGCONT it. */
    static FaultStep pauseFor(final int node, final Duration duration)
    {
        return new PauseFor(node, duration);
    }

    /** SIGTERM node {@code node}, SIGKILL after {@code grace}. */
    static FaultStep stop(final int node, final Duration grace)
    {
        return new Stop(node, grace);
    }

    /** Restart node {@code node} (SIGKILL first if it runs) and wait until it is ready. */
    static FaultStep restart(final int node)
    {
        return new Restart(node);
    }

    /** SIGKILL every running node, then start them all at once and wait until each is ready. */
    static FaultStep restartAll()
    {
        return new RestartAll();
    }

    /** Cut the Pekko traffic between nodes {@code a} and {@code b} ({@link LocalCluster#cut}). */
    static FaultStep cut(final int a, final int b)
    {
        return new Cut(a, b);
    }

    /** Restore the Pekko traffic between nodes {@code a} and {@code b} ({@link LocalCluster#heal}). */
    static FaultStep heal(final int a, final int b)
    {
        return new Heal(a, b);
    }

    /** Let {@code duration} pass. */
    static FaultStep waitFor(final Duration duration)
    {
        return new Wait(duration);
    }

    /** Poll {@code condition} until it holds; the scenario fails if it does not within {@code timeout}. */
    static FaultStep await(final String description, final Duration timeout, final BooleanSupplier condition)
    {
        return new Await(description, timeout, condition);
    }

    /** Stop {@code workload} and wait for its outcome. */
    static FaultStep finish(final Workload<?> workload)
    {
        return new Finish(workload);
    }

    /** Run {@code action}; it must be quick. */
    static FaultStep action(final String description, final Runnable action)
    {
        return new Action(description, action);
    }

    /** @param node the node's index. */
    record Kill(int node) implements FaultStep
    {
        public Kill
        {
            nonNegative(node);
        }
    }

    /** @param node the node's index. */
    record Pause(int node) implements FaultStep
    {
        public Pause
        {
            nonNegative(node);
        }
    }

    /** @param node the node's index. */
    record Resume(int node) implements FaultStep
    {
        public Resume
        {
            nonNegative(node);
        }
    }

    /**
     * @param node     the node's index.
     * @param duration how long it stays stopped.
     */
    record PauseFor(int node, Duration duration) implements FaultStep
    {
        public PauseFor
        {
            nonNegative(node);
            positive(duration);
        }
    }

    /**
     * @param node  the node's index.
     * @param grace how long it may take to leave before it is killed.
     */
    record Stop(int node, Duration grace) implements FaultStep
    {
        public Stop
        {
            nonNegative(node);
            positive(grace);
        }
    }

    /** @param node the node's index. */
    record Restart(int node) implements FaultStep
    {
        public Restart
        {
            nonNegative(node);
        }
    }

    /** Every node killed, then all started at once. */
    record RestartAll() implements FaultStep
    {
    }

    /**
     * @param a one node's index.
     * @param b the other's, not {@code a}.
     */
    record Cut(int a, int b) implements FaultStep
    {
        public Cut
        {
            pair(a, b);
        }
    }

    /**
     * @param a one node's index.
     * @param b the other's, not {@code a}.
     */
    record Heal(int a, int b) implements FaultStep
    {
        public Heal
        {
            pair(a, b);
        }
    }

    /** @param duration how long to let pass. */
    record Wait(Duration duration) implements FaultStep
    {
        public Wait
        {
            positive(duration);
        }
    }

    /**
     * @param description what must hold, for the log and the failure message.
     * @param timeout     how long it may take.
     * @param condition   polled every 100 ms; must be quick and must not throw.
     */
    record Await(String description, Duration timeout, BooleanSupplier condition) implements FaultStep
    {
        public Await
        {
            Objects.requireNonNull(description, "description");
            positive(timeout);
            Objects.requireNonNull(condition, "condition");
        }
    }

    /** @param workload one of the scenario's workloads. */
    record Finish(Workload<?> workload) implements FaultStep
    {
        public Finish
        {
            Objects.requireNonNull(workload, "workload");
        }
    }

    /**
     * @param description what it does, for the log.
     * @param action      the action.
     */
    record Action(String description, Runnable action) implements FaultStep
    {
        public Action
        {
            Objects.requireNonNull(description, "description");
            Objects.requireNonNull(action, "action");
        }
    }

    private static void nonNegative(final int node)
    {
        if (node < 0)
        {
            throw new IllegalArgumentException("a node index must be >= 0 but was " + node);
        }
    }

    private static void pair(final int a, final int b)
    {
        nonNegative(a);
        nonNegative(b);
        if (a == b)
        {
            throw new IllegalArgumentException("a cut needs two different nodes but got " + a + " twice");
        }
    }

    private static void positive(final Duration duration)
    {
        if (duration == null || duration.isNegative() || duration.isZero())
        {
            throw new IllegalArgumentException("a step's duration must be positive but was " + duration);
        }
    }
}
