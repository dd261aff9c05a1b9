package dev.millrace.broker.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import dev.millrace.broker.node.BrokerNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConsumerGroupOffsetsResult;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListConsumerGroupsOptions;
import org.apache.kafka.clients.admin.ListGroupsOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.GroupType;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.message.ListGroupsRequestData;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.ListGroupsRequest;
import org.apache.kafka.common.requests.ListGroupsResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The group coordinator's answers that used to differ from Kafka's: OffsetCommit of unknown topics or partitions,
 * ListGroups' state and type filters, and FindCoordinator for transactional ids (Millrace has no transactions), each
 * through the real kafka-clients and, where Admin hides the wire, the generated request classes.
 */
class KafkaCoordinatorGapsTest
{
    private static final long WAIT_S = 20;

    @TempDir
    Path dataDir;

    @Test
    @Timeout(60)
    void shouldRefuseCommitsOfUnknownTopicsAndPartitionsAndCommitTheOthers() throws Exception
    {
        try (BrokerNode node = BrokerNode.start(KafkaClientsTest.nodeConfig(dataDir));
             Admin admin = KafkaClientsTest.admin(node))
        {
            KafkaClientsTest.createTopic(node, "orders", 2);
            final TopicPartition known = new TopicPartition("orders", 1);
            final TopicPartition beyond = new TopicPartition("orders", 7);
            final TopicPartition ghost = new TopicPartition("ghost", 0);
            final AlterConsumerGroupOffsetsResult result = admin.alterConsumerGroupOffsets("audit", Map.of(
                known, new OffsetAndMetadata(5), beyond, new OffsetAndMetadata(3), ghost, new OffsetAndMetadata(1)));
            result.partitionResult(known).get(WAIT_S, TimeUnit.SECONDS);
            for (final TopicPartition unknown : List.of(beyond, ghost))
            {
                final ExecutionException refused = assertThrows(ExecutionException.class,
                    () -> result.partitionResult(unknown).get(WAIT_S, TimeUnit.SECONDS));
                assertInstanceOf(UnknownTopicOrPartitionException.class, refused.getCause(), unknown::toString);
            }
            final Map<TopicPartition, OffsetAndMetadata> committed =
                admin.listConsumerGroupOffsets("audit").partitionsToOffsetAndMetadata().get(WAIT_S, TimeUnit.SECONDS);
            assertEquals(Map.of(known, new OffsetAndMetadata(5)), committed);

            // Nothing known to commit: the coordinator is not asked, so no group comes to exist.
            final ExecutionException phantom = assertThrows(ExecutionException.class,
                () -> admin.alterConsumerGroupOffsets("phantom", Map.of(ghost, new OffsetAndMetadata(1)))
                    .all().get(WAIT_S, TimeUnit.SECONDS));
            assertInstanceOf(UnknownTopicOrPartitionException.class, phantom.getCause());
            final Set<String> groups = admin.listGroups().all().get(WAIT_S, TimeUnit.SECONDS).stream()
                .map(GroupListing::groupId).collect(Collectors.toSet());
            assertEquals(Set.of("audit"), groups);
        }
    }

