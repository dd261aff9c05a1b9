package dev.millrace.sharding.persistence.quorum;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import dev.millrace.transport.IdleStrategies;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Keys and validated values of {@code millrace.persistence.quorum} (every key, its default and its meaning are in
 * this module's {@code reference.conf}). Validated completely when built: a bad value fails with an
 * {@link IllegalArgumentException} whose message names the full key.
 * <p>
 * Threading: immutable, safe to share.
 */
public final class QuorumConfig
{
    /** Where the block lives. */
    public static final String PATH = "millrace.persistence.quorum";

    static final String VOTERS_KEY = "voters";
    static final String MEMBER_ID_KEY = "member-id";
    static final String DIR_KEY = "dir";
    static final String IDLE_STRATEGY_KEY = "idle-strategy";
    static final String MAX_PARK_PERIOD_KEY = "backoff-max-park-period";
    static final String TERM_LENGTH_KEY = "term-length";
    static final String MAX_CHUNK_BYTES_KEY = "max-chunk-bytes";
    static final String LEADER_HEARTBEAT_TIMEOUT_KEY = "timeouts.leader-heartbeat";
    static final String LEADER_HEARTBEAT_INTERVAL_KEY = "timeouts.leader-heartbeat-interval";
    static final String ELECTION_TIMEOUT_KEY = "timeouts.election";
    static final String STARTUP_CANVASS_TIMEOUT_KEY = "timeouts.startup-canvass";
    static final String SESSION_TIMEOUT_KEY = "timeouts.session";
    static final String SNAPSHOT_EVERY_KEY = "cluster-snapshot.every-log-entries";
    static final String SNAPSHOT_CHECK_INTERVAL_KEY = "cluster-snapshot.check-interval";
    static final String AERON_DIR_KEY = "aeron-dir";
    static final String CLIENT_AERON_DIR_KEY = "client.aeron-dir";
    static final String CLIENT_HOST_KEY = "client.host";
    static final String REQUEST_TIMEOUT_KEY = "client.request-timeout";

    /** Ports a voter uses, as offsets from its base port. */
    static final int INGRESS_PORT_OFFSET = 0;
    static final int CONSENSUS_PORT_OFFSET = 1;
    static final int LOG_PORT_OFFSET = 2;
    static final int CATCHUP_PORT_OFFSET = 3;
    static final int ARCHIVE_PORT_OFFSET = 4;
    /** How many consecutive ports each voter needs from its base port. */
    public static final int PORTS_PER_VOTER = 5;

    private static final int MIN_TERM_LENGTH = 64 * 1024;
    private static final int MAX_TERM_LENGTH = 1 << 30;

    /**
     * One voter of the static list: {@code id:host:base-port}.
     *
     * @param id       its cluster member id; ids are 0, 1, ... n-1 in any order.
     * @param host     the address other voters and clients reach it at.
     * @param basePort first of the {@link #PORTS_PER_VOTER} ports it listens on.
     */
    public record Voter(int id, String host, int basePort)
    {
        String endpoint(final int offset)
        {
            return host + ":" + (basePort + offset);
        }

        @Override
        public String toString()
        {
            return id + ":" + host + ":" + basePort;
        }
    }

    private final List<Voter> voters;
    private final int memberId;
    private final Path dir;
    private final String idleStrategy;
    private final IdleStrategies.Params idleStrategyParams;
    private final int termLength;
    private final int maxChunkBytes;
    private final long leaderHeartbeatTimeoutNs;
    private final long leaderHeartbeatIntervalNs;
    private final long electionTimeoutNs;
    private final long startupCanvassTimeoutNs;
    private final long sessionTimeoutNs;
    private final long snapshotEveryLogEntries;
    private final long snapshotCheckIntervalNs;
    private final String aeronDir;
    private final String clientAeronDir;
    private final String clientHost;
    private final long requestTimeoutNs;

    private QuorumConfig(final Config config)
    {
        voters = voters(config);
        memberId = integer(config, MEMBER_ID_KEY);
        if (memberId < -1 || memberId >= voters.size())
        {
            throw invalid(MEMBER_ID_KEY, "must be -1 (no voter on this node) or one of the voter ids 0.." +
                (voters.size() - 1), String.valueOf(memberId));
        }
        final String dirText = string(config, DIR_KEY);
        try
        {
            dir = Path.of(dirText);
        }
        catch (final InvalidPathException ex)
        {
            throw invalid(DIR_KEY, "must be a valid directory path (" + ex.getReason() + ")", dirText);
        }
        if (dirText.isBlank())
        {
            throw invalid(DIR_KEY, "must be a non-empty directory path", dirText);
        }
        idleStrategy = string(config, IDLE_STRATEGY_KEY);
        if (!IdleStrategies.isKnown(idleStrategy))
        {
            throw invalid(IDLE_STRATEGY_KEY, "must be one of " + IdleStrategies.NAMES, idleStrategy);
        }
        final long maxParkNs = duration(config, MAX_PARK_PERIOD_KEY);
        final IdleStrategies.Params defaults = IdleStrategies.Params.DEFAULTS;
        if (maxParkNs < defaults.minParkPeriodNs())
        {
            throw invalid(MAX_PARK_PERIOD_KEY, "must be at least " + defaults.minParkPeriodNs() + " ns",
                maxParkNs + " ns");
        }
        idleStrategyParams = new IdleStrategies.Params(
            defaults.sleepingParkPeriodNs(), defaults.maxSpins(), defaults.maxYields(), defaults.minParkPeriodNs(),
            maxParkNs);
        termLength = bytes(config, TERM_LENGTH_KEY);
        if (termLength < MIN_TERM_LENGTH || termLength > MAX_TERM_LENGTH || Integer.bitCount(termLength) != 1)
        {
            throw invalid(TERM_LENGTH_KEY, "must be a power of two in [64k, 1g]", String.valueOf(termLength));
        }
        maxChunkBytes = bytes(config, MAX_CHUNK_BYTES_KEY);
        // An Aeron message may take at most an eighth of a term; leave room for the headers.
        if (maxChunkBytes < 1024 || maxChunkBytes > termLength / 8 - 1024)
        {
            throw invalid(MAX_CHUNK_BYTES_KEY, "must be in [1k, term-length / 8 - 1k] = [1024, " +
                (termLength / 8 - 1024) + "]", String.valueOf(maxChunkBytes));
        }
        leaderHeartbeatTimeoutNs = duration(config, LEADER_HEARTBEAT_TIMEOUT_KEY);
        leaderHeartbeatIntervalNs = duration(config, LEADER_HEARTBEAT_INTERVAL_KEY);
        if (leaderHeartbeatIntervalNs >= leaderHeartbeatTimeoutNs)
        {
            throw invalid(LEADER_HEARTBEAT_INTERVAL_KEY, "must be shorter than " + PATH + "." +
                LEADER_HEARTBEAT_TIMEOUT_KEY, leaderHeartbeatIntervalNs / 1_000_000 + "ms");
        }
        electionTimeoutNs = duration(config, ELECTION_TIMEOUT_KEY);
        startupCanvassTimeoutNs = duration(config, STARTUP_CANVASS_TIMEOUT_KEY);
        if (startupCanvassTimeoutNs % leaderHeartbeatTimeoutNs != 0 || startupCanvassTimeoutNs < 2 * leaderHeartbeatTimeoutNs)
        {
            // Aeron Cluster's own rule (it refuses a canvass of one heartbeat timeout too), checked here so the message
            // names our keys.
            throw invalid(STARTUP_CANVASS_TIMEOUT_KEY, "must be a multiple, at least twice, of " + PATH + "." +
                LEADER_HEARTBEAT_TIMEOUT_KEY, startupCanvassTimeoutNs / 1_000_000 + "ms");
        }
        sessionTimeoutNs = duration(config, SESSION_TIMEOUT_KEY);
        snapshotEveryLogEntries = longValue(config, SNAPSHOT_EVERY_KEY);
        if (snapshotEveryLogEntries < 0)
        {
            throw invalid(SNAPSHOT_EVERY_KEY, "must be >= 0 (0 = never)", String.valueOf(snapshotEveryLogEntries));
        }
        snapshotCheckIntervalNs = duration(config, SNAPSHOT_CHECK_INTERVAL_KEY);
        aeronDir = string(config, AERON_DIR_KEY).trim();
        clientAeronDir = string(config, CLIENT_AERON_DIR_KEY).trim();
        clientHost = string(config, CLIENT_HOST_KEY);
        if (clientHost.isBlank())
        {
            throw invalid(CLIENT_HOST_KEY, "must be an address this node's clients can receive on", clientHost);
        }
        requestTimeoutNs = duration(config, REQUEST_TIMEOUT_KEY);
    }

    /**
     * Reads and validates the block.
     *
     * @param quorumBlock the configuration at {@link #PATH}.
     * @return the settings.
     * @throws IllegalArgumentException naming the first invalid key.
     */
    public static QuorumConfig from(final Config quorumBlock)
    {
        return new QuorumConfig(Objects.requireNonNull(quorumBlock, "config"));
    }

    /**
     * @param root a root configuration (e.g. the actor system's).
     * @return the validated settings at {@link #PATH}.
     */
    public static QuorumConfig fromRoot(final Config root)
    {
        if (!root.hasPath(PATH))
        {
            throw new IllegalArgumentException("Missing configuration block " + PATH);
        }
        return from(root.getConfig(PATH));
    }

    static IllegalArgumentException invalid(final String key, final String rule, final String actual)
    {
        return new IllegalArgumentException("Invalid setting " + PATH + "." + key + ": " + rule + ", was '" + actual + "'");
    }

    private static List<Voter> voters(final Config config)
    {
        final List<String> entries;
        try
        {
            entries = config.getStringList(VOTERS_KEY);
        }
        catch (final ConfigException ex)
        {
            throw invalid(VOTERS_KEY, "must be a list of \"id:host:base-port\" strings", describe(config, VOTERS_KEY));
        }
        if (entries.isEmpty())
        {
            throw invalid(VOTERS_KEY, "must list the voters, e.g. [\"0:10.0.0.1:9100\", \"1:10.0.0.2:9100\", " +
                "\"2:10.0.0.3:9100\"]", "[]");
        }
        final List<Voter> parsed = new ArrayList<>(entries.size());
        final Set<Integer> ids = new HashSet<>();
        for (final String entry : entries)
        {
            final String[] parts = entry.split(":");
            if (parts.length != 3 || parts[1].isBlank())
            {
                throw invalid(VOTERS_KEY, "each voter must be \"id:host:base-port\"", entry);
            }
            final int id;
            final int basePort;
            try
            {
                id = Integer.parseInt(parts[0].trim());
                basePort = Integer.parseInt(parts[2].trim());
            }
            catch (final NumberFormatException ex)
            {
                throw invalid(VOTERS_KEY, "each voter must be \"id:host:base-port\" with integer id and port", entry);
            }
            if (basePort < 1 || basePort + PORTS_PER_VOTER - 1 > 65535)
            {
                throw invalid(VOTERS_KEY, "base port must leave " + PORTS_PER_VOTER + " ports below 65536", entry);
            }
            if (!ids.add(id))
            {
                throw invalid(VOTERS_KEY, "voter id " + id + " appears twice", entry);
            }
            parsed.add(new Voter(id, parts[1].trim(), basePort));
        }
        for (int id = 0; id < parsed.size(); id++)
        {
            if (!ids.contains(id))
            {
                throw invalid(VOTERS_KEY, "voter ids must be 0.." + (parsed.size() - 1) + ", " + id + " is missing",
                    entries.toString());
            }
        }
        parsed.sort((a, b) -> Integer.compare(a.id(), b.id()));
        return Collections.unmodifiableList(parsed);
    }

    private static String string(final Config config, final String key)
    {
        try
        {
            return config.getString(key);
        }
        catch (final ConfigException ex)
        {
            throw invalid(key, "must be set to a string", describe(config, key));
        }
    }

    private static int integer(final Config config, final String key)
    {
        try
        {
            return config.getInt(key);
        }
        catch (final ConfigException ex)
        {
            throw invalid(key, "must be an integer", describe(config, key));
        }
    }

    private static long longValue(final Config config, final String key)
    {
        try
        {
            return config.getLong(key);
        }
        catch (final ConfigException ex)
        {
            throw invalid(key, "must be an integer", describe(config, key));
        }
    }

    private static int bytes(final Config config, final String key)
    {
        try
        {
            final long value = config.getBytes(key);
            if (value > Integer.MAX_VALUE)
            {
                throw invalid(key, "must be below 2g", String.valueOf(value));
            }
            return (int)value;
        }
        catch (final ConfigException ex)
        {
            throw invalid(key, "must be a size in bytes (e.g. 1m)", describe(config, key));
        }
    }

    private static long duration(final Config config, final String key)
    {
        final long ns;
        try
        {
            ns = config.getDuration(key).toNanos();
        }
        catch (final ConfigException | ArithmeticException ex)
        {
            throw invalid(key, "must be a duration (e.g. 2s)", describe(config, key));
        }
        if (ns <= 0)
        {
            throw invalid(key, "must be a positive duration", describe(config, key));
        }
        return ns;
    }

    private static String describe(final Config config, final String key)
    {
        return config.hasPathOrNull(key) && !config.getIsNull(key) ? config.getValue(key).render() : "<missing>";
    }

    /**
     * @return Aeron Cluster's member string: {@code id,ingress,consensus,log,catchup,archive|...}.
     */
    String clusterMembers()
    {
        final StringJoiner members = new StringJoiner("|");
        for (final Voter voter : voters)
        {
            members.add(voter.id() + "," + voter.endpoint(INGRESS_PORT_OFFSET) + "," +
                voter.endpoint(CONSENSUS_PORT_OFFSET) + "," + voter.endpoint(LOG_PORT_OFFSET) + "," +
                voter.endpoint(CATCHUP_PORT_OFFSET) + "," + voter.endpoint(ARCHIVE_PORT_OFFSET));
        }
        return members.toString();
    }

    /**
     * @return the client's ingress endpoints: {@code id=host:port,...}.
     */
    String ingressEndpoints()
    {
        final StringJoiner endpoints = new StringJoiner(",");
        for (final Voter voter : voters)
        {
            endpoints.add(voter.id() + "=" + voter.endpoint(INGRESS_PORT_OFFSET));
        }
        return endpoints.toString();
    }

    public List<Voter> voters()
    {
        return voters;
    }

    public int memberId()
    {
        return memberId;
    }

    public Path dir()
    {
        return dir;
    }

    public String idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * @return the parameters of the voter's and client's idle strategies.
     */
    public IdleStrategies.Params idleStrategyParams()
    {
        return idleStrategyParams;
    }

    public int termLength()
    {
        return termLength;
    }

    public int maxChunkBytes()
    {
        return maxChunkBytes;
    }

    public long leaderHeartbeatTimeoutNs()
    {
        return leaderHeartbeatTimeoutNs;
    }

    public long leaderHeartbeatIntervalNs()
    {
        return leaderHeartbeatIntervalNs;
    }

    public long electionTimeoutNs()
    {
        return electionTimeoutNs;
    }

    public long startupCanvassTimeoutNs()
    {
        return startupCanvassTimeoutNs;
    }

    public long sessionTimeoutNs()
    {
        return sessionTimeoutNs;
    }

    public long snapshotEveryLogEntries()
    {
        return snapshotEveryLogEntries;
    }

    public long snapshotCheckIntervalNs()
    {
        return snapshotCheckIntervalNs;
    }

    /**
     * @return {@code aeron-dir}: the node's running media driver, for its voter and client; "" = none given.
     */
    public String aeronDir()
    {
        return aeronDir;
    }

    public String clientAeronDir()
    {
        return clientAeronDir;
    }

    /**
     * @return the driver directory the client uses: {@code client.aeron-dir} when set, else {@code aeron-dir}; ""
     *     when neither is set.
     */
    public String nodeAeronDir()
    {
        return clientAeronDir.isEmpty() ? aeronDir : clientAeronDir;
    }

    public String clientHost()
    {
        return clientHost;
    }

    public long requestTimeoutNs()
    {
        return requestTimeoutNs;
    }

    @Override
    public String toString()
    {
        return "QuorumConfig{voters=" + voters + ", member-id=" + memberId + ", dir=" + dir + '}';
    }
}
