package dev.millrace.deploy.cli;

import java.nio.file.Path;
import java.util.Map;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.millrace.broker.node.BrokerNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** One in-JVM node per test class, its Kafka listener on a free port, its data in a temp directory. */
abstract class NodeTestSupport
{
    @TempDir
    static Path dataDir;

    static BrokerNode node;
    static String bootstrap;

    static Config nodeConfig(final Path dir)
    {
        return ConfigFactory.parseMap(Map.of(
                "millrace.broker.node.data-dir", dir.toString(),
                "millrace.broker.node.port", 0,
                "millrace.broker.node.start-timeout", "30s",
                "millrace.broker.group.initial-rebalance-delay", "0s",
                "millrace.broker.kafka.enabled", "on",
                "millrace.broker.kafka.port", 0))
            .withFallback(ConfigFactory.load());
    }

    @BeforeAll
    static void startNode()
    {
        node = BrokerNode.start(nodeConfig(dataDir));
        bootstrap = "127.0.0.1:" + node.kafkaPort();
    }

    @AfterAll
    static void stopNode()
    {
        if (node != null)
        {
            node.close();
            node = null;
        }
    }
}