    @Test
    @Timeout(90)
    void shouldApplyTheStatesAndTypesFiltersOfListGroups() throws Exception
    {
        try (BrokerNode node = BrokerNode.start(KafkaClientsTest.nodeConfig(dataDir));
             Admin admin = KafkaClientsTest.admin(node))
        {
            KafkaClientsTest.createTopic(node, "events", 1);
            admin.alterConsumerGroupOffsets("idle", Map.of(new TopicPartition("events", 0), new OffsetAndMetadata(0)))
                .all().get(WAIT_S, TimeUnit.SECONDS);
            try (KafkaConsumer<byte[], byte[]> consumer = consumer(node, "active"))
            {
                consumer.subscribe(List.of("events"));
                final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (consumer.assignment().isEmpty() && System.nanoTime() < deadlineNs)
                {
                    consumer.poll(Duration.ofMillis(100));
                }
                assertFalse(consumer.assignment().isEmpty(), "the consumer never got its partition");

                final Set<String> stable = admin.listConsumerGroups(
                        new ListConsumerGroupsOptions().inGroupStates(Set.of(GroupState.STABLE)))
                    .all().get(WAIT_S, TimeUnit.SECONDS).stream()
                    .map(ConsumerGroupListing::groupId).collect(Collectors.toSet());
                assertEquals(Set.of("active"), stable);

                final List<GroupListing> empty = List.copyOf(admin.listGroups(
                        ListGroupsOptions.forConsumerGroups().inGroupStates(Set.of(GroupState.EMPTY)))
                    .all().get(WAIT_S, TimeUnit.SECONDS));
                assertEquals(1, empty.size(), empty::toString);
                assertEquals("idle", empty.get(0).groupId());
                assertEquals(Optional.of(GroupState.EMPTY), empty.get(0).groupState());
                assertEquals(Optional.of(GroupType.CLASSIC), empty.get(0).type());

                final Set<String> both = admin.listGroups(ListGroupsOptions.forConsumerGroups()
                        .inGroupStates(Set.of(GroupState.EMPTY, GroupState.STABLE)))
                    .all().get(WAIT_S, TimeUnit.SECONDS).stream()
                    .map(GroupListing::groupId).collect(Collectors.toSet());
                assertEquals(Set.of("active", "idle"), both);

                assertTrue(admin.listGroups(new ListGroupsOptions().withTypes(Set.of(GroupType.SHARE)))
                    .all().get(WAIT_S, TimeUnit.SECONDS).isEmpty());

                // On the wire: states without case and surrounding blanks, types without case.
                final ListGroupsResponseData filtered = listGroups(node, (short)5,
                    new ListGroupsRequestData().setStatesFilter(List.of(" sTaBlE ")).setTypesFilter(List.of("CLASSIC")));
                assertEquals(Errors.NONE.code(), filtered.errorCode());
                assertEquals(1, filtered.groups().size(), filtered::toString);
                final ListGroupsResponseData.ListedGroup active = filtered.groups().get(0);
                assertEquals("active", active.groupId());
                assertEquals("Stable", active.groupState());
                assertEquals("classic", active.groupType());
                assertEquals("consumer", active.protocolType());
                assertTrue(listGroups(node, (short)5, new ListGroupsRequestData().setTypesFilter(List.of("streams")))
                    .groups().isEmpty());
                assertTrue(listGroups(node, (short)4, new ListGroupsRequestData().setStatesFilter(List.of("Dead")))
                    .groups().isEmpty());
                assertEquals(Set.of("active", "idle"), listGroups(node, (short)3, new ListGroupsRequestData())
                    .groups().stream().map(ListGroupsResponseData.ListedGroup::groupId).collect(Collectors.toSet()));
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldFailATransactionalProducerAtOnceWithAClearException() throws Exception
    {
        try (BrokerNode node = BrokerNode.start(KafkaClientsTest.nodeConfig(dataDir)))
        {
            final Properties props = new Properties();
            props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaClientsTest.bootstrap(node));
            props.put(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "payments-tx");
            props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 30_000);
            try (KafkaProducer<byte[], byte[]> producer =
                new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer()))
            {
                final long startNs = System.nanoTime();
                final KafkaException failure = assertThrows(KafkaException.class, producer::initTransactions);
                final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
                assertFalse(failure instanceof TimeoutException, () -> "timed out instead of failing: " + failure);
                assertTrue(elapsedMs < 10_000, () -> "took " + elapsedMs + " ms");
                assertTrue(String.valueOf(failure.getMessage()).contains("does not support transactions"),
                    failure::toString);
            }

            // Each key type on the wire, single (v3) and batched (v6): groups still find this node.
            final FindCoordinatorResponseData single = findCoordinator(node, (short)3, new FindCoordinatorRequestData()
                .setKey("payments-tx").setKeyType(FindCoordinatorRequest.CoordinatorType.TRANSACTION.id()));
            assertEquals(Errors.UNSUPPORTED_VERSION.code(), single.errorCode());
            assertTrue(single.errorMessage().contains("transactions"), single::toString);
            final FindCoordinatorResponseData batched = findCoordinator(node, (short)6, new FindCoordinatorRequestData()
                .setCoordinatorKeys(List.of("a", "b")).setKeyType(FindCoordinatorRequest.CoordinatorType.TRANSACTION.id()));
            assertEquals(2, batched.coordinators().size());
            batched.coordinators().forEach(coordinator ->
                assertEquals(Errors.UNSUPPORTED_VERSION.code(), coordinator.errorCode()));
            final FindCoordinatorResponseData group = findCoordinator(node, (short)6, new FindCoordinatorRequestData()
                .setCoordinatorKeys(List.of("billing")).setKeyType(FindCoordinatorRequest.CoordinatorType.GROUP.id()));
            assertEquals(Errors.NONE.code(), group.coordinators().get(0).errorCode());
            assertEquals(node.kafkaPort(), group.coordinators().get(0).port());
        }
    }

    private static KafkaConsumer<byte[], byte[]> consumer(final BrokerNode node, final String groupId)
    {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaClientsTest.bootstrap(node));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
        props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    private static ListGroupsResponseData listGroups(final BrokerNode node, final short version, final ListGroupsRequestData data)
        throws Exception
    {
        final RequestHeader header = new RequestHeader(ApiKeys.LIST_GROUPS, version, "gaps-test", 11);
        return ((ListGroupsResponse)roundTrip(node, header, new ListGroupsRequest.Builder(data).build(version))).data();
    }

    private static FindCoordinatorResponseData findCoordinator(
        final BrokerNode node, final short version, final FindCoordinatorRequestData data) throws Exception
    {
        final RequestHeader header = new RequestHeader(ApiKeys.FIND_COORDINATOR, version, "gaps-test", 12);
        return ((FindCoordinatorResponse)roundTrip(node, header,
            new FindCoordinatorRequest.Builder(data).build(version))).data();
    }

    /** One request over a plain socket, for the fields and versions Admin does not let a test choose. */
    private static AbstractResponse roundTrip(final BrokerNode node, final RequestHeader header, final AbstractRequest request)
        throws Exception
    {
        try (Socket socket = new Socket("127.0.0.1", node.kafkaPort()))
        {
            socket.setSoTimeout((int)TimeUnit.SECONDS.toMillis(WAIT_S));
            final ByteBuffer buffer = request.serializeWithHeader(header);
            final byte[] bytes = new byte[buffer.remaining()];
            buffer.get(bytes);
            final DataOutputStream out = new DataOutputStream(socket.getOutputStream());
            out.writeInt(bytes.length);
            out.write(bytes);
            out.flush();
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            final byte[] response = new byte[in.readInt()];
            in.readFully(response);
            return AbstractResponse.parseResponse(ByteBuffer.wrap(response), header);
        }
    }
}
