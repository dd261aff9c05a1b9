package dev.millrace.broker.controller;

import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

import dev.millrace.broker.log.LogConfig;
import dev.millrace.broker.log.LogException;

/**
 * Validation of topic-level config overrides (Kafka key names). The storage keys are checked by
 * {@link LogConfig#fromMap}; the controller adds the keys that are not the log's business:
 * {@value #CLEANUP_POLICY} ({@code delete}, {@code compact} or both, comma-separated),
 * {@value #MIN_INSYNC_REPLICAS} (1 to the replication factor) and {@value #MESSAGE_TIMESTAMP_TYPE}
 * ({@code CreateTime} or {@code LogAppendTime}) and {@value #UNCLEAN_LEADER_ELECTION_ENABLE} ({@code true} or
 * {@code false}).
 *
 * <p>Stateless and thread-safe.
 */
public final class TopicConfigs
{
    public static final String CLEANUP_POLICY = "cleanup.policy";
    public static final String MIN_INSYNC_REPLICAS = "min.insync.replicas";
    public static final String MESSAGE_TIMESTAMP_TYPE = "message.timestamp.type";
    /** {@code true}: when no ISR member is live, a replica outside the ISR may lead (and acked records may be lost). */
    public static final String UNCLEAN_LEADER_ELECTION_ENABLE = "unclean.leader.election.enable";

    private static final Set<String> CLEANUP_POLICIES = Set.of("delete", "compact");
    private static final Set<String> TIMESTAMP_TYPES = Set.of("CreateTime", "LogAppendTime");
    private static final Set<String> LOG_KEYS = Set.of(
        LogConfig.SEGMENT_BYTES, LogConfig.SEGMENT_MS, LogConfig.RETENTION_MS, LogConfig.RETENTION_BYTES,
        LogConfig.INDEX_INTERVAL_BYTES, LogConfig.MAX_MESSAGE_BYTES, LogConfig.FLUSH_MESSAGES, LogConfig.FLUSH_MS,
        LogConfig.FSYNC_ON_ACK);

    /**
     * The largest {@value LogConfig#MAX_MESSAGE_BYTES} a topic may have: 2 MiB less 64 KiB for the envelope. A batch
     * travels whole in one replica fetch reply, an Artery message, and Artery drops a message above its frame size
     * without a word, so a follower would never get past a larger batch (its ISR shrinks and acks=all stops). Nodes
     * size their frames to hold it ({@code BrokerNode.REPLICATION_FRAME_BYTES}).
     */
    public static final int MAX_MESSAGE_BYTES_LIMIT = 2 * 1024 * 1024 - 64 * 1024;

    /** Every key a topic may override, sorted (for messages). */
    public static final Set<String> KNOWN_KEYS;

    static
    {
        final TreeSet<String> keys = new TreeSet<>(LOG_KEYS);
        keys.add(CLEANUP_POLICY);
        keys.add(MIN_INSYNC_REPLICAS);
        keys.add(MESSAGE_TIMESTAMP_TYPE);
        keys.add(UNCLEAN_LEADER_ELECTION_ENABLE);
        KNOWN_KEYS = Collections.unmodifiableSortedSet(keys);
    }

    private TopicConfigs()
    {
    }

