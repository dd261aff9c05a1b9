package dev.millrace.broker.controller;

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
 */
public record ControllerSettings(
    int maxPartitionsPerTopic,
    int defaultPartitions,
    int defaultReplicationFactor,
    int producerIdBlockSize,
    int snapshotEveryEvents,
    int keepSnapshots)
{
    public static final String PREFIX = "millrace.controller";
    public static final String MAX_PARTITIONS_PER_TOPIC = "max-partitions-per-topic";
    public static final String DEFAULT_PARTITIONS = "default-partitions";
    public static final String DEFAULT_REPLICATION_FACTOR = "default-replication-factor";
    public static final String PRODUCER_ID_BLOCK_SIZE = "producer-id-block-size";
    public static final String SNAPSHOT_EVERY_EVENTS = "snapshot-every-events";
    public static final String KEEP_SNAPSHOTS = "keep-snapshots";

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
            config.getInt(KEEP_SNAPSHOTS));
    }

    public ControllerSettings withSnapshotEveryEvents(final int events)
    {
        return new ControllerSettings(
            maxPartitionsPerTopic, defaultPartitions, defaultReplicationFactor, producerIdBlockSize, events, keepSnapshots);
    }

    public ControllerSettings withMaxPartitionsPerTopic(final int maxPartitions)
    {
        return new ControllerSettings(
            maxPartitions, defaultPartitions, defaultReplicationFactor, producerIdBlockSize, snapshotEveryEvents,
            keepSnapshots);
    }

    private static void atLeast(final String key, final int value, final int min)
    {
        if (value < min)
        {
            throw new ConfigException.BadValue(PREFIX + "." + key, "must be >= " + min + " but was " + value);
        }
    }
}
