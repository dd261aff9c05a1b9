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
import dev.millrace.broker.controller.ControllerErrorCode;
import dev.millrace.broker.controller.ControllerProtocol.CreateTopic;
import dev.millrace.broker.controller.ControllerProtocol.CreateTopicReply;
import dev.millrace.broker.controller.ControllerProtocol.GetMetadata;
import dev.millrace.broker.controller.ControllerProtocol.Rejected;
import dev.millrace.broker.controller.ControllerProtocol.TopicCreationAccepted;
import dev.millrace.broker.controller.PartitionImage;
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
 * the one controller; a third node with a broker id that is already a member refuses to start, naming the id; once
 * broker 1 has left, the controller assigns new replicas to broker 0 only.
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

            // Broker 1 leaves: the controller no longer assigns new replicas to it.
            second.close();
            final TestProbe<CreateTopicReply> created = TestProbe.create(first.system());
            created.awaitAssert(WAIT, () ->
            {
                first.controller().tell(new CreateTopic("after-leave-" + System.nanoTime(), 1, 2, Map.of(), true,
                    created.ref()));
                final Rejected rejected = created.expectMessageClass(Rejected.class, WAIT);
                assertEquals(ControllerErrorCode.INVALID_REPLICATION_FACTOR, rejected.error());
                return null;
            });
            first.controller().tell(new CreateTopic("spread", 4, 1, Map.of(), false, created.ref()));
            final TopicCreationAccepted accepted = created.expectMessageClass(TopicCreationAccepted.class, WAIT);
            for (final PartitionImage partition : accepted.topic().partitions())
            {
                assertEquals(List.of(0), partition.replicas(), "partition " + partition.partition() + " on a live broker");
            }
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
