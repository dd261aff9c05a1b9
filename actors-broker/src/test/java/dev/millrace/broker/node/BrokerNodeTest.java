package dev.millrace.broker.node;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.millrace.broker.controller.ControllerErrorCode;
import dev.millrace.broker.controller.ControllerProtocol;
import dev.millrace.broker.controller.ControllerProtocol.CreateTopicReply;
import dev.millrace.broker.controller.ControllerProtocol.DeleteTopicReply;
import dev.millrace.broker.controller.ControllerProtocol.DescribeTopicReply;
import dev.millrace.broker.controller.ControllerProtocol.TopicConfigsAccepted;
import dev.millrace.broker.controller.ControllerProtocol.TopicCreationAccepted;
import dev.millrace.broker.controller.ControllerProtocol.TopicDeletionAccepted;
import dev.millrace.broker.controller.ControllerProtocol.TopicDescription;
import dev.millrace.broker.controller.ControllerProtocol.TopicListing;
import dev.millrace.broker.partition.PartitionProtocol;
import dev.millrace.broker.partition.PartitionProtocol.Appended;
import dev.millrace.broker.partition.PartitionProtocol.ErrorCode;
import dev.millrace.broker.partition.PartitionProtocol.FetchReply;
import dev.millrace.broker.partition.PartitionProtocol.Fetched;
import dev.millrace.broker.partition.PartitionProtocol.ListOffsetsReply;
import dev.millrace.broker.partition.PartitionProtocol.OffsetFound;
import dev.millrace.broker.partition.PartitionProtocol.OffsetSpec;
import dev.millrace.broker.partition.PartitionProtocol.ProduceReply;
import dev.millrace.broker.partition.PartitionProtocol.Rejected;
import dev.millrace.broker.partition.PartitionProtocol.Status;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.sharding.ShardRegion.CurrentShardRegionState;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One node in this JVM on a temporary data directory, Artery on 127.0.0.1 port 0 over TCP: topics through the
 * {@link Broker} facade, records produced and fetched through sharded partition replicas, a restart on the same data
 * directory, topic deletion.
 */
class BrokerNodeTest
{
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String TOPIC = "orders";
    private static final int PARTITIONS = 3;

    @TempDir
    Path dataDir;

