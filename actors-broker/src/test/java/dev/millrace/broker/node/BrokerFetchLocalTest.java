package dev.millrace.broker.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.millrace.broker.controller.ControllerProtocol.CreateTopicReply;
import dev.millrace.broker.controller.ControllerProtocol.TopicCreationAccepted;
import dev.millrace.broker.controller.PartitionImage;
import dev.millrace.broker.partition.PartitionProtocol;
import dev.millrace.broker.partition.PartitionProtocol.ErrorCode;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Broker.FetchLocal} (the Kafka listener's fetch, answered with a region of the segment file) reaches the
 * replica only when this broker leads the partition: a partition led by another broker is refused with
 * NOT_LEADER_OR_FOLLOWER, since a region is valid only in its leader's JVM; {@link Broker.Fetch} still reaches a
 * remote leader.
 */
class BrokerFetchLocalTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    @Test
    @Timeout(value = 90, unit = TimeUnit.SECONDS)
    void shouldFetchARegionOfALocallyLedPartitionAndRefuseOneLedByAnotherBroker() throws IOException
    {
        final int firstPort = freePort();
        final List<String> seeds = List.of("127.0.0.1:" + firstPort);
        try (BrokerNode first = BrokerNode.start(config(0, firstPort, seeds, dir.resolve("n0")));
             BrokerNode second = BrokerNode.start(config(1, freePort(), seeds, dir.resolve("n1"))))
        {
            final TestProbe<CreateTopicReply> created = TestProbe.create(first.system());
            first.broker().tell(new Broker.CreateTopic("regions", 4, 1, Map.of(), created.ref()));
            final TopicCreationAccepted accepted = created.expectMessageClass(TopicCreationAccepted.class, WAIT);
            TopicPartition local = null;
            TopicPartition remote = null;
            for (final PartitionImage partition : accepted.topic().partitions())
            {
                final TopicPartition topicPartition = new TopicPartition("regions", partition.partition());
                if (partition.leader() == 0)
                {
                    local = topicPartition;
                }
                else if (partition.leader() == 1)
                {
                    remote = topicPartition;
                }
            }
            assertNotNull(local, "a partition led by broker 0: " + accepted.topic().partitions());
            assertNotNull(remote, "a partition led by broker 1: " + accepted.topic().partitions());

            final TestProbe<PartitionProtocol.FetchLocalReply> fetchedLocal = TestProbe.create(first.system());
            final TopicPartition led = local;
            fetchedLocal.awaitAssert(WAIT, () ->
            {
                first.broker().tell(new Broker.FetchLocal(
                    new PartitionProtocol.FetchLocal(led, 0, 1024, 0, 0, fetchedLocal.ref())));
                final PartitionProtocol.FetchedRegion region = assertInstanceOf(
                    PartitionProtocol.FetchedRegion.class, fetchedLocal.receiveMessage(WAIT));
                assertEquals(0, region.length());
                return null;
            });

            first.broker().tell(new Broker.FetchLocal(new PartitionProtocol.FetchLocal(remote, 0, 1024, 0, 0, fetchedLocal.ref())));
            final PartitionProtocol.Rejected refused =
                assertInstanceOf(PartitionProtocol.Rejected.class, fetchedLocal.receiveMessage(WAIT));
            assertEquals(ErrorCode.NOT_LEADER_OR_FOLLOWER, refused.error());
            assertTrue(refused.message().contains("led by broker 1"), refused.message());

            final TestProbe<PartitionProtocol.FetchReply> fetched = TestProbe.create(first.system());
            final TopicPartition elsewhere = remote;
            fetched.awaitAssert(WAIT, () ->
            {
                first.broker().tell(new Broker.Fetch(new PartitionProtocol.Fetch(elsewhere, 0, 1024, 0, 0, fetched.ref())));
                assertInstanceOf(PartitionProtocol.Fetched.class, fetched.receiveMessage(WAIT));
                return null;
            });
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
