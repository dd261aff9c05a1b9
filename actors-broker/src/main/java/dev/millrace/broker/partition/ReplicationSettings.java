package dev.millrace.broker.partition;

import java.time.Duration;
import java.util.Objects;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

/**
 * The replication knobs of a partition replica ({@code millrace.broker.partition.replication} in
 * {@code reference.conf}, see there and {@code docs/replication.md}), checked at construction.
 *
 * @param replicaLagTimeMax    a follower not caught up for this long leaves the ISR
 * @param fetchMaxWait         how long a leader parks a follower's fetch that finds nothing new
 * @param fetchMaxBytes        soft byte limit of one replica fetch
 * @param fetchBackoff         a follower's pause after a failed fetch
 * @param fetchResponseTimeout how long past {@code fetchMaxWait} a follower waits for an answer before resending
 * @param produceAcksTimeout   how long an acks=all produce waits for the high watermark
 * @param highWatermarkCheckpointInterval how often a replica of a replicated partition writes its high watermark
 */
public record ReplicationSettings(
    Duration replicaLagTimeMax, Duration fetchMaxWait, int fetchMaxBytes, Duration fetchBackoff,
    Duration fetchResponseTimeout, Duration produceAcksTimeout, Duration highWatermarkCheckpointInterval)
{
    /** The configuration section. */
    public static final String CONFIG_PATH = PartitionReplicaSettings.CONFIG_PATH + ".replication";

    /** The defaults of {@code reference.conf}, for single-replica partitions and tools that have no configuration. */
    public static final ReplicationSettings DEFAULTS = new ReplicationSettings(
        Duration.ofSeconds(30), Duration.ofMillis(500), 1024 * 1024, Duration.ofMillis(100), Duration.ofSeconds(5),
        Duration.ofSeconds(8), Duration.ofSeconds(5));

    public ReplicationSettings
    {
        positive("replica-lag-time-max", replicaLagTimeMax);
        Objects.requireNonNull(fetchMaxWait, "fetchMaxWait");
        if (fetchMaxWait.isNegative())
        {
            throw new IllegalArgumentException(CONFIG_PATH + ".fetch-max-wait must be >= 0 but was " + fetchMaxWait);
        }
        if (fetchMaxBytes <= 0)
        {
            throw new IllegalArgumentException(CONFIG_PATH + ".fetch-max-bytes must be > 0 but was " + fetchMaxBytes);
        }
        positive("fetch-backoff", fetchBackoff);
        positive("fetch-response-timeout", fetchResponseTimeout);
        positive("produce-acks-timeout", produceAcksTimeout);
        positive("high-watermark-checkpoint-interval", highWatermarkCheckpointInterval);
    }

    /**
     * The settings in {@code config} (the actor system's configuration).
     *
     * @throws ConfigException.BadValue naming the key of a bad value
     */
    public static ReplicationSettings fromConfig(final Config config)
    {
        final Config section = config.getConfig(CONFIG_PATH);
        final long fetchMaxBytes = section.getBytes("fetch-max-bytes");
        if (fetchMaxBytes <= 0 || fetchMaxBytes > Integer.MAX_VALUE)
        {
            throw new ConfigException.BadValue(CONFIG_PATH + ".fetch-max-bytes", "must be in 1 byte .. 2 GiB");
        }
        try
        {
            return new ReplicationSettings(
                section.getDuration("replica-lag-time-max"), section.getDuration("fetch-max-wait"), (int)fetchMaxBytes,
                section.getDuration("fetch-backoff"), section.getDuration("fetch-response-timeout"),
                section.getDuration("produce-acks-timeout"), section.getDuration("high-watermark-checkpoint-interval"));
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ConfigException.BadValue(CONFIG_PATH, ex.getMessage());
        }
    }

    private static void positive(final String key, final Duration value)
    {
        Objects.requireNonNull(value, key);
        if (value.isNegative() || value.isZero())
        {
            throw new IllegalArgumentException(CONFIG_PATH + "." + key + " must be positive but was " + value);
        }
    }
}