    static Config nodeConfig(final Path dataDir)
    {
        return ConfigFactory.parseMap(Map.of(
                "millrace.broker.node.data-dir", dataDir.toString(),
                "millrace.broker.node.port", 0,
                "millrace.broker.node.start-timeout", "30s",
                "pekko.loglevel", "INFO"))
            .withFallback(ConfigFactory.load());
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldServeProducedBatchesAndKeepTopicsConfigsAndRecordsAcrossRestart()
    {
        final byte[][] first = new byte[PARTITIONS][];
        final byte[][] second = new byte[PARTITIONS][];
        try (BrokerNode node = BrokerNode.start(nodeConfig(dataDir)))
        {
            final TestProbe<CreateTopicReply> created = TestProbe.create(node.system());
            node.broker().tell(new Broker.CreateTopic(
                TOPIC, PARTITIONS, 1, Map.of("segment.bytes", "1048576", "cleanup.policy", "delete"), created.ref()));
            final TopicCreationAccepted accepted = created.expectMessageClass(TopicCreationAccepted.class, WAIT);
            assertEquals(PARTITIONS, accepted.topic().partitionCount());

            for (int p = 0; p < PARTITIONS; p++)
            {
                final TopicPartition tp = new TopicPartition(TOPIC, p);
                first[p] = NodeBatches.batch("p" + p + "a", 3 + p, 1_000L);
                second[p] = NodeBatches.batch("p" + p + "b", 2, 2_000L);
                assertEquals(0, produce(node, tp, first[p]).baseOffset());
                assertEquals(3 + p, produce(node, tp, second[p]).baseOffset());
            }
            for (int p = 0; p < PARTITIONS; p++)
            {
                final Fetched fetched = fetch(node, new TopicPartition(TOPIC, p), 0);
                assertArrayEquals(expectedLog(first[p], second[p], p), fetched.records(), "partition " + p);
                assertEquals(5 + p, fetched.highWatermark());
            }

            assertUnknown(node, new TopicPartition("no-such-topic", 0));
            assertUnknown(node, new TopicPartition(TOPIC, PARTITIONS));
            final TestProbe<DescribeTopicReply> described = TestProbe.create(node.system());
            node.broker().tell(new Broker.DescribeTopic("no-such-topic", described.ref()));
            assertEquals(ControllerErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                described.expectMessageClass(ControllerProtocol.Rejected.class, WAIT).error());

            final TestProbe<ControllerProtocol.AlterTopicConfigsReply> altered = TestProbe.create(node.system());
            node.broker().tell(new Broker.AlterConfigs(TOPIC, Map.of("retention.ms", "3600000"), List.of(), altered.ref()));
            altered.expectMessageClass(TopicConfigsAccepted.class, WAIT);
        }

        try (BrokerNode node = BrokerNode.start(nodeConfig(dataDir)))
        {
            // Every replica of this broker starts with the node, before any request.
            final TestProbe<CurrentShardRegionState> regionState = TestProbe.create(node.system());
            regionState.awaitAssert(WAIT, () ->
            {
                node.sharding().shardState().tell(
                    new GetShardRegionState(PartitionReplicaEntity.ENTITY_TYPE_KEY, regionState.ref()));
                final Set<String> entities = regionState.receiveMessage(WAIT).getShards().stream()
                    .flatMap(shard -> shard.getEntityIds().stream())
                    .collect(Collectors.toSet());
                assertEquals(Set.of("orders-0-0", "orders-1-0", "orders-2-0"), entities);
                return null;
            });

            final TestProbe<TopicListing> listed = TestProbe.create(node.system());
            node.broker().tell(new Broker.ListTopics(listed.ref()));
            assertEquals(List.of(TOPIC), listed.expectMessageClass(TopicListing.class, WAIT).names());

            final TestProbe<DescribeTopicReply> described = TestProbe.create(node.system());
            node.broker().tell(new Broker.DescribeTopic(TOPIC, described.ref()));
            final TopicDescription description = described.expectMessageClass(TopicDescription.class, WAIT);
            assertEquals(Map.of("segment.bytes", "1048576", "cleanup.policy", "delete", "retention.ms", "3600000"),
                description.topic().configs());
            assertEquals(PARTITIONS, description.topic().partitionCount());

            for (int p = 0; p < PARTITIONS; p++)
            {
                final TopicPartition tp = new TopicPartition(TOPIC, p);
                assertArrayEquals(expectedLog(first[p], second[p], p), fetch(node, tp, 0).records(), "partition " + p);
                final byte[] third = NodeBatches.batch("p" + p + "c", 1, 3_000L);
                assertEquals(5 + p, produce(node, tp, third).baseOffset(), "appends continue after the restart");
            }
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldServeEntitiesDirectlyAndDeleteTopicWithItsLogDirectories()
    {
        // An extension adds its own sharded entities.
        final EntityTypeKey<Echo> echoKey = EntityTypeKey.create(Echo.class, "Echo");
        final BrokerNode.Extension echoes = started -> started.sharding().init(Entity.of(echoKey, entity ->
            Behaviors.receiveMessage(echo ->
            {
                echo.replyTo().tell(entity.getEntityId() + ":" + echo.text());
                return Behaviors.same();
            })));
        try (BrokerNode node = BrokerNode.start(nodeConfig(dataDir), List.of(echoes)))
        {
            final IllegalStateException inUse = assertThrows(IllegalStateException.class,
                () -> BrokerNode.start(nodeConfig(dataDir)));
            assertTrue(inUse.getMessage().contains("millrace.broker.node.data-dir"), inUse.getMessage());

            assertEquals("group-1:hello", node.sharding().entityRefFor(echoKey, "group-1")
                .<String>ask(replyTo -> new Echo("hello", replyTo), WAIT).toCompletableFuture().join());

            final TestProbe<CreateTopicReply> created = TestProbe.create(node.system());
            node.broker().tell(new Broker.CreateTopic("events-v1", 2, 1, Map.of(), created.ref()));
            created.expectMessageClass(TopicCreationAccepted.class, WAIT);
            final TopicPartition tp = new TopicPartition("events-v1", 1);
            produce(node, tp, NodeBatches.batch("x", 4, 1_000L));

            final Status status = node.partition(tp, node.settings().brokerId())
                .<Status>ask(PartitionProtocol.GetStatus::new, WAIT).toCompletableFuture().join();
            assertEquals(4, status.logEndOffset());
            final TestProbe<ListOffsetsReply> offsets = TestProbe.create(node.system());
            node.broker().tell(new Broker.ListOffsets(
                new PartitionProtocol.ListOffsets(tp, OffsetSpec.LATEST, -1, offsets.ref())));
            assertEquals(4, offsets.expectMessageClass(OffsetFound.class, WAIT).offset());
            assertTrue(Files.isDirectory(node.settings().logsDir().resolve("events-v1-1")));

            // Straight to an entity of a topic the controller does not know: refused, and no log directory is made.
            final FetchReply direct = node.partition(new TopicPartition("nope", 0), node.settings().brokerId())
                .<FetchReply>ask(replyTo -> new PartitionProtocol.Fetch(new TopicPartition("nope", 0), 0, 1024, 0, 0, replyTo),
                    WAIT)
                .toCompletableFuture().join();
            assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, assertInstanceOf(Rejected.class, direct).error());
            assertFalse(Files.exists(node.settings().logsDir().resolve("nope-0")));

            // A config change reaches the running replica: it restarts with the new max.message.bytes.
            final TestProbe<ControllerProtocol.AlterTopicConfigsReply> altered = TestProbe.create(node.system());
            node.broker().tell(new Broker.AlterConfigs("events-v1", Map.of("max.message.bytes", "200"), List.of(),
                altered.ref()));
            altered.expectMessageClass(TopicConfigsAccepted.class, WAIT);
            final TestProbe<ProduceReply> tooLarge = TestProbe.create(node.system());
            node.broker().tell(new Broker.Produce(new PartitionProtocol.Produce(
                tp, (short)1, NodeBatches.batch("big", 40, 1_000L), tooLarge.ref())));
            assertEquals(ErrorCode.MESSAGE_TOO_LARGE, assertInstanceOf(Rejected.class, tooLarge.receiveMessage(WAIT)).error());
            assertEquals(4, produce(node, tp, NodeBatches.batch("small", 1, 1_000L)).baseOffset());

            final TestProbe<DeleteTopicReply> deleted = TestProbe.create(node.system());
            node.broker().tell(new Broker.DeleteTopic("events-v1", deleted.ref()));
            deleted.expectMessageClass(TopicDeletionAccepted.class, WAIT);
            assertFalse(Files.exists(node.settings().logsDir().resolve("events-v1-0")));
            assertFalse(Files.exists(node.settings().logsDir().resolve("events-v1-1")));
            assertUnknown(node, tp);

            node.broker().tell(new Broker.DeleteTopic("events-v1", deleted.ref()));
            assertEquals(ControllerErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
                deleted.expectMessageClass(ControllerProtocol.Rejected.class, WAIT).error());

            // Re-created under the same name: a new, empty log.
            node.broker().tell(new Broker.CreateTopic("events-v1", 2, 1, Map.of(), created.ref()));
            created.expectMessageClass(TopicCreationAccepted.class, WAIT);
            assertEquals(0, produce(node, tp, NodeBatches.batch("y", 1, 1_000L)).baseOffset());

            assertSerializable(node, List.of(
                new Broker.CreateTopic("t", 1, 1, Map.of("retention.ms", "1"), created.ref()),
                new Broker.DeleteTopic("t", deleted.ref()),
                new Broker.Produce(new PartitionProtocol.Produce(tp, (short)1, new byte[] {1, 2}, null)),
                new Broker.Fetch(new PartitionProtocol.Fetch(tp, 0, 100, 0, 0, null)),
                new Broker.ListOffsets(new PartitionProtocol.ListOffsets(tp, OffsetSpec.EARLIEST, -1, offsets.ref())),
                new Broker.DeleteRecords(new PartitionProtocol.DeleteRecords(tp, 1, null)),
                new Broker.AlterConfigs("t", Map.of("a", "b"), List.of("c"), null),
                new Broker.ListTopics(null),
                new Broker.DescribeTopic("t", null),
                PartitionReplicaEntity.ReloadReplica.INSTANCE,
                new PartitionReplicaEntity.ReplicaDeleted("t-0-0")));
        }
    }

    /** The extension test's entity message; local only. */
    record Echo(String text, ActorRef<String> replyTo)
    {
    }

    private static void assertSerializable(final BrokerNode node, final List<Object> messages)
    {
        final Serialization serialization = SerializationExtension.get(Adapter.toClassic(node.system()));
        for (final Object message : messages)
        {
            final byte[] bytes = serialization.serialize(message).get();
            final org.apache.pekko.serialization.Serializer serializer = serialization.findSerializerFor(message);
            final Object copy = serialization.deserialize(
                bytes, serializer.identifier(), Serializers.manifestFor(serializer, message)).get();
            assertEquals(message, copy);
        }
    }

    private static Appended produce(final BrokerNode node, final TopicPartition tp, final byte[] batch)
    {
        final TestProbe<ProduceReply> reply = TestProbe.create(node.system());
        node.broker().tell(new Broker.Produce(new PartitionProtocol.Produce(tp, (short)1, batch, reply.ref())));
        return assertInstanceOf(Appended.class, reply.receiveMessage(WAIT));
    }

    private static Fetched fetch(final BrokerNode node, final TopicPartition tp, final long offset)
    {
        final TestProbe<FetchReply> reply = TestProbe.create(node.system());
        node.broker().tell(new Broker.Fetch(new PartitionProtocol.Fetch(tp, offset, 1 << 20, 0, 0, reply.ref())));
        return assertInstanceOf(Fetched.class, reply.receiveMessage(WAIT));
    }

    private static void assertUnknown(final BrokerNode node, final TopicPartition tp)
    {
        final TestProbe<ProduceReply> produced = TestProbe.create(node.system());
        node.broker().tell(new Broker.Produce(
            new PartitionProtocol.Produce(tp, (short)1, NodeBatches.batch("u", 1, 1L), produced.ref())));
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            assertInstanceOf(Rejected.class, produced.receiveMessage(WAIT)).error());
        final TestProbe<FetchReply> fetched = TestProbe.create(node.system());
        node.broker().tell(new Broker.Fetch(new PartitionProtocol.Fetch(tp, 0, 1024, 0, 0, fetched.ref())));
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            assertInstanceOf(Rejected.class, fetched.receiveMessage(WAIT)).error());
    }

    private static byte[] expectedLog(final byte[] first, final byte[] second, final int partition)
    {
        final int firstRecords = 3 + partition;
        return NodeBatches.concat(NodeBatches.stored(first, 0, 0), NodeBatches.stored(second, firstRecords, 0));
    }
}
