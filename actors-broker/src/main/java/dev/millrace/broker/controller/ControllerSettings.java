package dev.millrace.broker.controller;

import java.time.Duration;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

/**
 * The controller's settings, from {@code millrace.controller} (documented in actors-broker's
 * {@code reference.conf}). The canonical constructor validates every value and fails with a
 * {@link ConfigException.BadValue} naming the key, so a {@code ControllerSettings} that exists is a valid one.
 *
 * <p>Immutable and thread-safe.
 *
 * @param maxPartitionsPerTopic    {@value #MAX_PARTITIONS_PER_TOPIC}: the most partitions a topic may have.
 * @param defaultPartitions        {@value #DEFAULT_PARTITIONS}: partitions of a topic created with -1.
 * @param defaultReplicationFactor {@value #DEFAULT_REPLICATION_FACTOR}: replication factor of a topic created with -1.
 * @param producerIdBlockSize      {@value #PRODUCER_ID_BLOCK_SIZE}: producer ids per block when a request asks for -1.
 * @param snapshotEveryEvents      {@value #SNAPSHOT_EVERY_EVENTS}: snapshot the image after this many events.
 * @param keepSnapshots            {@value #KEEP_SNAPSHOTS}: snapshots kept; older ones and their events are deleted.
 * @param autoLeaderRebalance      {@value #AUTO_LEADER_REBALANCE}: move leadership back to preferred replicas
 *                                 every {@code leaderImbalanceCheckInterval}.
 * @param leaderImbalanceCheckInterval {@value #LEADER_IMBALANCE_CHECK_INTERVAL}: how often, > 0.
 * @param metadataPublishInterval  {@value #METADATA_PUBLISH_INTERVAL}: the image is published to every node after
 *                                 each change and also this often (a node that subscribed late catches up), > 0.
 */
public record ControllerSettings(
    int maxPartitionsPerTopic,
    int defaultPartitions,
    int defaultReplicationFactor,
    int producerIdBlockSize,
    int snapshotEveryEvents,
    int keepSnapshots,
    boolean autoLeaderRebalance,
    Duration leaderImbalanceCheckInterval,
    Duration metadataPublishInterval)
{
    public static final String PREFIX = "millrace.controller";
    public static final String MAX_PARTITIONS_PER_TOPIC = "max-partitions-per-topic";
    public static final String DEFAULT_PARTITIONS = "default-partitions";
    public static final String DEFAULT_REPLICATION_FACTOR = "default-replication-factor";
    public static final String PRODUCER_ID_BLOCK_SIZE = "producer-id-block-size";
    public static final String SNAPSHOT_EVERY_EVENTS = "snapshot-every-events";
    public static final String KEEP_SNAPSHOTS = "keep-snapshots";
    public static final String AUTO_LEADER_REBALANCE = "auto-leader-rebalance";
    public static final String LEADER_IMBALANCE_CHECK_INTERVAL = "leader-imbalance-check-interval";
    public static final String METADATA_PUBLISH_INTERVAL = "metadata-publish-interval";

    private static final Duration DEFAULT_LEADER_IMBALANCE_CHECK_INTERVAL = Duration.ofSeconds(300);
    private static final Duration DEFAULT_METADATA_PUBLISH_INTERVAL = Duration.ofSeconds(5);

    public ControllerSettings
    {
        atLeast(MAX_PARTITIONS_PER_TOPIC, maxPartitionsPerTopic, 1);
        atLeast(DEFAULT_PARTITIONS, defaultPartitions, 1);
        if (defaultPartitions > maxPartitionsPerTopic)
        {
            throw new ConfigException.BadValue(
                PREFIX + "." + DEFAULT_PARTITIONS, "must be <= " + PREFIX + "." + MAX_PARTITIONS_PER_TOPIC + " (" +
                maxPartitionsPerTopic + ") but was " + defaultPartitions);
        }
        atLeast(DEFAULT_REPLICATION_FACTOR, defaultReplicationFactor, 1);
        atLeast(PRODUCER_ID_BLOCK_SIZE, producerIdBlockSize, 1);
        atLeast(SNAPSHOT_EVERY_EVENTS, snapshotEveryEvents, 1);
        atLeast(KEEP_SNAPSHOTS, keepSnapshots, 1);
        positive(LEADER_IMBALANCE_CHECK_INTERVAL, leaderImbalanceCheckInterval);
        positive(METADATA_PUBLISH_INTERVAL, metadataPublishInterval);
    }

    /** The settings with the replication defaults: rebalance on, every 300 s; publish every 5 s. */
    public ControllerSettings(
        final int maxPartitionsPerTopic, final int defaultPartitions, final int defaultReplicationFactor,
        final int producerIdBlockSize, final int snapshotEveryEvents, final int keepSnapshots)
    {
        this(maxPartitionsPerTopic, defaultPartitions, defaultReplicationFactor, producerIdBlockSize, snapshotEveryEvents,
            keepSnapshots, true, DEFAULT_LEADER_IMBALANCE_CHECK_INTERVAL, DEFAULT_METADATA_PUBLISH_INTERVAL);
    }

    /**
     * Reads {@value #PREFIX} from an actor system's configuration (reference.conf supplies every default).
     *
     * @throws ConfigException naming the key when a value is missing, of the wrong type or out of range.
     */
    public static ControllerSettings fromConfig(final Config root)
    {
        final Config config = root.getConfig(PREFIX);
        return new ControllerSettings(
            config.getInt(MAX_PARTITIONS_PER_TOPIC),
            config.getInt(DEFAULT_PARTITIONS),
            config.getInt(DEFAULT_REPLICATION_FACTOR),
            config.getInt(PRODUCER_ID_BLOCK_SIZE),
            config.getInt(SNAPSHOT_EVERY_EVENTS),
            config.getInt(KEEP_SNAPSHOTS),
            config.getBoolean(AUTO_LEADER_REBALANCE),
            config.getDuration(LEADER_IMBALANCE_CHECK_INTERVAL),
            config.getDuration(METADATA_PUBLISH_INTERVAL));
    }

    public ControllerSettings withSnapshotEveryEvents(final int events)
    {
        return new ControllerSettings(
            maxPartitionsPerTopic, defaultPartitions, defaultReplicationFactor, producerIdBlockSize, events, keepSnapshots,
            autoLeaderRebalance, leaderImbalanceCheckInterval, metadataPublishInterval);
    }

    public ControllerSettings withLeaderRebalance(final boolean enabled, final Duration interval)
    {
        return new ControllerSettings(
            maxPartitionsPerTopic, defaultPartitions, defaultReplicationFactor, producerIdBlockSize, snapshotEveryEvents,
            keepSnapshots, enabled, interval, metadataPublishInterval);
    }

    public ControllerSettings withMaxPartitionsPerTopic(final int maxPartitions)
    {
        return new ControllerSettings(
            maxPartitions, defaultPartitions, defaultReplicationFactor, producerIdBlockSize, snapshotEveryEvents,
            keepSnapshots, autoLeaderRebalance, leaderImbalanceCheckInterval, metadataPublishInterval);
    }

    private static void positive(final String key, final Duration value)
    {
        if (value == null || value.isNegative() || value.isZero())
        {
            throw new ConfigException.BadValue(PREFIX + "." + key, "must be > 0 but was " + value);
        }
    }

    private static void atLeast(final String key, final int value, final int min)
    {
        if (value < min)
        {
            throw new ConfigException.BadValue(PREFIX + "." + key, "must be >= " + min + " but was " + value);
        }
    }
}
