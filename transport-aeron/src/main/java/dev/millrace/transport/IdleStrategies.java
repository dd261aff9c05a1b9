package dev.millrace.transport;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Builds Agrona {@link IdleStrategy} instances from the names used in configuration.
 * <p>
 * Names: {@value #SLEEPING} (park for a fixed period), {@value #BACKOFF} (spin, then yield, then park with an
 * exponentially growing period), {@value #YIELDING} ({@link Thread#yield()}), {@value #BUSY_SPIN} (spin with
 * {@link Thread#onSpinWait()}, burns a core) and {@value #NOOP} (does nothing, burns a core).
 * <p>
 * Threading: the factory is stateless and thread safe. The strategies it returns are <b>not</b>: a
 * {@link BackoffIdleStrategy} keeps per-thread state, so every duty-cycle thread needs its own instance —
 * call {@link #create(String, Params)} once per thread.
 */
public final class IdleStrategies
{
    /** Park for {@link Params#sleepingParkPeriodNs()} between idle duty cycles. */
    public static final String SLEEPING = "sleeping";

    /** Spin, then yield, then park from {@link Params#minParkPeriodNs()} up to {@link Params#maxParkPeriodNs()}. */
    public static final String BACKOFF = "backoff";

    /** {@link Thread#yield()} between idle duty cycles. */
    public static final String YIELDING = "yielding";

    /** Spin with {@link Thread#onSpinWait()}: lowest latency, one core fully used per thread. */
    public static final String BUSY_SPIN = "busy-spin";

    /** Do nothing between duty cycles: one core fully used per thread, no spin hint. */
    public static final String NOOP = "noop";

    /** Every name {@link #create(String, Params)} accepts, in the order shown in error messages. */
    public static final List<String> NAMES = List.of(SLEEPING, BACKOFF, YIELDING, BUSY_SPIN, NOOP);

    /**
     * Parameters for the parking strategies; the spinning ones ignore them.
     *
     * @param sleepingParkPeriodNs park period of {@value #SLEEPING}, in nanoseconds, &gt; 0.
     * @param maxSpins             spins of {@value #BACKOFF} before it starts yielding, &gt;= 0.
     * @param maxYields            yields of {@value #BACKOFF} before it starts parking, &gt;= 0.
     * @param minParkPeriodNs      first park period of {@value #BACKOFF}, in nanoseconds, &gt; 0.
     * @param maxParkPeriodNs      longest park period of {@value #BACKOFF}, in nanoseconds, &gt;= minParkPeriodNs.
     */
    public record Params(
        long sleepingParkPeriodNs, long maxSpins, long maxYields, long minParkPeriodNs, long maxParkPeriodNs)
    {
        /** Defaults: 1 ms sleeping; back-off 10 spins, 5 yields, then parks of 1 µs growing to 1 ms. */
        public static final Params DEFAULTS = new Params(
            TimeUnit.MILLISECONDS.toNanos(1), 10, 5, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));

        /**
         * Checks the ranges given in the record description.
         *
         * @throws IllegalArgumentException naming the first parameter out of range.
         */
        public Params
        {
            if (sleepingParkPeriodNs <= 0)
            {
                throw new IllegalArgumentException("sleeping park period must be > 0 ns: " + sleepingParkPeriodNs);
            }
            if (maxSpins < 0)
            {
                throw new IllegalArgumentException("back-off max spins must be >= 0: " + maxSpins);
            }
            if (maxYields < 0)
            {
                throw new IllegalArgumentException("back-off max yields must be >= 0: " + maxYields);
            }
            if (minParkPeriodNs <= 0)
            {
                throw new IllegalArgumentException("back-off min park period must be > 0 ns: " + minParkPeriodNs);
            }
            if (maxParkPeriodNs < minParkPeriodNs)
            {
                throw new IllegalArgumentException(
                    "back-off max park period (" + maxParkPeriodNs + " ns) must be >= min park period (" +
                    minParkPeriodNs + " ns)");
            }
        }
    }

    private IdleStrategies()
    {
    }

    /**
     * Is this one of {@link #NAMES}?
     *
     * @param name to check.
     * @return true when {@link #create(String, Params)} accepts it.
     */
    public static boolean isKnown(final String name)
    {
        return NAMES.contains(name);
    }

    /**
     * Does the named strategy keep a core busy while idle (never parks)?
     *
     * @param name one of {@link #NAMES}.
     * @return true for {@value #BUSY_SPIN}, {@value #NOOP} and {@value #YIELDING}.
     */
    public static boolean isBusy(final String name)
    {
        return BUSY_SPIN.equals(name) || NOOP.equals(name) || YIELDING.equals(name);
    }

    /**
     * A new strategy for one thread.
     *
     * @param name   one of {@link #NAMES}.
     * @param params for {@value #SLEEPING} and {@value #BACKOFF}.
     * @return a new instance (or the shared stateless singleton for the spinning strategies).
     * @throws IllegalArgumentException if the name is unknown, listing the known names.
     */
    public static IdleStrategy create(final String name, final Params params)
    {
        switch (name)
        {
            case SLEEPING:
                return new SleepingIdleStrategy(params.sleepingParkPeriodNs());

            case BACKOFF:
                return new BackoffIdleStrategy(
                    params.maxSpins(), params.maxYields(), params.minParkPeriodNs(), params.maxParkPeriodNs());

            case YIELDING:
                return YieldingIdleStrategy.INSTANCE;

            case BUSY_SPIN:
                return BusySpinIdleStrategy.INSTANCE;

            case NOOP:
                return NoOpIdleStrategy.INSTANCE;

            default:
                throw new IllegalArgumentException("'" + name + "' is not one of " + NAMES);
        }
    }
}
