package dev.millrace.broker.node;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.millrace.broker.controller.ClusterImage;
import dev.millrace.broker.controller.ControllerProtocol.CreateTopic;
import dev.millrace.broker.controller.ControllerProtocol.CreateTopicReply;
import dev.millrace.broker.controller.ControllerProtocol.GetMetadata;
import dev.millrace.broker.controller.ControllerProtocol.TopicCreationAccepted;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Aeron on a node: one media driver per node, whatever uses it. A node with the quorum journal (its own voter and
 * client) and Artery over Aeron runs exactly one driver (one driver conductor thread) and closes it with the node;
 * two nodes form a cluster over {@code transport = aeron-udp}, each on its own driver, and exchange messages (the
 * second node's requests reach the controller singleton on the first).
 */
class BrokerNodeAeronTest
{
    private static final Duration WAIT = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldRunOneMediaDriverForTheQuorumVoterClientAndArtery() throws IOException
    {
        final Set<Thread> before = liveThreads();
        final int voterBase = freeUdpPorts(5);
        final Map<String, Object> settings = new HashMap<>();
        settings.put("millrace.broker.node.journal", "quorum");
        settings.put("millrace.persistence.quorum.voters", List.of("0:127.0.0.1:" + voterBase));
        settings.put("millrace.persistence.quorum.member-id", 0);
        settings.put("millrace.persistence.quorum.term-length", "256k");
        settings.put("millrace.persistence.quorum.max-chunk-bytes", "16k");
        settings.put("millrace.persistence.quorum.timeouts.leader-heartbeat", "1s");
        settings.put("millrace.persistence.quorum.timeouts.leader-heartbeat-interval", "100ms");
        settings.put("millrace.persistence.quorum.timeouts.election", "500ms");
        settings.put("millrace.persistence.quorum.timeouts.startup-canvass", "2s");
        final Path driverDir;
        try (BrokerNode node = BrokerNode.start(config(0, freeUdpPort(), List.of(), dir.resolve("n0"), settings)))
        {
            final Config effective = node.system().settings().config();
            driverDir = Path.of(effective.getString("millrace.persistence.quorum.aeron-dir"));
            assertEquals(driverDir.toString(), effective.getString("pekko.remote.artery.advanced.aeron.aeron-dir"),
                "Artery and the quorum share the node's driver");
            assertFalse(effective.getBoolean("pekko.remote.artery.advanced.aeron.embedded-media-driver"));
            assertTrue(Files.isDirectory(driverDir));
            assertEquals(1, newDriverConductors(before).size(),
                "one driver per node, found conductors " + newDriverConductors(before));
            assertFalse(Files.exists(dir.resolve("n0").resolve("quorum").resolve("aeron")), "no voter-owned driver");

            // The quorum journal works on it: the controller persists the topic.
            final TestProbe<CreateTopicReply> created = TestProbe.create(node.system());
            node.controller().tell(new CreateTopic("on-one-driver", 1, 1, Map.of(), false, created.ref()));
            created.expectMessageClass(TopicCreationAccepted.class, WAIT);
        }
        assertEquals(List.of(), newDriverConductors(before), "the driver stops with the node");
        assertFalse(Files.exists(driverDir), "the node's driver directory is removed at close");
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void shouldFormAClusterOverAeronUdp() throws IOException
    {
        final Set<Thread> before = liveThreads();
        final int firstPort = freeUdpPort();
        final List<String> seeds = List.of("127.0.0.1:" + firstPort);
        try (BrokerNode first = BrokerNode.start(config(0, firstPort, seeds, dir.resolve("n0"), Map.of()));
             BrokerNode second = BrokerNode.start(config(1, freeUdpPort(), seeds, dir.resolve("n1"), Map.of())))
        {
            assertEquals("aeron-udp", second.system().settings().config().getString("pekko.remote.artery.transport"));
            assertEquals(2, newDriverConductors(before).size(), "one driver per node: " + newDriverConductors(before));
            assertEquals(2, Cluster.get(second.system()).state().members().size());

            // Over Artery/Aeron: node 1 asks the controller singleton, which runs on node 0.
            final TestProbe<ClusterImage> metadata = TestProbe.create(second.system());
            second.controller().tell(new GetMetadata(metadata.ref()));
            assertEquals(List.of(0, 1), metadata.expectMessageClass(ClusterImage.class, WAIT).sortedBrokerIds());
            final TestProbe<CreateTopicReply> created = TestProbe.create(second.system());
            second.controller().tell(new CreateTopic("over-aeron", 2, 2, Map.of(), false, created.ref()));
            assertEquals(2, created.expectMessageClass(TopicCreationAccepted.class, WAIT).topic().partitions().size());
        }
        assertEquals(List.of(), newDriverConductors(before), "both drivers stop with their nodes");
    }

    private static Config config(
        final int brokerId, final int port, final List<String> seeds, final Path dataDir, final Map<String, Object> extra)
    {
        final Map<String, Object> settings = new HashMap<>(extra);
        settings.put("millrace.broker.node.data-dir", dataDir.toString());
        settings.put("millrace.broker.node.broker-id", brokerId);
        settings.put("millrace.broker.node.port", port);
        settings.put("millrace.broker.node.transport", "aeron-udp");
        settings.put("millrace.broker.node.seed-nodes", seeds);
        settings.put("millrace.broker.node.start-timeout", "60s");
        settings.put("millrace.transport.aeron.term-buffer-length", "1m");
        settings.put("millrace.transport.aeron.ipc-term-buffer-length", "1m");
        settings.put("pekko.cluster.seed-node-timeout", "1s");
        return ConfigFactory.parseMap(settings).withFallback(ConfigFactory.load());
    }

    private static Set<Thread> liveThreads()
    {
        return new HashSet<>(Thread.getAllStackTraces().keySet());
    }

    /**
     * Aeron names a driver's conductor thread {@code driver-conductor}, or, with the one thread of the shared
     * threading mode, {@code [sender,receiver,driver-conductor]}: one per running driver.
     */
    private static List<String> newDriverConductors(final Set<Thread> before)
    {
        return Thread.getAllStackTraces().keySet().stream()
            .filter(thread -> !before.contains(thread) && thread.isAlive())
            .map(Thread::getName)
            .filter(name -> name.contains("driver-conductor"))
            .sorted()
            .collect(Collectors.toList());
    }

    private static int freeUdpPort() throws IOException
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    /** The first of {@code count} consecutive free UDP ports (a voter uses five from its base port). */
    private static int freeUdpPorts(final int count)
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            final int base = ThreadLocalRandom.current().nextInt(20_000, 60_000);
            boolean free = true;
            for (int port = base; port < base + count && free; port++)
            {
                try (DatagramSocket socket = new DatagramSocket(null))
                {
                    socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                }
                catch (final IOException ex)
                {
                    free = false;
                }
            }
            if (free)
            {
                return base;
            }
        }
        throw new IllegalStateException("no free range of UDP ports found");
    }
}
