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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import com.typesafe.config.ConfigFactory;
import dev.millrace.broker.node.BrokerNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ConsumerGroupListing;
import org.apache.kafka.clients.admin.CreatePartitionsOptions;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.DescribeProducersResult;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.InvalidConfigurationException;
import org.apache.kafka.common.errors.InvalidPartitionsException;
import org.apache.kafka.common.errors.InvalidReplicationFactorException;
import org.apache.kafka.common.errors.InvalidTopicException;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.ApiVersionsRequestData;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterConfigsResponse;
import org.apache.kafka.common.requests.ApiVersionsRequest;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every Admin call the listener supports, and the kafka-clients exception types of bad requests, against one node
 * shared by the tests of this class (each test uses its own topics and groups).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class KafkaAdminITCase
{
    private static final long WAIT_S = 20;

    @TempDir
    static Path dataDir;

    private BrokerNode node;
    private Admin admin;

    static com.typesafe.config.Config itConfig(final Path dataDir)
    {
        // Consumers of a test join at once: no initial rebalance delay.
        return ConfigFactory.parseMap(Map.of("millrace.broker.group.initial-rebalance-delay", "0s"))
            .withFallback(KafkaClientsTest.nodeConfig(dataDir));
    }

    @BeforeAll
    void startNode()
    {
        node = BrokerNode.start(itConfig(dataDir));
        admin = KafkaClientsTest.admin(node);
    }

    @AfterAll
    void stopNode()
    {
        if (admin != null)
        {
            admin.close(Duration.ofSeconds(5));
        }
        if (node != null)
        {
            node.close();
        }
    }

    @Test
    void shouldCreateValidateListDescribeGrowAndDeleteTopics() throws Exception
    {
        admin.createTopics(List.of(new NewTopic("admin-dry", 3, (short)1)), new CreateTopicsOptions().validateOnly(true))
            .all().get(WAIT_S, TimeUnit.SECONDS);
        assertFalse(topicNames().contains("admin-dry"), "validateOnly created the topic");

        admin.createTopics(List.of(new NewTopic("admin-grow", 2, (short)1)
                .configs(Map.of("retention.ms", "7200000"))))
            .all().get(WAIT_S, TimeUnit.SECONDS);
        assertTrue(topicNames().contains("admin-grow"));
        final TopicDescription described = admin.describeTopics(List.of("admin-grow")).allTopicNames()
            .get(WAIT_S, TimeUnit.SECONDS).get("admin-grow");
        assertEquals(2, described.partitions().size());
        assertEquals(node.kafkaPort(), described.partitions().get(0).leader().port());

        admin.createPartitions(Map.of("admin-grow", NewPartitions.increaseTo(5)), new CreatePartitionsOptions().validateOnly(true))
            .all().get(WAIT_S, TimeUnit.SECONDS);
        assertEquals(2, partitionCount("admin-grow"), "validateOnly added partitions");
        admin.createPartitions(Map.of("admin-grow", NewPartitions.increaseTo(5))).all().get(WAIT_S, TimeUnit.SECONDS);
        assertEquals(5, partitionCount("admin-grow"));
        // The new partitions take records at once.
        try (KafkaProducer<byte[], byte[]> producer = KafkaClientsTest.producer(node))
        {
            assertEquals(0, producer.send(new ProducerRecord<>("admin-grow", 4, null, KafkaClientsTest.value(1)))
                .get(WAIT_S, TimeUnit.SECONDS).offset());
        }
        final ExecutionException shrink = assertThrows(ExecutionException.class, () ->
            admin.createPartitions(Map.of("admin-grow", NewPartitions.increaseTo(3))).all().get(WAIT_S, TimeUnit.SECONDS));
        assertInstanceOf(InvalidPartitionsException.class, shrink.getCause());
        final ExecutionException unknownGrow = assertThrows(ExecutionException.class, () ->
            admin.createPartitions(Map.of("admin-none", NewPartitions.increaseTo(3))).all().get(WAIT_S, TimeUnit.SECONDS));
        assertInstanceOf(UnknownTopicOrPartitionException.class, unknownGrow.getCause());

        admin.deleteTopics(List.of("admin-grow")).all().get(WAIT_S, TimeUnit.SECONDS);
        assertFalse(topicNames().contains("admin-grow"));
        final ExecutionException unknownDelete = assertThrows(ExecutionException.class, () ->
            admin.deleteTopics(List.of("admin-grow")).all().get(WAIT_S, TimeUnit.SECONDS));
        assertInstanceOf(UnknownTopicOrPartitionException.class, unknownDelete.getCause());
        final ExecutionException unknownDescribe = assertThrows(ExecutionException.class, () ->
            admin.describeTopics(List.of("admin-grow")).allTopicNames().get(WAIT_S, TimeUnit.SECONDS));
        assertInstanceOf(UnknownTopicOrPartitionException.class, unknownDescribe.getCause());
    }

    @Test
    void shouldRefuseBadTopicsWithTheRightExceptionTypes() throws Exception
    {
        admin.createTopics(List.of(new NewTopic("admin-exists", 1, (short)1))).all().get(WAIT_S, TimeUnit.SECONDS);
        assertCreateFails(new NewTopic("admin-exists", 1, (short)1), TopicExistsException.class);
        assertCreateFails(new NewTopic("bad name!", 1, (short)1), InvalidTopicException.class);
        assertCreateFails(new NewTopic("admin-zero", 0, (short)1), InvalidPartitionsException.class);
        assertCreateFails(new NewTopic("admin-rf", 1, (short)3), InvalidReplicationFactorException.class);
        assertCreateFails(new NewTopic("admin-cfg", 1, (short)1).configs(Map.of("retention.ms", "soon")),
            InvalidConfigurationException.class);
        assertCreateFails(new NewTopic("admin-cfg", 1, (short)1).configs(Map.of("no.such.config", "1")),
            InvalidConfigurationException.class);
        // validateOnly reports the same errors without creating.
        final ExecutionException dry = assertThrows(ExecutionException.class, () -> admin.createTopics(
                List.of(new NewTopic("admin-cfg", 1, (short)1).configs(Map.of("cleanup.policy", "shred"))),
                new CreateTopicsOptions().validateOnly(true))
            .all().get(WAIT_S, TimeUnit.SECONDS));
        assertInstanceOf(InvalidConfigurationException.class, dry.getCause());
        assertFalse(topicNames().contains("admin-cfg"));

        final ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "admin-exists");
        final ExecutionException badAlter = assertThrows(ExecutionException.class, () -> admin.incrementalAlterConfigs(
                Map.of(resource, List.of(new AlterConfigOp(new ConfigEntry("retention.ms", "-5x"), AlterConfigOp.OpType.SET))))
            .all().get(WAIT_S, TimeUnit.SECONDS));
        assertInstanceOf(InvalidConfigurationException.class, badAlter.getCause());
    }

    @Test
    void shouldDescribeAlterAndReplaceTopicConfigs() throws Exception
    {
        admin.createTopics(List.of(new NewTopic("admin-cfgs", 1, (short)1)
                .configs(Map.of("retention.ms", "3600000", "cleanup.policy", "delete"))))
            .all().get(WAIT_S, TimeUnit.SECONDS);
        final ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, "admin-cfgs");
        assertEquals(Map.of("retention.ms", "3600000", "cleanup.policy", "delete"), overrides(resource));

        admin.incrementalAlterConfigs(Map.of(resource, List.of(
                new AlterConfigOp(new ConfigEntry("max.message.bytes", "65536"), AlterConfigOp.OpType.SET),
                new AlterConfigOp(new ConfigEntry("cleanup.policy", ""), AlterConfigOp.OpType.DELETE))))
            .all().get(WAIT_S, TimeUnit.SECONDS);
        assertEquals(Map.of("retention.ms", "3600000", "max.message.bytes", "65536"), overrides(resource));

        // Legacy AlterConfigs (Admin.alterConfigs is gone from kafka-clients 4): the whole set replaces the overrides.
        final AlterConfigsResponse dry = alterConfigs("admin-cfgs", Map.of("segment.bytes", "1048576"), true);
        assertEquals(Errors.NONE, error(dry));
        assertEquals(Map.of("retention.ms", "3600000", "max.message.bytes", "65536"), overrides(resource));
        final AlterConfigsResponse replaced = alterConfigs("admin-cfgs", Map.of("segment.bytes", "1048576"), false);
        assertEquals(Errors.NONE, error(replaced));
        assertEquals(Map.of("segment.bytes", "1048576"), overrides(resource));
        assertEquals(Errors.INVALID_CONFIG, error(alterConfigs("admin-cfgs", Map.of("segment.bytes", "big"), false)));
        assertEquals(Errors.UNKNOWN_TOPIC_OR_PARTITION, error(alterConfigs("admin-nope", Map.of(), false)));
        assertEquals(Map.of("segment.bytes", "1048576"), overrides(resource));
    }

    @Test
    void shouldDeleteRecordsListOffsetsAndDescribeTheClusterAndProducers() throws Exception
    {
        admin.createTopics(List.of(new NewTopic("admin-records", 2, (short)1))).all().get(WAIT_S, TimeUnit.SECONDS);
        final TopicPartition p0 = new TopicPartition("admin-records", 0);
        final long producerId;
        try (KafkaProducer<byte[], byte[]> producer = KafkaClientsTest.producer(node))
        {
            for (int i = 0; i < 100; i++)
            {
                producer.send(new ProducerRecord<>("admin-records", 0, null, KafkaClientsTest.value(i)));
            }
            producer.flush();
            final DescribeProducersResult.PartitionProducerState state =
                admin.describeProducers(List.of(p0)).partitionResult(p0).get(WAIT_S, TimeUnit.SECONDS);
            assertEquals(1, state.activeProducers().size());
            producerId = state.activeProducers().get(0).producerId();
            assertTrue(producerId >= 0);
            assertEquals(99, state.activeProducers().get(0).lastSequence());
            assertTrue(admin.describeProducers(List.of(new TopicPartition("admin-records", 1)))
                .partitionResult(new TopicPartition("admin-records", 1)).get(WAIT_S, TimeUnit.SECONDS)
                .activeProducers().isEmpty());
        }
        assertEquals(100, offset(p0, OffsetSpec.latest()));
        assertEquals(0, offset(p0, OffsetSpec.earliest()));
        assertEquals(40, admin.deleteRecords(Map.of(p0, RecordsToDelete.beforeOffset(40))).lowWatermarks().get(p0)
            .get(WAIT_S, TimeUnit.SECONDS).lowWatermark());
        assertEquals(40, offset(p0, OffsetSpec.earliest()));
        final ExecutionException beyond = assertThrows(ExecutionException.class, () ->
            admin.deleteRecords(Map.of(p0, RecordsToDelete.beforeOffset(1_000))).all().get(WAIT_S, TimeUnit.SECONDS));
        assertEquals("OffsetOutOfRangeException", beyond.getCause().getClass().getSimpleName());

        assertEquals(1, admin.describeCluster().nodes().get(WAIT_S, TimeUnit.SECONDS).size());
        assertEquals(node.kafkaPort(), admin.describeCluster().controller().get(WAIT_S, TimeUnit.SECONDS).port());
    }

    @Test
    void shouldListDescribeAlterAndDeleteConsumerGroupsAndTheirOffsets() throws Exception
    {
        admin.createTopics(List.of(new NewTopic("admin-groups", 2, (short)1))).all().get(WAIT_S, TimeUnit.SECONDS);
        final TopicPartition p0 = new TopicPartition("admin-groups", 0);
        final TopicPartition p1 = new TopicPartition("admin-groups", 1);
        try (KafkaProducer<byte[], byte[]> producer = KafkaClientsTest.producer(node))
        {
            for (int i = 0; i < 20; i++)
            {
                producer.send(new ProducerRecord<>("admin-groups", i % 2, null, KafkaClientsTest.value(i)));
            }
            producer.flush();
        }
        // A group with no members: alterConsumerGroupOffsets is a simple commit.
        admin.alterConsumerGroupOffsets("admin-simple", Map.of(p0, new OffsetAndMetadata(4), p1, new OffsetAndMetadata(6)))
            .all().get(WAIT_S, TimeUnit.SECONDS);
        assertEquals(Map.of(p0, 4L, p1, 6L), committed("admin-simple"));

        try (KafkaConsumer<byte[], byte[]> consumer = consumer("admin-live"))
        {
            consumer.subscribe(List.of("admin-groups"));
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
            int received = 0;
            while (received < 20 && System.nanoTime() < deadlineNs)
            {
                received += consumer.poll(Duration.ofMillis(100)).count();
            }
            assertEquals(20, received);
            consumer.commitSync();
            final ConsumerGroupDescription live = admin.describeConsumerGroups(List.of("admin-live")).describedGroups()
                .get("admin-live").get(WAIT_S, TimeUnit.SECONDS);
            assertEquals(GroupState.STABLE, live.groupState());
            assertEquals(1, live.members().size());
            assertEquals(Set.of(p0, p1), live.members().iterator().next().assignment().topicPartitions());
            // A group with members refuses to be deleted.
            final ExecutionException nonEmpty = assertThrows(ExecutionException.class, () ->
                admin.deleteConsumerGroups(List.of("admin-live")).all().get(WAIT_S, TimeUnit.SECONDS));
            assertEquals("GroupNotEmptyException", nonEmpty.getCause().getClass().getSimpleName());
        }
        assertEquals(Map.of(p0, 10L, p1, 10L), committed("admin-live"));
        final Set<String> listed = admin.listConsumerGroups().all().get(WAIT_S, TimeUnit.SECONDS).stream()
            .map(ConsumerGroupListing::groupId).collect(Collectors.toSet());
        assertTrue(listed.containsAll(Set.of("admin-simple", "admin-live")), "listed: " + listed);

        admin.deleteConsumerGroupOffsets("admin-live", Set.of(p1)).all().get(WAIT_S, TimeUnit.SECONDS);
        assertEquals(Map.of(p0, 10L), committed("admin-live"));
        admin.deleteConsumerGroups(List.of("admin-live", "admin-simple")).all().get(WAIT_S, TimeUnit.SECONDS);
        final Set<String> after = admin.listConsumerGroups().all().get(WAIT_S, TimeUnit.SECONDS).stream()
            .map(ConsumerGroupListing::groupId).collect(Collectors.toSet());
        assertFalse(after.contains("admin-live") || after.contains("admin-simple"), "listed after delete: " + after);
    }

    @Test
    void shouldFailProducerSendsWithKafkasExceptionTypes() throws Exception
    {
        admin.createTopics(List.of(new NewTopic("admin-small", 1, (short)1).configs(Map.of("max.message.bytes", "1024"))))
            .all().get(WAIT_S, TimeUnit.SECONDS);
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaClientsTest.bootstrap(node));
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000);
        props.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "none");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000);
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000);
        try (KafkaProducer<byte[], byte[]> producer =
                 new KafkaProducer<>(props, new ByteArraySerializer(), new ByteArraySerializer()))
        {
            final ExecutionException tooLarge = assertThrows(ExecutionException.class, () ->
                producer.send(new ProducerRecord<>("admin-small", new byte[4096])).get(WAIT_S, TimeUnit.SECONDS));
            assertInstanceOf(RecordTooLargeException.class, tooLarge.getCause());
            // A record that fits still goes through.
            assertEquals(0, producer.send(new ProducerRecord<>("admin-small", new byte[100])).get(WAIT_S, TimeUnit.SECONDS)
                .offset());
            // As with Apache Kafka, whose Metadata answers UNKNOWN_TOPIC_OR_PARTITION too: the producer waits
            // max.block.ms for the topic to appear, then fails with a timeout that names it.
            final ExecutionException unknown = assertThrows(ExecutionException.class, () ->
                producer.send(new ProducerRecord<>("admin-missing", new byte[10])).get(WAIT_S, TimeUnit.SECONDS));
            assertInstanceOf(TimeoutException.class, unknown.getCause());
            assertTrue(unknown.getCause().getMessage().contains("admin-missing"), unknown.getCause().getMessage());
        }
        final ExecutionException unknownOffsets = assertThrows(ExecutionException.class, () -> admin.listOffsets(
                Map.of(new TopicPartition("admin-missing", 0), OffsetSpec.latest()))
            .all().get(WAIT_S, TimeUnit.SECONDS));
        assertInstanceOf(UnknownTopicOrPartitionException.class, unknownOffsets.getCause());
    }

    @Test
    void shouldAdvertiseAndAnswerOffsetForLeaderEpoch() throws Exception
    {
        final RequestHeader versionsHeader = new RequestHeader(ApiKeys.API_VERSIONS, ApiKeys.API_VERSIONS.latestVersion(), "admin-it", 1);
        final ApiVersionsResponse versions = (ApiVersionsResponse)roundTrip(versionsHeader, new ApiVersionsRequest(
            new ApiVersionsRequestData().setClientSoftwareName("admin-it").setClientSoftwareVersion("1"),
            ApiKeys.API_VERSIONS.latestVersion()).serializeWithHeader(versionsHeader));
        for (final ApiKeys api : List.of(ApiKeys.OFFSET_FOR_LEADER_EPOCH, ApiKeys.CREATE_PARTITIONS, ApiKeys.ALTER_CONFIGS,
            ApiKeys.DESCRIBE_PRODUCERS))
        {
            final ApiVersionsResponseData.ApiVersion advertised = versions.data().apiKeys().find(api.id);
            assertTrue(advertised != null, api + " is not advertised");
            assertEquals(api.oldestVersion(), advertised.minVersion(), api + " min");
            assertEquals(api.latestVersion(), advertised.maxVersion(), api + " max");
        }

        admin.createTopics(List.of(new NewTopic("admin-epochs", 1, (short)1))).all().get(WAIT_S, TimeUnit.SECONDS);
        try (KafkaProducer<byte[], byte[]> producer = KafkaClientsTest.producer(node))
        {
            for (int i = 0; i < 7; i++)
            {
                producer.send(new ProducerRecord<>("admin-epochs", KafkaClientsTest.value(i)));
            }
            producer.flush();
        }
        // A new partition's leader epoch is 0: epoch 0 ends at the log end.
        assertEquals(List.of(Errors.NONE, 0, 7L), endOffset("admin-epochs", 0, 0));
        assertEquals(List.of(Errors.NONE, -1, -1L), endOffset("admin-epochs", -1, 3), "an epoch above the leader's");
        assertEquals(List.of(Errors.UNKNOWN_LEADER_EPOCH, -1, -1L), endOffset("admin-epochs", 1, 0),
            "the client knows a newer leader epoch than this broker");
        assertEquals(List.of(Errors.UNKNOWN_TOPIC_OR_PARTITION, -1, -1L), endOffset("admin-nope", 0, 0));
    }

    /** (error, leader epoch, end offset) of partition 0 of {@code topic}. */
    private List<Object> endOffset(final String topic, final int currentLeaderEpoch, final int leaderEpoch) throws Exception
    {
        final OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection topics =
            new OffsetForLeaderEpochRequestData.OffsetForLeaderTopicCollection();
        topics.add(new OffsetForLeaderEpochRequestData.OffsetForLeaderTopic().setTopic(topic).setPartitions(List.of(
            new OffsetForLeaderEpochRequestData.OffsetForLeaderPartition()
                .setPartition(0).setCurrentLeaderEpoch(currentLeaderEpoch).setLeaderEpoch(leaderEpoch))));
        final short version = ApiKeys.OFFSET_FOR_LEADER_EPOCH.latestVersion();
        final RequestHeader header = new RequestHeader(ApiKeys.OFFSET_FOR_LEADER_EPOCH, version, "admin-it", 3);
        final OffsetsForLeaderEpochResponse response = (OffsetsForLeaderEpochResponse)roundTrip(header,
            new OffsetsForLeaderEpochRequest(new OffsetForLeaderEpochRequestData().setReplicaId(-1).setTopics(topics), version)
                .serializeWithHeader(header));
        final OffsetForLeaderEpochResponseData.EpochEndOffset result =
            response.data().topics().find(topic).partitions().get(0);
        return List.of(Errors.forCode(result.errorCode()), result.leaderEpoch(), result.endOffset());
    }

    private void assertCreateFails(final NewTopic topic, final Class<? extends Throwable> expected)
    {
        final ExecutionException failure = assertThrows(ExecutionException.class, () ->
            admin.createTopics(List.of(topic)).all().get(WAIT_S, TimeUnit.SECONDS));
        assertInstanceOf(expected, failure.getCause(), topic + ": " + failure.getCause());
    }

    private Set<String> topicNames() throws Exception
    {
        return admin.listTopics().names().get(WAIT_S, TimeUnit.SECONDS);
    }

    private int partitionCount(final String topic) throws Exception
    {
        return admin.describeTopics(List.of(topic)).allTopicNames().get(WAIT_S, TimeUnit.SECONDS).get(topic)
            .partitions().size();
    }

    private long offset(final TopicPartition partition, final OffsetSpec spec) throws Exception
    {
        return admin.listOffsets(Map.of(partition, spec)).partitionResult(partition).get(WAIT_S, TimeUnit.SECONDS).offset();
    }

    private Map<String, String> overrides(final ConfigResource resource) throws Exception
    {
        final Config config = admin.describeConfigs(List.of(resource)).all().get(WAIT_S, TimeUnit.SECONDS).get(resource);
        return config.entries().stream().collect(Collectors.toMap(ConfigEntry::name, ConfigEntry::value));
    }

    private Map<TopicPartition, Long> committed(final String group) throws Exception
    {
        final KafkaFuture<Map<TopicPartition, OffsetAndMetadata>> offsets =
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata();
        return offsets.get(WAIT_S, TimeUnit.SECONDS).entrySet().stream()
            .filter(entry -> entry.getValue() != null)
            .collect(Collectors.toMap(Map.Entry::getKey, entry -> entry.getValue().offset()));
    }

    private KafkaConsumer<byte[], byte[]> consumer(final String group)
    {
        final Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaClientsTest.bootstrap(node));
        props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
        return new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /** Legacy AlterConfigs over a plain socket, since kafka-clients 4's Admin no longer sends it. */
    private AlterConfigsResponse alterConfigs(final String topic, final Map<String, String> configs, final boolean validateOnly)
        throws Exception
    {
        final AlterConfigsRequestData.AlterableConfigCollection entries = new AlterConfigsRequestData.AlterableConfigCollection();
        configs.forEach((name, value) -> entries.add(new AlterConfigsRequestData.AlterableConfig().setName(name).setValue(value)));
        final AlterConfigsRequestData.AlterConfigsResourceCollection resources =
            new AlterConfigsRequestData.AlterConfigsResourceCollection();
        resources.add(new AlterConfigsRequestData.AlterConfigsResource()
            .setResourceType(ConfigResource.Type.TOPIC.id()).setResourceName(topic).setConfigs(entries));
        final short version = ApiKeys.ALTER_CONFIGS.latestVersion();
        final AlterConfigsRequest request = new AlterConfigsRequest(
            new AlterConfigsRequestData().setResources(resources).setValidateOnly(validateOnly), version);
        final RequestHeader header = new RequestHeader(ApiKeys.ALTER_CONFIGS, version, "admin-it", 7);
        return (AlterConfigsResponse)roundTrip(header, request.serializeWithHeader(header));
    }

    private AbstractResponse roundTrip(final RequestHeader header, final ByteBuffer request) throws Exception
    {
        try (Socket socket = new Socket("127.0.0.1", node.kafkaPort()))
        {
            socket.setSoTimeout((int)TimeUnit.SECONDS.toMillis(WAIT_S));
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

    private static Errors error(final AlterConfigsResponse response)
    {
        final List<Errors> errors = new ArrayList<>();
        response.data().responses().forEach(result -> errors.add(Errors.forCode(result.errorCode())));
        assertEquals(1, errors.size());
        return errors.get(0);
    }
}