    /**
     * @param configs           the complete set of overrides a topic would have.
     * @param replicationFactor the topic's replication factor, the upper bound of {@value #MIN_INSYNC_REPLICAS}.
     * @return why the configs are invalid, naming the key, or empty when they are valid.
     */
    public static Optional<String> invalidReason(final Map<String, String> configs, final int replicationFactor)
    {
        final Optional<String> unknown = unknownKey(configs.keySet());
        if (unknown.isPresent())
        {
            return unknown;
        }

        final Map<String, String> logConfigs = new HashMap<>();
        for (final Map.Entry<String, String> entry : configs.entrySet())
        {
            final String key = entry.getKey();
            final String value = entry.getValue();
            if (value == null)
            {
                return Optional.of("Config " + key + " has no value; give one or delete the key.");
            }
            switch (key)
            {
                case CLEANUP_POLICY ->
                {
                    final Optional<String> reason = invalidCleanupPolicy(value);
                    if (reason.isPresent())
                    {
                        return reason;
                    }
                }
                case MIN_INSYNC_REPLICAS ->
                {
                    final Optional<String> reason = invalidMinInsyncReplicas(value, replicationFactor);
                    if (reason.isPresent())
                    {
                        return reason;
                    }
                }
                case MESSAGE_TIMESTAMP_TYPE ->
                {
                    if (!TIMESTAMP_TYPES.contains(value.trim()))
                    {
                        return Optional.of("Config " + MESSAGE_TIMESTAMP_TYPE + " must be CreateTime or LogAppendTime but was '" +
                            value + "'.");
                    }
                }
                case UNCLEAN_LEADER_ELECTION_ENABLE ->
                {
                    if (!"true".equalsIgnoreCase(value.trim()) && !"false".equalsIgnoreCase(value.trim()))
                    {
                        return Optional.of("Config " + UNCLEAN_LEADER_ELECTION_ENABLE + " must be true or false but was '" +
                            value + "'.");
                    }
                }
                default -> logConfigs.put(key, value);
            }
        }

        try
        {
            final LogConfig logConfig = LogConfig.fromMap(logConfigs);
            if (logConfig.maxMessageBytes() > MAX_MESSAGE_BYTES_LIMIT)
            {
                return Optional.of("Config " + LogConfig.MAX_MESSAGE_BYTES + " must be <= " + MAX_MESSAGE_BYTES_LIMIT +
                    " but was " + logConfig.maxMessageBytes() + ": a batch travels whole in one replication message, " +
                    "and larger ones could not reach the followers.");
            }
            return Optional.empty();
        }
        catch (final LogException ex)
        {
            if (ex.category() != LogException.Category.CONFIG)
            {
                throw ex;
            }
            return Optional.of("Invalid topic config: " + ex.getMessage());
        }
    }

    /** Whether a topic's overrides turn on unclean leader election (off by default, as in Kafka). */
    public static boolean uncleanLeaderElection(final Map<String, String> configs)
    {
        final String value = configs.get(UNCLEAN_LEADER_ELECTION_ENABLE);
        return value != null && "true".equalsIgnoreCase(value.trim());
    }

    /**
     * @return a message naming the first key (in sorted order) that no topic may override, or empty.
     */
    public static Optional<String> unknownKey(final Iterable<String> keys)
    {
        final TreeSet<String> unknown = new TreeSet<>();
        for (final String key : keys)
        {
            if (!KNOWN_KEYS.contains(key))
            {
                unknown.add(key);
            }
        }
        if (unknown.isEmpty())
        {
            return Optional.empty();
        }
        return Optional.of("Unknown topic config key '" + unknown.first() + "'; known keys are " + KNOWN_KEYS + ".");
    }

    /**
     * @return the overrides after setting {@code set} and removing {@code delete}.
     */
    public static Map<String, String> altered(
        final Map<String, String> current, final Map<String, String> set, final List<String> delete)
    {
        final Map<String, String> result = new HashMap<>(current);
        for (final String key : delete)
        {
            result.remove(key);
        }
        result.putAll(set);
        return result;
    }

    private static Optional<String> invalidCleanupPolicy(final String value)
    {
        final String[] parts = value.split(",", -1);
        for (final String part : parts)
        {
            if (!CLEANUP_POLICIES.contains(part.trim()))
            {
                return Optional.of("Config " + CLEANUP_POLICY + " must be delete, compact or \"compact,delete\" but was '" +
                    value + "'.");
            }
        }
        return Optional.empty();
    }

    private static Optional<String> invalidMinInsyncReplicas(final String value, final int replicationFactor)
    {
        final int minInsync;
        try
        {
            minInsync = Integer.parseInt(value.trim());
        }
        catch (final NumberFormatException ex)
        {
            return Optional.of("Config " + MIN_INSYNC_REPLICAS + " must be an integer but was '" + value + "'.");
        }
        if (minInsync < 1 || minInsync > replicationFactor)
        {
            return Optional.of("Config " + MIN_INSYNC_REPLICAS + " must be between 1 and the replication factor " +
                replicationFactor + " but was " + minInsync + "; a larger value would refuse every acks=all write.");
        }
        return Optional.empty();
    }
}
