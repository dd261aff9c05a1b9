package dev.millrace.multinode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 6's metadata and failover, with real processes: three node JVMs ({@link LocalCluster}, quorum journal). A
 * topic with replication factor 3 is created through node 0; every node's Kafka listener then lists all three
 * brokers (Admin.describeCluster) and the same leaders, replicas and ISRs (Admin.describeTopics). Then the node of a
 * partition leader that does not host the controller is killed with SIGKILL: each survivor's Metadata (read raw, for
 * the leader epoch) names another leader for that partition with a higher leader epoch, an ISR without the killed
 * broker, and lists only the two live brokers. A node stopped gracefully (SIGTERM) first has the controller move its
 * leaderships to other in-sync replicas (controlled shutdown). Data replication is not exercised here.
 */
class MetadataITCase
{
    private static final Duration CALL = Duration.ofSeconds(20);
    private static final Duration CONVERGE = Duration.ofSeconds(60);
    private static final String TOPIC = "replicated";
    private static final int PARTITIONS = 3;

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void everyNodeListsEveryBrokerAndTheSameLeadersAndANewLeaderAfterSigkill() throws Exception
    {
        try (LocalCluster cluster = LocalCluster.builder().nodes(3).journal("quorum").start())
        {
            final NodeProcess controller = eventually(Duration.ofSeconds(30), () -> cluster.controllerNode().orElseThrow());
            try (Admin admin = admin(cluster.node(0)))
            {
                admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short)3))).all()
                    .get(CALL.toSeconds(), TimeUnit.SECONDS);
            }

            Map<Integer, Integer> leaders = null;
            for (final NodeProcess node : cluster.nodes())
            {
                final Map<Integer, Integer> seen = eventually(CONVERGE, () -> describe(node, Set.of(0, 1, 2), 3));
                if (leaders == null)
                {
                    leaders = seen;
                }
                assertEquals(leaders, seen, "node " + node.index() + " names the same leaders");
            }
            assertEquals(Set.of(0, 1, 2), new HashSet<>(leaders.values()), "leaders spread over the brokers: " + leaders);

            final Map<Integer, Integer> before = leaders;
            final int partition = before.entrySet().stream()
                .filter(e -> e.getValue() != controller.brokerId()).findFirst().orElseThrow().getKey();
            final NodeProcess victim = cluster.node(before.get(partition));
            // Admin's describe above may have asked any node; the victim itself must name itself leader too.
            final MetadataResponseData.MetadataResponsePartition old = eventually(CONVERGE, () ->
            {
                final MetadataResponseData.MetadataResponsePartition p = rawPartition(victim, partition);
                assertEquals(victim.brokerId(), p.leaderId());
                return p;
            });

            final long killedAt = System.nanoTime();
            victim.kill();
            assertFalse(victim.isAlive());

            for (final NodeProcess survivor : cluster.aliveNodes())
            {
                final MetadataResponseData.MetadataResponsePartition now = eventually(CONVERGE, () ->
                {
                    final MetadataResponseData.MetadataResponsePartition p = rawPartition(survivor, partition);
                    assertTrue(p.leaderId() >= 0 && p.leaderId() != victim.brokerId(), "leader still " + p.leaderId());
                    return p;
                });
                System.out.printf("node %d names broker %d leader of %s-%d (epoch %d -> %d) %d ms after SIGKILL of " +
                    "broker %d%n", survivor.index(), now.leaderId(), TOPIC, partition, old.leaderEpoch(),
                    now.leaderEpoch(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt), victim.brokerId());
                assertTrue(now.leaderEpoch() > old.leaderEpoch(), "leader epoch rose: " + now);
                assertFalse(now.isrNodes().contains(victim.brokerId()), "killed broker left the ISR: " + now);
                assertEquals(Errors.NONE.code(), now.errorCode());

                final Set<Integer> live = new HashSet<>(List.of(0, 1, 2));
                live.remove(victim.brokerId());
                eventually(CONVERGE, () -> describe(survivor, live, 2));
            }
        }
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aNodeStoppedGracefullyHandsItsLeadershipsOverBeforeItLeaves() throws Exception
    {
        try (LocalCluster cluster = LocalCluster.builder().nodes(3).journal("quorum").start())
        {
            final NodeProcess controller = eventually(Duration.ofSeconds(30), () -> cluster.controllerNode().orElseThrow());
            try (Admin admin = admin(cluster.node(0)))
            {
                admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short)3))).all()
                    .get(CALL.toSeconds(), TimeUnit.SECONDS);
            }
            final Map<Integer, Integer> leaders = eventually(CONVERGE, () -> describe(controller, Set.of(0, 1, 2), 3));
            final int partition = leaders.entrySet().stream()
                .filter(e -> e.getValue() != controller.brokerId()).findFirst().orElseThrow().getKey();
            final NodeProcess stopping = cluster.node(leaders.get(partition));

            stopping.stop(Duration.ofSeconds(60));

            assertTrue(stopping.logged("controlled shutdown: broker " + stopping.brokerId() + " leads no partition"),
                stopping.stderrTail(30));
            assertTrue(controller.logged("controlled shutdown of broker " + stopping.brokerId()),
                "the controller moved the leaderships");
            // Decided before the node left: every survivor already names another leader, with a higher epoch, and
            // an ISR without the stopped broker.
            for (final NodeProcess survivor : cluster.aliveNodes())
            {
                final MetadataResponseData.MetadataResponsePartition now = eventually(CONVERGE, () ->
                {
                    final MetadataResponseData.MetadataResponsePartition p = rawPartition(survivor, partition);
                    assertTrue(p.leaderId() >= 0 && p.leaderId() != stopping.brokerId(), "leader still " + p.leaderId());
                    return p;
                });
                assertEquals(1, now.leaderEpoch(), now.toString());
                assertFalse(now.isrNodes().contains(stopping.brokerId()), now.toString());
            }
        }
    }

    /**
     * Asserts what the node's Admin sees: {@code brokers} listed with a controller, every partition of
     * {@value #TOPIC} with {@code isrSize} in-sync replicas among 3 and a leader among them.
     *
     * @return the leader of each partition.
     */
    private static Map<Integer, Integer> describe(final NodeProcess node, final Set<Integer> brokers, final int isrSize)
        throws Exception
    {
        try (Admin admin = admin(node))
        {
            final DescribeClusterResult cluster = admin.describeCluster();
            final Set<Integer> ids = new HashSet<>();
            for (final Node broker : cluster.nodes().get(CALL.toSeconds(), TimeUnit.SECONDS))
            {
                ids.add(broker.id());
            }
            assertEquals(brokers, ids, "brokers listed by node " + node.index());
            final Node controller = cluster.controller().get(CALL.toSeconds(), TimeUnit.SECONDS);
            assertTrue(controller != null && brokers.contains(controller.id()), "controller " + controller);

            final TopicDescription topic = admin.describeTopics(List.of(TOPIC)).allTopicNames()
                .get(CALL.toSeconds(), TimeUnit.SECONDS).get(TOPIC);
            assertEquals(PARTITIONS, topic.partitions().size());
            final Map<Integer, Integer> leaders = new HashMap<>();
            for (final TopicPartitionInfo partition : topic.partitions())
            {
                assertEquals(3, partition.replicas().size(), partition.toString());
                assertEquals(isrSize, partition.isr().size(), partition.toString());
                assertTrue(partition.leader() != null && brokers.contains(partition.leader().id()), partition.toString());
                leaders.put(partition.partition(), partition.leader().id());
            }
            return leaders;
        }
    }

    /** One partition of {@value #TOPIC} from a raw Metadata request to the node (Admin does not show leader epochs). */
    private static MetadataResponseData.MetadataResponsePartition rawPartition(final NodeProcess node, final int partition)
        throws Exception
    {
        final short version = ApiKeys.METADATA.latestVersion();
        final RequestHeader header = new RequestHeader(ApiKeys.METADATA, version, "metadata-it", 1);
        final MetadataRequest request = new MetadataRequest(new MetadataRequestData()
            .setTopics(List.of(new MetadataRequestData.MetadataRequestTopic().setName(TOPIC)))
            .setAllowAutoTopicCreation(false), version);
        final MetadataResponse response = (MetadataResponse)roundTrip(node, header, request.serializeWithHeader(header));
        final MetadataResponseData.MetadataResponseTopic topic = response.data().topics().find(TOPIC);
        assertEquals(Errors.NONE.code(), topic.errorCode(), "topic error");
        final List<MetadataResponseData.MetadataResponsePartition> partitions = new ArrayList<>(topic.partitions());
        return partitions.stream().filter(p -> p.partitionIndex() == partition).findFirst().orElseThrow();
    }

    private static AbstractResponse roundTrip(final NodeProcess node, final RequestHeader header, final ByteBuffer request)
        throws Exception
    {
        try (Socket socket = new Socket(LocalCluster.HOST, node.ports().kafka()))
        {
            socket.setSoTimeout((int)CALL.toMillis());
            final DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            final byte[] bytes = new byte[request.remaining()];
            request.get(bytes);
            out.writeInt(bytes.length);
            out.write(bytes);
            out.flush();
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            final byte[] response = new byte[in.readInt()];
            in.readFully(response);
            return AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
        }
    }

    private static Admin admin(final NodeProcess node)
    {
        final Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
        return Admin.create(props);
    }

    /** Retries {@code call} until it returns without throwing, for at most {@code within} (bounded). */
    private static <T> T eventually(final Duration within, final Callable<T> call) throws Exception
    {
        final long deadline = System.nanoTime() + within.toNanos();
        Throwable last;
        do
        {
            try
            {
                return call.call();
            }
            catch (final Exception | AssertionError ex)
            {
                last = ex;
            }
            TimeUnit.MILLISECONDS.sleep(250);
        }
        while (System.nanoTime() - deadline < 0);
        throw new AssertionError("gave up after " + within + ": " + last, last);
    }
}
