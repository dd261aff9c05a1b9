package dev.millrace.runtime.time;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * How a stream gets event time: a timestamp assigner, a watermark generator (one per instance) and an
 * optional idleness timeout. Immutable; the {@code with...} methods return new strategies.
 *
 * @param <T> record type
 */
public final class WatermarkStrategy<T>
{
    private final Supplier<WatermarkGenerator<T>> generatorFactory;
    private final TimestampAssigner<T> timestampAssigner;
    private final Duration idleness;

    private WatermarkStrategy(final Supplier<WatermarkGenerator<T>> generatorFactory,
        final TimestampAssigner<T> timestampAssigner, final Duration idleness)
    {
        this.generatorFactory = generatorFactory;
        this.timestampAssigner = timestampAssigner;
        this.idleness = idleness;
    }

    /**
     * @param maxOutOfOrderness the largest delay of a record behind the newest one
     * @param <T>               record type
     * @return the strategy, taking the records' existing timestamps until {@link #withTimestampAssigner}
     */
    public static <T> WatermarkStrategy<T> forBoundedOutOfOrderness(final Duration maxOutOfOrderness)
    {
        new BoundedOutOfOrdernessWatermarks<T>(maxOutOfOrderness); // validates now, not in the job
        return new WatermarkStrategy<>(() -> new BoundedOutOfOrdernessWatermarks<>(maxOutOfOrderness),
            (element, recordTimestamp) -> recordTimestamp, null);
    }

    /**
     * @param <T> record type
     * @return a strategy for timestamps that never decrease
     */
    public static <T> WatermarkStrategy<T> forMonotonousTimestamps()
    {
        return forBoundedOutOfOrderness(Duration.ZERO);
    }

    /**
     * @param generatorFactory makes one generator per instance
     * @param <T>              record type
     * @return a custom strategy
     */
    public static <T> WatermarkStrategy<T> forGenerator(final Supplier<WatermarkGenerator<T>> generatorFactory)
    {
        return new WatermarkStrategy<>(generatorFactory, (element, recordTimestamp) -> recordTimestamp, null);
    }

    /**
     * @param assigner reads each record's event time
     * @return this strategy with the assigner
     */
    public WatermarkStrategy<T> withTimestampAssigner(final TimestampAssigner<T> assigner)
    {
        return new WatermarkStrategy<>(generatorFactory, assigner, idleness);
    }

    /**
     * @param timeout an input without records for this long (processing time) is marked idle, so it does not
     *                hold back event time downstream; it becomes active with its next record
     * @return this strategy with idleness detection
     */
    public WatermarkStrategy<T> withIdleness(final Duration timeout)
    {
        if (timeout.isNegative() || timeout.isZero())
        {
            throw new IllegalArgumentException("idleness timeout must be positive: " + timeout);
        }
        return new WatermarkStrategy<>(generatorFactory, timestampAssigner, timeout);
    }

    /** @return a new generator for one instance */
    public WatermarkGenerator<T> createGenerator()
    {
        return generatorFactory.get();
    }

    /** @return the timestamp assigner */
    public TimestampAssigner<T> timestampAssigner()
    {
        return timestampAssigner;
    }

    /** @return the idleness timeout, or null when idleness is not detected */
    public Duration idleness()
    {
        return idleness;
    }
}
