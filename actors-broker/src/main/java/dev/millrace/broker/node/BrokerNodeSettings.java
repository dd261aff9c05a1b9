package dev.millrace.broker.node;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

/**
 * A node's settings, from {@code millrace.broker.node} (documented in actors-broker's {@code reference.conf}). The
 * canonical constructor validates every value and fails with a {@link ConfigException.BadValue} naming the key, so a
 * {@code BrokerNodeSettings} that exists is a valid one.
 *
 * <p>Immutable and thread-safe.
 *
 * @param dataDir                 {@value #DATA_DIR}: root of everything the node stores: {@code journal/},
 *                                {@code snapshots/}, {@code logs/<topic>-<partition>/}.
 * @param brokerId                {@value #BROKER_ID}: this broker's id in the cluster, {@code >= 0}.
 * @param host                    {@value #HOST}: the host the node binds and advertises (cluster and clients).
 * @param port                    {@value #PORT}: the cluster (Artery) port; 0 picks a free one.
 * @param transport               {@value #TRANSPORT}: Artery's transport, {@code tcp}, {@code tls-tcp} or
 *                                {@code aeron-udp} (on the node's one media driver).
 * @param advertisedPort          {@value #ADVERTISED_PORT}: the client port registered with the controller, 1-65535.
 * @param rack                    {@value #RACK}: the broker's rack, empty for none.
 * @param askTimeout              {@value #ASK_TIMEOUT}: how long the node waits for the controller and for
 *                                partition replicas on a caller's behalf.
 * @param startTimeout            {@value #START_TIMEOUT}: how long start-up may take (cluster up, controller
 *                                recovered, broker registered).
 * @param replicaStashCapacity    {@value #REPLICA_STASH_CAPACITY}: messages a partition replica entity holds while it
 *                                loads its topic's metadata.
 * @param seedNodes               {@value #SEED_NODES}: {@code host:port} of the cluster (Artery) ports of the nodes to
 *                                join; empty: the node joins itself (a one-member cluster). May list this node.
 * @param journal                 {@value #JOURNAL}: {@value #JOURNAL_EMBEDDED} or {@value #JOURNAL_QUORUM}, the
 *                                journal and snapshot store of the node's persistent actors.
 */
