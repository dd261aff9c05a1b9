package dev.millrace.broker.node;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.millrace.broker.controller.ClusterImage;
import dev.millrace.broker.controller.ControllerProtocol.GetMetadata;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two nodes in this JVM form one cluster through {@code millrace.broker.node.seed-nodes}; both brokers register with
 * the one controller; a third node with a broker id that is already a member refuses to start, naming the id.
 */
class BrokerNodeClusterTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldFormOneClusterAndRefuseADuplicateBrokerId() throws IOException
    {
        final int firstPort = freePort();
        final List<String> seeds = List.of("127.0.0.1:" + firstPort);
        try (BrokerNode first = BrokerNode.start(config(0, firstPort, seeds, dir.resolve("n0")));
             BrokerNode second = BrokerNode.start(config(1, freePort(), seeds, dir.resolve("n1"))))
        {
            assertEquals(2, Cluster.get(second.system()).state().members().size());
            final TestProbe<ClusterImage> metadata = TestProbe.create(second.system());
            second.controller().tell(new GetMetadata(metadata.ref()));
            assertEquals(List.of(0, 1), metadata.expectMessageClass(ClusterImage.class, WAIT).sortedBrokerIds());

            final IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> BrokerNode.start(config(1, freePort(), seeds, dir.resolve("n1-again"))).close());
            assertTrue(refused.getMessage().contains("broker id 1 is already a member"), refused.getMessage());
            assertTrue(refused.getMessage().contains("millrace.broker.node.broker-id"), refused.getMessage());
            assertEquals(0, first.settings().brokerId());
        }
    }

    private static Config config(final int brokerId, final int port, final List<String> seeds, final Path dataDir)
    {
        return ConfigFactory.parseMap(Map.of(
                "millrace.broker.node.data-dir", dataDir.toString(),
                "millrace.broker.node.broker-id", brokerId,
                "millrace.broker.node.port", port,
                "millrace.broker.node.seed-nodes", seeds,
                "millrace.broker.node.start-timeout", "30s",
                "pekko.cluster.seed-node-timeout", "1s"))
            .withFallback(ConfigFactory.load());
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            return socket.getLocalPort();
        }
    }
}
