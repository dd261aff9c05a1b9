package dev.millrace.deploy;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigValueFactory;
import dev.millrace.broker.kafka.KafkaListenerSettings;
import dev.millrace.broker.node.BrokerNode;
import dev.millrace.broker.node.BrokerNodeSettings;
import dev.millrace.runtime.cluster.JobCluster;

/**
 * One node with every role and the Kafka listener on: what {@code millrace standalone} and {@code millrace demo} run.
 *
 * <p>Its configuration, highest precedence first: the command line's options ({@code --data-dir}, {@code --port});
 * {@code -D} system properties; the {@code --config} file (HOCON); {@code application.conf}; the standalone defaults
 * (data in {@code ./data}, the cluster port 0 — a one-member cluster needs no fixed one); every module's
 * {@code reference.conf}. {@code millrace.broker.kafka.enabled} is always on.
 *
 * <p>Threading: {@link #start} blocks until the node is ready; the accessors are thread-safe.
 */
public final class StandaloneNode
{
    /** The data directory when neither {@code --data-dir} nor the configuration names one. */
    public static final String DEFAULT_DATA_DIR = "./data";

    private final BrokerNode node;
    private final String host;

    private StandaloneNode(final BrokerNode node, final String host)
    {
        this.node = node;
        this.host = host;
    }

    /**
     * The whole configuration of a standalone node.
     *
     * @param dataDir    {@code --data-dir}, or null
     * @param kafkaPort  {@code --port}, or null
     * @param configFile {@code --config}, or null; must exist
     * @throws com.typesafe.config.ConfigException when the file is missing or not HOCON
     */
    public static Config config(final Path dataDir, final Integer kafkaPort, final Path configFile)
    {
        final Map<String, Object> options = new HashMap<>();
        options.put(KafkaListenerSettings.PREFIX + "." + KafkaListenerSettings.ENABLED, true);
        if (dataDir != null)
        {
            options.put(BrokerNodeSettings.PREFIX + "." + BrokerNodeSettings.DATA_DIR, dataDir.toString());
        }
        if (kafkaPort != null)
        {
            options.put(KafkaListenerSettings.PREFIX + "." + KafkaListenerSettings.PORT, kafkaPort);
        }
        final Config file = configFile == null ? ConfigFactory.empty() :
            ConfigFactory.parseFile(configFile.toFile(), ConfigParseOptions.defaults().setAllowMissing(false));
        final Config defaults = ConfigFactory.parseMap(Map.of(
            BrokerNodeSettings.PREFIX + "." + BrokerNodeSettings.DATA_DIR, DEFAULT_DATA_DIR,
            BrokerNodeSettings.PREFIX + "." + BrokerNodeSettings.PORT, 0));
        return ConfigFactory.parseMap(options)
            .withFallback(ConfigFactory.defaultOverrides())
            .withFallback(file)
            .withFallback(ConfigFactory.defaultApplication())
            .withFallback(defaults)
            .withFallback(ConfigFactory.defaultReference())
            .resolve();
    }

    /**
     * Starts the node and waits until it is ready.
     *
     * @throws com.typesafe.config.ConfigException naming the key of a bad setting
     * @throws RuntimeException when start-up failed (a port in use, a locked data directory...)
     */
    public static StandaloneNode start(final Config config)
    {
        final KafkaListenerSettings kafka = KafkaListenerSettings.fromConfig(config);
        // The node also runs jobs (millrace job ...): it hosts job masters and operator instances in its task slots.
        final List<String> roles = new ArrayList<>(config.getStringList("pekko.cluster.roles"));
        if (!roles.contains(JobCluster.ROLE))
        {
            roles.add(JobCluster.ROLE);
        }
        final Config withJobs = config.withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(roles));
        return new StandaloneNode(BrokerNode.start(withJobs, List.of(node -> JobCluster.start(node.system()))),
            kafka.host());
    }

    public BrokerNode node()
    {
        return node;
    }

    /** {@code host:port} of the Kafka listener, the bound port when 0 was asked for. */
    public String bootstrap()
    {
        return host + ":" + node.kafkaPort();
    }

    public Path dataDir()
    {
        return node.settings().dataDir();
    }

    /** Stops the node (Coordinated Shutdown) and waits for it. */
    public void close()
    {
        node.close();
    }
}
