package dev.millrace.multinode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Plays a fault schedule ({@link FaultStep}s) against a {@link LocalCluster} while workloads ({@link Workload}: e.g.
 * verifiable producers and consumers) run in the background, then stops the workloads and collects their outcomes.
 *
 * <pre>{@code
 * ScenarioResult result = Scenario.builder(cluster)
 *     .workload(producer)
 *     .step(FaultStep.await("first acks", Duration.ofSeconds(30), () -> producer.acked() > 100))
 *     .step(FaultStep.restart(1))
 *     .step(FaultStep.restartAll())
 *     .run();
 * List<SendResult> sent = result.outcome(producer);
 * }</pre>
 *
 * <p>Everything is bounded: the schedule as a whole ({@code timeout}), each {@link FaultStep.Await} and node start
 * ({@code readyTimeout}), and the wait for each workload once it was told to stop ({@code stopTimeout}; a workload
 * still running then is interrupted and reported as not finished). A failed step ends the schedule; the workloads
 * are stopped and collected all the same, and {@link ScenarioResult#failure} holds the cause. Faults go to the
 * nodes by pid ({@link NodeProcess}); the scenario starts no process of its own but the nodes' restarts.
 *
 * <p>{@link #run} runs the schedule on the calling thread and each workload on a daemon thread of its own; a
 * scenario can run once.
 */
public final class Scenario
{
    private static final long POLL_MS = 100;

    private final LocalCluster cluster;
    private final List<Workload<?>> workloads;
    private final List<FaultStep> steps;
    private final Duration timeout;
    private final Duration readyTimeout;
    private final Duration stopTimeout;
    private final Map<Workload<?>, Future<?>> running = new LinkedHashMap<>();
    private final List<String> log = new ArrayList<>();
    private long startNs;
    private boolean ran;

    private Scenario(final Builder builder)
    {
        this.cluster = builder.cluster;
        this.workloads = List.copyOf(builder.workloads);
        this.steps = List.copyOf(builder.steps);
        this.timeout = builder.timeout;
        this.readyTimeout = builder.readyTimeout;
        this.stopTimeout = builder.stopTimeout;
    }

    /** A scenario on {@code cluster}. */
    public static Builder builder(final LocalCluster cluster)
    {
        return new Builder(cluster);
    }

    /**
     * Starts the workloads, plays the steps, stops the workloads and waits (bounded) for their outcomes.
     *
     * @throws IllegalStateException when run a second time.
     */
    public ScenarioResult run()
    {
        if (ran)
        {
            throw new IllegalStateException("a scenario runs once");
        }
        ran = true;
        startNs = System.nanoTime();
        final AtomicInteger threads = new AtomicInteger();
        final ExecutorService executor = Executors.newCachedThreadPool(task ->
        {
            final Thread thread = new Thread(task, "scenario-workload-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        final Map<String, Object> outcomes = new LinkedHashMap<>();
        final Map<String, Throwable> failures = new LinkedHashMap<>();
        Throwable failure = null;
        try
        {
            for (final Workload<?> workload : workloads)
            {
                running.put(workload, executor.submit(workload));
                log("started " + workload.name());
            }
            final long deadlineNs = startNs + timeout.toNanos();
            for (final FaultStep step : steps)
            {
                if (System.nanoTime() - deadlineNs >= 0)
                {
                    throw new TimeoutException("the schedule took longer than " + timeout + "; not played: " + step);
                }
                play(step, deadlineNs);
            }
        }
        catch (final Exception | AssertionError ex)
        {
            failure = ex;
            log("FAILED: " + ex);
        }
        finally
        {
            workloads.forEach(Workload::stop);
            for (final Map.Entry<Workload<?>, Future<?>> entry : running.entrySet())
            {
                collect(entry.getKey(), entry.getValue(), outcomes, failures);
            }
            executor.shutdownNow();
        }
        return new ScenarioResult(log, outcomes, failures, failure);
    }

    private void play(final FaultStep step, final long deadlineNs) throws Exception
    {
        if (step instanceof FaultStep.Kill kill)
        {
            final NodeProcess node = cluster.node(kill.node());
            final long pid = node.pid();
            node.kill();
            log("killed node " + kill.node() + " (SIGKILL pid " + pid + ")");
        }
        else if (step instanceof FaultStep.Pause pause)
        {
            cluster.node(pause.node()).pause();
            log("paused node " + pause.node() + " (SIGSTOP pid " + cluster.node(pause.node()).pid() + ")");
        }
        else if (step instanceof FaultStep.Resume resume)
        {
            cluster.node(resume.node()).resume();
            log("resumed node " + resume.node() + " (SIGCONT pid " + cluster.node(resume.node()).pid() + ")");
        }
        else if (step instanceof FaultStep.PauseFor pauseFor)
        {
            final NodeProcess node = cluster.node(pauseFor.node());
            node.pause();
            log("paused node " + pauseFor.node() + " (SIGSTOP pid " + node.pid() + ") for " + pauseFor.duration());
            try
            {
                sleep(pauseFor.duration(), deadlineNs);
            }
            finally
            {
                node.resume();
                log("resumed node " + pauseFor.node() + " (SIGCONT pid " + node.pid() + ")");
            }
        }
        else if (step instanceof FaultStep.Stop stop)
        {
            final NodeProcess node = cluster.node(stop.node());
            final long pid = node.pid();
            node.stop(stop.grace());
            log("stopped node " + stop.node() + " (SIGTERM pid " + pid + ")");
        }
        else if (step instanceof FaultStep.Restart restart)
        {
            final NodeProcess node = cluster.node(restart.node());
            if (node.isAlive())
            {
                final long pid = node.pid();
                node.kill();
                log("killed node " + restart.node() + " (SIGKILL pid " + pid + ")");
            }
            node.restart();
            node.awaitReady(bounded(readyTimeout, deadlineNs));
            log("restarted node " + restart.node() + " (pid " + node.pid() + "), ready");
        }
        else if (step instanceof FaultStep.RestartAll)
        {
            for (final NodeProcess node : cluster.nodes())
            {
                if (node.isAlive())
                {
                    final long pid = node.pid();
                    node.kill();
                    log("killed node " + node.index() + " (SIGKILL pid " + pid + ")");
                }
            }
            cluster.nodes().forEach(NodeProcess::restart);
            for (final NodeProcess node : cluster.nodes())
            {
                node.awaitReady(bounded(readyTimeout, deadlineNs));
            }
            log("restarted every node, all ready");
        }
        else if (step instanceof FaultStep.Cut cut)
        {
            cluster.cut(cut.a(), cut.b());
            log("cut the network between nodes " + cut.a() + " and " + cut.b());
        }
        else if (step instanceof FaultStep.Heal heal)
        {
            cluster.heal(heal.a(), heal.b());
            log("healed the network between nodes " + heal.a() + " and " + heal.b());
        }
        else if (step instanceof FaultStep.Wait wait)
        {
            sleep(wait.duration(), deadlineNs);
            log("waited " + wait.duration());
        }
        else if (step instanceof FaultStep.Await await)
        {
            awaitCondition(await, deadlineNs);
        }
        else if (step instanceof FaultStep.Finish finish)
        {
            final Future<?> future = running.get(finish.workload());
            if (future == null)
            {
                throw new IllegalArgumentException(finish.workload().name() + " is not a workload of this scenario");
            }
            finish.workload().stop();
            future.get(bounded(stopTimeout, deadlineNs).toMillis(), TimeUnit.MILLISECONDS);
            log("finished " + finish.workload().name());
        }
        else if (step instanceof FaultStep.Action action)
        {
            action.action().run();
            log(action.description());
        }
        else
        {
            throw new IllegalArgumentException("unknown step " + step);
        }
    }

    private void awaitCondition(final FaultStep.Await await, final long deadlineNs) throws TimeoutException, InterruptedException
    {
        final long stepStartNs = System.nanoTime();
        final long untilNs = stepStartNs + bounded(await.timeout(), deadlineNs).toNanos();
        while (!await.condition().getAsBoolean())
        {
            if (System.nanoTime() - untilNs >= 0)
            {
                throw new TimeoutException("not within " + await.timeout() + ": " + await.description());
            }
            TimeUnit.MILLISECONDS.sleep(POLL_MS);
        }
        log(await.description() + " (after " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stepStartNs) + " ms)");
    }

    private void collect(
        final Workload<?> workload, final Future<?> future, final Map<String, Object> outcomes, final Map<String, Throwable> failures)
    {
        try
        {
            outcomes.put(workload.name(), future.get(stopTimeout.toMillis(), TimeUnit.MILLISECONDS));
        }
        catch (final ExecutionException ex)
        {
            failures.put(workload.name(), ex.getCause());
            log(workload.name() + " failed: " + ex.getCause());
        }
        catch (final TimeoutException ex)
        {
            future.cancel(true);
            failures.put(workload.name(), new TimeoutException(workload.name() + " did not finish within " + stopTimeout +
                " of being stopped"));
            log(workload.name() + " did not finish within " + stopTimeout + "; interrupted");
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            future.cancel(true);
            failures.put(workload.name(), ex);
        }
    }

    /** Let time pass (the workloads run meanwhile), but not past the schedule's deadline. */
    private static void sleep(final Duration duration, final long deadlineNs) throws InterruptedException
    {
        TimeUnit.NANOSECONDS.sleep(bounded(duration, deadlineNs).toNanos());
    }

    private static Duration bounded(final Duration duration, final long deadlineNs)
    {
        final long leftNs = Math.max(1, deadlineNs - System.nanoTime());
        return Duration.ofNanos(Math.min(duration.toNanos(), leftNs));
    }

    private void log(final String line)
    {
        final String entry = String.format("+%.3fs %s", (System.nanoTime() - startNs) / 1e9, line);
        log.add(entry);
        System.out.println("scenario " + entry);
    }

    /** How to build a {@link Scenario}. */
    public static final class Builder
    {
        private final LocalCluster cluster;
        private final List<Workload<?>> workloads = new ArrayList<>();
        private final List<FaultStep> steps = new ArrayList<>();
        private Duration timeout = Duration.ofMinutes(5);
        private Duration readyTimeout = Duration.ofSeconds(90);
        private Duration stopTimeout = Duration.ofSeconds(60);

        private Builder(final LocalCluster cluster)
        {
            this.cluster = Objects.requireNonNull(cluster, "cluster");
        }

        /** A workload to run in the background from the start; names must be unique. */
        public Builder workload(final Workload<?> workload)
        {
            Objects.requireNonNull(workload, "workload");
            if (workloads.stream().anyMatch(w -> w.name().equals(workload.name())))
            {
                throw new IllegalArgumentException("two workloads named " + workload.name());
            }
            workloads.add(workload);
            return this;
        }

        /** The next step of the schedule. */
        public Builder step(final FaultStep step)
        {
            final int node = nodeOf(Objects.requireNonNull(step, "step"));
            if (node >= cluster.nodes().size())
            {
                throw new IllegalArgumentException(step + " names node " + node + " but the cluster has " +
                    cluster.nodes().size() + " nodes");
            }
            steps.add(step);
            return this;
        }

        /** The next steps of the schedule, in order. */
        public Builder steps(final List<FaultStep> more)
        {
            more.forEach(this::step);
            return this;
        }

        /** How long the whole schedule may take (default 5 min). */
        public Builder timeout(final Duration duration)
        {
            this.timeout = positive(duration, "timeout");
            return this;
        }

        /** How long a restarted node may take to be ready (default 90 s). */
        public Builder readyTimeout(final Duration duration)
        {
            this.readyTimeout = positive(duration, "readyTimeout");
            return this;
        }

        /** How long a stopped workload may take to return its outcome (default 60 s). */
        public Builder stopTimeout(final Duration duration)
        {
            this.stopTimeout = positive(duration, "stopTimeout");
            return this;
        }

        /** Builds the scenario and runs it. */
        public ScenarioResult run()
        {
            return new Scenario(this).run();
        }

        private static int nodeOf(final FaultStep step)
        {
            if (step instanceof FaultStep.Kill s)
            {
                return s.node();
            }
            if (step instanceof FaultStep.Pause s)
            {
                return s.node();
            }
            if (step instanceof FaultStep.Resume s)
            {
                return s.node();
            }
            if (step instanceof FaultStep.PauseFor s)
            {
                return s.node();
            }
            if (step instanceof FaultStep.Stop s)
            {
                return s.node();
            }
            if (step instanceof FaultStep.Restart s)
            {
                return s.node();
            }
            if (step instanceof FaultStep.Cut s)
            {
                return Math.max(s.a(), s.b());
            }
            if (step instanceof FaultStep.Heal s)
            {
                return Math.max(s.a(), s.b());
            }
            return -1;
        }

        private static Duration positive(final Duration duration, final String what)
        {
            if (duration == null || duration.isNegative() || duration.isZero())
            {
                throw new IllegalArgumentException(what + " must be a positive duration but was " + duration);
            }
            return duration;
        }
    }
}
