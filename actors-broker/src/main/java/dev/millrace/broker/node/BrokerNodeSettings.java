package dev.millrace.broker.node;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
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
 * @param transport               {@value #TRANSPORT}: Artery's transport, {@code tcp} or {@code tls-tcp} (Aeron later).
 * @param advertisedPort          {@value #ADVERTISED_PORT}: the client port registered with the controller, 1-65535.
 * @param rack                    {@value #RACK}: the broker's rack, empty for none.
 * @param askTimeout              {@value #ASK_TIMEOUT}: how long the node waits for the controller and for
 *                                partition replicas on a caller's behalf.
 * @param startTimeout            {@value #START_TIMEOUT}: how long start-up may take (cluster up, controller
 *                                recovered, broker registered).
 * @param replicaStashCapacity    {@value #REPLICA_STASH_CAPACITY}: messages a partition replica entity holds while it
 *                                loads its topic's metadata.
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
    int replicaStashCapacity)
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

    private static final Set<String> TRANSPORTS = Set.of("tcp", "tls-tcp");
    private static final int MAX_PORT = 65535;

    public BrokerNodeSettings
    {
        Objects.requireNonNull(dataDir, "dataDir");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(rack, "rack");
        Objects.requireNonNull(askTimeout, "askTimeout");
        Objects.requireNonNull(startTimeout, "startTimeout");
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
            config.getInt(REPLICA_STASH_CAPACITY));
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
