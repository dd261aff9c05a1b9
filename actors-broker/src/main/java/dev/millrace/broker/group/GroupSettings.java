package dev.millrace.broker.group;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import java.time.Duration;

/**
 * Settings of the group coordinators, read from {@value #PATH} (defaults and documentation in actors-broker's
 * {@code reference.conf}) and validated on creation: a bad value fails fast naming its key.
 *
 * @param minSessionTimeoutMs            smallest session timeout a member may ask for (Kafka's
 *                                       {@code group.min.session.timeout.ms})
 * @param maxSessionTimeoutMs            largest session timeout a member may ask for
 *                                       ({@code group.max.session.timeout.ms})
 * @param offsetsRetentionMs             how long an empty group's committed offsets are kept after their commit
 *                                       ({@code offsets.retention.minutes})
 * @param offsetsRetentionCheckIntervalMs how often expired offsets are looked for
 *                                       ({@code offsets.retention.check.interval.ms})
 * @param initialRebalanceDelayMs       how long the first rebalance of an empty group waits for more members
 *                                       before it can complete ({@code group.initial.rebalance.delay.ms}; 0 = none)
 * @param snapshotEveryEvents            a snapshot of the group is saved every this many events
 */
public record GroupSettings(
    long minSessionTimeoutMs,
    long maxSessionTimeoutMs,
    long offsetsRetentionMs,
    long offsetsRetentionCheckIntervalMs,
    long initialRebalanceDelayMs,
    int snapshotEveryEvents)
{
    /** Configuration path of the group coordinator settings. */
    public static final String PATH = "millrace.broker.group";

    /**
     * Validates the values.
     */
    public GroupSettings
    {
        requirePositive("min-session-timeout", minSessionTimeoutMs);
        requirePositive("max-session-timeout", maxSessionTimeoutMs);
        if (maxSessionTimeoutMs < minSessionTimeoutMs)
        {
            throw new ConfigException.BadValue(PATH + ".max-session-timeout",
                "must be >= " + PATH + ".min-session-timeout (" + minSessionTimeoutMs + " ms), was "
                + maxSessionTimeoutMs + " ms");
        }
        requirePositive("offsets-retention", offsetsRetentionMs);
        requirePositive("offsets-retention-check-interval", offsetsRetentionCheckIntervalMs);
        if (initialRebalanceDelayMs < 0)
        {
            throw new ConfigException.BadValue(PATH + ".initial-rebalance-delay",
                "must be >= 0, was " + initialRebalanceDelayMs);
        }
        requirePositive("snapshot-every-events", snapshotEveryEvents);
    }

    /**
     * @param config the actor system's configuration
     * @return the validated settings under {@value #PATH}
     * @throws ConfigException naming the key of a missing or bad value
     */
    public static GroupSettings fromConfig(final Config config)
    {
        final Config group = config.getConfig(PATH);
        return new GroupSettings(
            millis(group, "min-session-timeout"),
            millis(group, "max-session-timeout"),
            millis(group, "offsets-retention"),
            millis(group, "offsets-retention-check-interval"),
            millis(group, "initial-rebalance-delay"),
            group.getInt("snapshot-every-events"));
    }

    /**
     * @return Kafka's defaults: sessions 6 s to 30 min, offsets kept 7 days, checked every 10 min, first
     *         rebalance delayed 3 s
     */
    public static GroupSettings defaults()
    {
        return new GroupSettings(6_000, 1_800_000, Duration.ofDays(7).toMillis(), 600_000, 3_000, 1_000);
    }

    /**
     * @param delayMs the new initial rebalance delay
     * @return these settings with another initial rebalance delay
     */
    public GroupSettings withInitialRebalanceDelayMs(final long delayMs)
    {
        return new GroupSettings(minSessionTimeoutMs, maxSessionTimeoutMs, offsetsRetentionMs,
            offsetsRetentionCheckIntervalMs, delayMs, snapshotEveryEvents);
    }

    private static long millis(final Config config, final String key)
    {
        try
        {
            return config.getDuration(key).toMillis();
        }
        catch (final ConfigException.BadValue | ConfigException.WrongType e)
        {
            throw new ConfigException.BadValue(PATH + "." + key, "expected a duration such as 30s or 7d", e);
        }
    }

    private static void requirePositive(final String key, final long value)
    {
        if (value <= 0)
        {
            throw new ConfigException.BadValue(PATH + "." + key, "must be > 0, was " + value);
        }
    }
}