public record BrokerNodeSettings(
    Path dataDir,
    int brokerId,
    String host,
    int port,
    String transport,
    int advertisedPort,
    Optional<String> rack,
    Duration askTimeout,
    Duration startTimeout,
    int replicaStashCapacity,
    List<String> seedNodes,
    String journal)
{
    public static final String PREFIX = "millrace.broker.node";
    public static final String DATA_DIR = "data-dir";
    public static final String BROKER_ID = "broker-id";
    public static final String HOST = "host";
    public static final String PORT = "port";
    public static final String TRANSPORT = "transport";
    public static final String ADVERTISED_PORT = "advertised-port";
    public static final String RACK = "rack";
    public static final String ASK_TIMEOUT = "ask-timeout";
    public static final String START_TIMEOUT = "start-timeout";
    public static final String REPLICA_STASH_CAPACITY = "replica-stash-capacity";
    public static final String SEED_NODES = "seed-nodes";
    public static final String JOURNAL = "journal";
    public static final String CONTROLLED_SHUTDOWN_TIMEOUT = "controlled-shutdown-timeout";
    public static final String JOURNAL_EMBEDDED = "embedded";
    public static final String JOURNAL_QUORUM = "quorum";

    private static final Set<String> TRANSPORTS = Set.of("tcp", "tls-tcp", "aeron-udp");
    private static final Set<String> JOURNALS = Set.of(JOURNAL_EMBEDDED, JOURNAL_QUORUM);
    private static final int MAX_PORT = 65535;

    public BrokerNodeSettings
    {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(rack, "rack");
        Objects.requireNonNull(askTimeout, "askTimeout");
        Objects.requireNonNull(startTimeout, "startTimeout");
        Objects.requireNonNull(journal, "journal");
        seedNodes = List.copyOf(seedNodes);
        if (brokerId < 0)
        {
            throw bad(BROKER_ID, "must be >= 0 but was " + brokerId);
        }
        if (host.isBlank())
        {
            throw bad(HOST, "must be a host name or address, e.g. 127.0.0.1");
        }
        if (port < 0 || port > MAX_PORT)
        {
            throw bad(PORT, "must be 0 (any free port) or 1-65535 but was " + port);
        }
        if (!TRANSPORTS.contains(transport))
        {
            throw bad(TRANSPORT, "must be one of " + TRANSPORTS + " but was '" + transport + "'");
        }
        if (advertisedPort < 1 || advertisedPort > MAX_PORT)
        {
            throw bad(ADVERTISED_PORT, "must be 1-65535 but was " + advertisedPort);
        }
        positive(ASK_TIMEOUT, askTimeout);
        positive(START_TIMEOUT, startTimeout);
        if (replicaStashCapacity < 1)
        {
            throw bad(REPLICA_STASH_CAPACITY, "must be >= 1 but was " + replicaStashCapacity);
        }
        for (final String seed : seedNodes)
        {
            seedPort(seed);
        }
        if (!JOURNALS.contains(journal))
        {
            throw bad(JOURNAL, "must be one of " + JOURNALS + " but was '" + journal + "'");
        }
    }

    /** The seed nodes as cluster addresses of the actor system {@code systemName}, in the configured order. */
    public List<String> seedNodeAddresses(final String systemName)
    {
        final List<String> addresses = new ArrayList<>(seedNodes.size());
        for (final String seed : seedNodes)
        {
            addresses.add("pekko://" + systemName + "@" + seed.substring(0, seed.lastIndexOf(':')) + ":" + seedPort(seed));
        }
        return addresses;
    }

    /** Whether the node's persistent actors use the quorum journal. */
    public boolean quorumJournal()
    {
        return JOURNAL_QUORUM.equals(journal);
    }

    private static int seedPort(final String seed)
    {
        final int colon = seed == null ? -1 : seed.lastIndexOf(':');
        if (colon <= 0 || colon == seed.length() - 1 || seed.substring(0, colon).isBlank())
        {
            throw bad(SEED_NODES, "entries must be host:port, e.g. \"127.0.0.1:7355\", but one was '" + seed + "'");
        }
        final int port;
        try
        {
            port = Integer.parseInt(seed.substring(colon + 1));
        }
        catch (final NumberFormatException ex)
        {
            throw bad(SEED_NODES, "entries must be host:port with a numeric port, but one was '" + seed + "'");
        }
        if (port < 1 || port > MAX_PORT)
        {
            throw bad(SEED_NODES, "ports must be 1-65535, but one entry was '" + seed + "'");
        }
        return port;
    }

    /**
     * Reads {@value #PREFIX} from a configuration (actors-broker's reference.conf supplies every default).
     *
     * @throws ConfigException naming the key when a value is missing, of the wrong type or out of range.
     */
    public static BrokerNodeSettings fromConfig(final Config root)
    {
        final Config config = root.getConfig(PREFIX);
        final String dataDir = config.getString(DATA_DIR);
        final Path path;
        try
        {
            path = Path.of(dataDir).toAbsolutePath().normalize();
        }
        catch (final InvalidPathException ex)
        {
            throw bad(DATA_DIR, "is not a valid path: " + ex.getMessage());
        }
        if (dataDir.isBlank())
        {
            throw bad(DATA_DIR, "must be a directory path, e.g. data");
        }
        final String rack = config.getString(RACK);
        // Not kept here: BrokerNode.nodeConfig applies it; checked now so that a bad value fails before anything starts.
        FailoverProfile.settings(root);
        return new BrokerNodeSettings(
            path,
            config.getInt(BROKER_ID),
            config.getString(HOST),
            config.getInt(PORT),
            config.getString(TRANSPORT),
            config.getInt(ADVERTISED_PORT),
            rack.isBlank() ? Optional.empty() : Optional.of(rack),
            config.getDuration(ASK_TIMEOUT),
            config.getDuration(START_TIMEOUT),
            config.getInt(REPLICA_STASH_CAPACITY),
            config.getStringList(SEED_NODES),
            config.getString(JOURNAL));
    }

    /**
     * {@value #CONTROLLED_SHUTDOWN_TIMEOUT}: how long a stopping node waits for the controller to move its
     * leaderships (read on its own, not a component, so that the record's shape stays as it is).
     *
     * @throws ConfigException naming the key when it is missing or not a positive duration.
     */
    public static Duration controlledShutdownTimeout(final Config root)
    {
        final Duration timeout = root.getConfig(PREFIX).getDuration(CONTROLLED_SHUTDOWN_TIMEOUT);
        positive(CONTROLLED_SHUTDOWN_TIMEOUT, timeout);
        return timeout;
    }

    /** The quorum voter's directory ({@code millrace.persistence.quorum.dir}) when this node is a voter. */
    public Path quorumDir()
    {
        return dataDir.resolve("quorum");
    }

    /** The embedded journal's directory. */
    public Path journalDir()
    {
        return dataDir.resolve("journal");
    }

    /** The embedded snapshot store's directory. */
    public Path snapshotDir()
    {
        return dataDir.resolve("snapshots");
    }

    /** The parent of every partition log directory ({@code <topic>-<partition>}). */
    public Path logsDir()
    {
        return dataDir.resolve("logs");
    }

    private static void positive(final String key, final Duration value)
    {
        if (value.isNegative() || value.isZero())
        {
            throw bad(key, "must be a positive duration but was " + value);
        }
    }

    private static ConfigException.BadValue bad(final String key, final String message)
    {
        return new ConfigException.BadValue(PREFIX + "." + key, message);
    }
}
