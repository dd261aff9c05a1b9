package dev.millrace.broker.partition;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.millrace.broker.log.LogConfig;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;

/**
 * Everything a {@link PartitionReplica} needs to start, checked at construction (a bad value fails fast, naming
 * its key). The broker-wide knobs come from {@code millrace.broker.partition} in {@code reference.conf}
 * ({@link #fromConfig}); the rest is per partition.
 *
 * @param topicPartition         the partition this replica serves
 * @param dataDir                the broker's data directory; the log lives in {@code dataDir/topic-partition}
 * @param logConfig              the topic's log settings
 * @param clockMs                epoch-millisecond clock for the log (segment age, retention, flush interval)
 * @param leaderEpoch            the leader epoch appends are stamped with (set by the controller, later)
 * @param retentionCheckInterval how often retention and the {@code flush.ms} check run
 *                               ({@code retention-check-interval})
 * @param maxParkedFetches       most fetches waiting for data at once; beyond it a fetch is answered at once with
 *                               what there is ({@code max-parked-fetches})
 * @param fetchMaxBytes          cap on the bytes of one fetch reply, whatever the fetch asks, except that the
 *                               first batch is always whole ({@code fetch-max-bytes})
 */
public record PartitionReplicaSettings(
    TopicPartition topicPartition, Path dataDir, LogConfig logConfig, LongSupplier clockMs, int leaderEpoch,
    Duration retentionCheckInterval, int maxParkedFetches, int fetchMaxBytes)
{
    /** The configuration section. */
    public static final String CONFIG_PATH = "millrace.broker.partition";

    public PartitionReplicaSettings
    {
        Objects.requireNonNull(topicPartition, "topicPartition");
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(logConfig, "logConfig");
        Objects.requireNonNull(clockMs, "clockMs");
        Objects.requireNonNull(retentionCheckInterval, "retentionCheckInterval");
        if (leaderEpoch < 0)
        {
            throw new IllegalArgumentException("leaderEpoch must be >= 0 but was " + leaderEpoch);
        }
        if (retentionCheckInterval.isNegative() || retentionCheckInterval.isZero())
        {
            throw new IllegalArgumentException(
                CONFIG_PATH + ".retention-check-interval must be positive but was " + retentionCheckInterval);
        }
        if (maxParkedFetches < 0)
        {
            throw new IllegalArgumentException(
                CONFIG_PATH + ".max-parked-fetches must be >= 0 but was " + maxParkedFetches);
        }
        if (fetchMaxBytes <= 0)
        {
            throw new IllegalArgumentException(CONFIG_PATH + ".fetch-max-bytes must be > 0 but was " + fetchMaxBytes);
        }
    }

    /**
     * Settings with the broker-wide knobs read from {@code config} (the actor system's configuration).
     *
     * @throws ConfigException.BadValue naming the key of a bad value
     */
    public static PartitionReplicaSettings fromConfig(
        final Config config, final TopicPartition topicPartition, final Path dataDir, final LogConfig logConfig,
        final LongSupplier clockMs, final int leaderEpoch)
    {
        final Config section = config.getConfig(CONFIG_PATH);
        final Duration interval = section.getDuration("retention-check-interval");
        if (interval.isNegative() || interval.isZero())
        {
            throw new ConfigException.BadValue(
                CONFIG_PATH + ".retention-check-interval", "must be a positive duration, e.g. 5 minutes");
        }
        final int maxParked = section.getInt("max-parked-fetches");
        if (maxParked < 0)
        {
            throw new ConfigException.BadValue(CONFIG_PATH + ".max-parked-fetches", "must be >= 0");
        }
        final long fetchMax = section.getBytes("fetch-max-bytes");
        if (fetchMax <= 0 || fetchMax > Integer.MAX_VALUE)
        {
            throw new ConfigException.BadValue(CONFIG_PATH + ".fetch-max-bytes", "must be in 1 byte .. 2 GiB");
        }
        return new PartitionReplicaSettings(
            topicPartition, dataDir, logConfig, clockMs, leaderEpoch, interval, maxParked, (int)fetchMax);
    }

    /** The directory of this replica's log: {@code dataDir/topic-partition}, as in Kafka. */
    public Path logDir()
    {
        return dataDir.resolve(topicPartition.topic() + "-" + topicPartition.partition());
    }
}
