package dev.millrace.broker.node;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import dev.millrace.broker.controller.ControllerProtocol;
import dev.millrace.broker.controller.ControllerProtocol.CreateTopicReply;
import dev.millrace.broker.controller.ControllerProtocol.ProducerIdBlock;
import dev.millrace.broker.controller.ControllerProtocol.TopicCreationAccepted;
import dev.millrace.broker.group.GroupCoordinator;
import dev.millrace.broker.group.GroupCoordinator.GroupAck;
import dev.millrace.broker.group.GroupCoordinator.GroupDescription;
import dev.millrace.broker.group.GroupCoordinator.OffsetFetchResponse;
import dev.millrace.broker.group.GroupCoordinator.PartitionLag;
import dev.millrace.broker.group.GroupError;
import dev.millrace.broker.group.GroupState;
import dev.millrace.broker.group.OffsetAndMetadata;
import dev.millrace.broker.partition.PartitionProtocol;
import dev.millrace.broker.partition.PartitionProtocol.Appended;
import dev.millrace.broker.partition.PartitionProtocol.ProduceReply;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Group coordinators on a node, through the {@link Broker} facade: commits and fetches routed by group id, a
 * description with lag from the partitions' log end offsets, the {@link GroupDirectory} behind ListGroups across a
 * restart, DeleteGroup, a blank group id, producer-id blocks, and a serialization round trip of every new message.
 */
class BrokerNodeGroupsTest
{
    private static final Duration WAIT = Duration.ofSeconds(15);
    private static final String TOPIC = "clicks";

    @TempDir
    Path dataDir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldRouteGroupCommandsDescribeLagAndListGroupsAcrossRestart()
    {
        final TopicPartition p0 = new TopicPartition(TOPIC, 0);
        final TopicPartition p1 = new TopicPartition(TOPIC, 1);
        final long firstBlockEnd;
        try (BrokerNode node = BrokerNode.start(BrokerNodeTest.nodeConfig(dataDir)))
        {
            final TestProbe<CreateTopicReply> created = TestProbe.create(node.system());
            node.broker().tell(new Broker.CreateTopic(TOPIC, 2, 1, Map.of(), created.ref()));
            created.expectMessageClass(TopicCreationAccepted.class, WAIT);
            produce(node, p0, NodeBatches.batch("a", 5, 1_000L));
            produce(node, p1, NodeBatches.batch("b", 3, 1_000L));

            final TestProbe<GroupAck> ack = TestProbe.create(node.system());
            node.broker().tell(new Broker.OffsetCommit("billing", new GroupCoordinator.OffsetCommit(-1, "",
                Optional.empty(), Map.of(p0, new OffsetAndMetadata(2, -1, "")), ack.ref())));
            assertEquals(GroupError.NONE, ack.receiveMessage(WAIT).error());
            node.broker().tell(new Broker.ResetOffsets("audit", new GroupCoordinator.ResetOffsets(Map.of(p1, 1L), ack.ref())));
            assertEquals(GroupError.NONE, ack.receiveMessage(WAIT).error());

            final TestProbe<OffsetFetchResponse> fetched = TestProbe.create(node.system());
            node.broker().tell(new Broker.OffsetFetch("billing",
                new GroupCoordinator.OffsetFetch(Optional.empty(), fetched.ref())));
            assertEquals(2, fetched.receiveMessage(WAIT).offsets().get(p0).offset());

            final GroupDescription description = describe(node, "billing");
            assertEquals(GroupError.NONE, description.error());
            assertEquals(GroupState.EMPTY, description.state());
            assertEquals(List.of(new PartitionLag(p0, 2, 5, 3)), description.lags());
            assertEquals(3, description.totalLag());

            assertEquals(List.of("audit", "billing"), listGroups(node));

            node.broker().tell(new Broker.OffsetCommit(" ", new GroupCoordinator.OffsetCommit(-1, "",
                Optional.empty(), Map.of(p0, new OffsetAndMetadata(1, -1, "")), ack.ref())));
            assertEquals(GroupError.INVALID_GROUP_ID, ack.receiveMessage(WAIT).error());
            assertEquals(GroupError.GROUP_ID_NOT_FOUND, describe(node, "nobody").error());

            final TestProbe<ControllerProtocol.AllocateProducerIdsReply> ids = TestProbe.create(node.system());
            node.broker().tell(new Broker.AllocateProducerIds(ControllerProtocol.DEFAULT, ids.ref()));
            firstBlockEnd = ids.expectMessageClass(ProducerIdBlock.class, WAIT).lastProducerId();

            assertSerializable(node, List.of(
                new Broker.AllocateProducerIds(10, ids.ref()),
                new Broker.JoinGroup("g", new GroupCoordinator.JoinGroup("", Optional.of("i"), "c", "h", "consumer",
                    List.of(), 10_000, 10_000, null)),
                new Broker.SyncGroup("g", new GroupCoordinator.SyncGroup(1, "m", Optional.empty(), Map.of(), null)),
                new Broker.Heartbeat("g", new GroupCoordinator.Heartbeat(1, "m", Optional.empty(), ack.ref())),
                new Broker.LeaveGroup("g", new GroupCoordinator.LeaveGroup("m", Optional.empty(), ack.ref())),
                new Broker.OffsetCommit("g", new GroupCoordinator.OffsetCommit(1, "m", Optional.empty(),
                    Map.of(p0, new OffsetAndMetadata(1, -1, "x")), ack.ref())),
                new Broker.OffsetFetch("g", new GroupCoordinator.OffsetFetch(Optional.of(List.of(p0)), fetched.ref())),
                new Broker.OffsetDelete("g", new GroupCoordinator.OffsetDelete(List.of(p0), ack.ref())),
                new Broker.ResetOffsets("g", new GroupCoordinator.ResetOffsets(Map.of(p0, 0L), ack.ref())),
                new Broker.DeleteGroup("g", new GroupCoordinator.DeleteGroup(ack.ref())),
                new Broker.DescribeGroup("g", null),
                new Broker.ListGroups(null),
                new GroupDirectory.Register("g"),
                new GroupDirectory.Unregister("g"),
                new GroupDirectory.ListGroups(null),
                new GroupDirectory.GroupListing(List.of("a", "b")),
                new GroupDirectory.GroupListed("g"),
                new GroupDirectory.GroupUnlisted("g"),
                new GroupDirectory.State(List.of("a", "g"))));
        }

        try (BrokerNode node = BrokerNode.start(BrokerNodeTest.nodeConfig(dataDir)))
        {
            assertEquals(List.of("audit", "billing"), listGroups(node));
            assertEquals(3, describe(node, "billing").totalLag());

            final TestProbe<GroupAck> ack = TestProbe.create(node.system());
            node.broker().tell(new Broker.DeleteGroup("audit", new GroupCoordinator.DeleteGroup(ack.ref())));
            assertEquals(GroupError.NONE, ack.receiveMessage(WAIT).error());
            node.broker().tell(new Broker.DeleteGroup("audit", new GroupCoordinator.DeleteGroup(ack.ref())));
            assertEquals(GroupError.GROUP_ID_NOT_FOUND, ack.receiveMessage(WAIT).error());
            assertEquals(List.of("billing"), listGroups(node));

            // A topic the facade has not seen (created at the controller, produced to the entity): DescribeGroup
            // refreshes the metadata to find its leader.
            final TopicPartition direct = new TopicPartition("direct", 0);
            final TestProbe<CreateTopicReply> created = TestProbe.create(node.system());
            node.controller().tell(new ControllerProtocol.CreateTopic("direct", 1, 1, Map.of(), false, created.ref()));
            created.expectMessageClass(TopicCreationAccepted.class, WAIT);
            final ProduceReply produced = node.partition(direct, node.settings().brokerId()).<ProduceReply>ask(
                replyTo -> new PartitionProtocol.Produce(direct, (short)1, NodeBatches.batch("d", 4, 1_000L), replyTo),
                WAIT).toCompletableFuture().join();
            assertInstanceOf(Appended.class, produced);
            node.broker().tell(new Broker.OffsetCommit("billing", new GroupCoordinator.OffsetCommit(-1, "",
                Optional.empty(), Map.of(direct, OffsetAndMetadata.of(1)), ack.ref())));
            assertEquals(GroupError.NONE, ack.receiveMessage(WAIT).error());
            assertEquals(List.of(new PartitionLag(p0, 2, 5, 3), new PartitionLag(direct, 1, 4, 3)),
                describe(node, "billing").lags());

            final TestProbe<ControllerProtocol.AllocateProducerIdsReply> ids = TestProbe.create(node.system());
            node.broker().tell(new Broker.AllocateProducerIds(ControllerProtocol.DEFAULT, ids.ref()));
            assertTrue(ids.expectMessageClass(ProducerIdBlock.class, WAIT).firstProducerId() > firstBlockEnd);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldResetAnEmptyGroupToEarliestLatestTimestampOrClampedOffset()
    {
        final TopicPartition p0 = new TopicPartition(TOPIC, 0);
        final TopicPartition p1 = new TopicPartition(TOPIC, 1);
        try (BrokerNode node = BrokerNode.start(BrokerNodeTest.nodeConfig(dataDir)))
        {
            final TestProbe<CreateTopicReply> created = TestProbe.create(node.system());
            node.broker().tell(new Broker.CreateTopic(TOPIC, 2, 1, Map.of(), created.ref()));
            created.expectMessageClass(TopicCreationAccepted.class, WAIT);
            // p0: offsets 0-4 at timestamps 1000-1004, then 5-9 at 5000-5004; p1: offsets 0-2 at 1000-1002.
            produce(node, p0, NodeBatches.batch("early", 5, 1_000L));
            produce(node, p0, NodeBatches.batch("late", 5, 5_000L));
            produce(node, p1, NodeBatches.batch("b", 3, 1_000L));
            final List<TopicPartition> both = List.of(p0, p1);

            assertEquals(GroupError.NONE, reset(node, both, Broker.ResetTo.LATEST, 0).error());
            assertEquals(Map.of(p0, 10L, p1, 3L), committed(node));
            assertEquals(GroupError.NONE, reset(node, both, Broker.ResetTo.EARLIEST, 0).error());
            assertEquals(Map.of(p0, 0L, p1, 0L), committed(node));
            // First record at or after 4000: offset 5 on p0; none on p1, so its log end.
            assertEquals(GroupError.NONE, reset(node, both, Broker.ResetTo.TIMESTAMP, 4_000L).error());
            assertEquals(Map.of(p0, 5L, p1, 3L), committed(node));
            // An explicit offset beyond a partition's end is clamped to it.
            assertEquals(GroupError.NONE, reset(node, both, Broker.ResetTo.OFFSET, 7L).error());
            assertEquals(Map.of(p0, 7L, p1, 3L), committed(node));

            final GroupAck unknown = reset(node, List.of(new TopicPartition("nope", 0)), Broker.ResetTo.LATEST, 0);
            assertEquals(GroupError.UNKNOWN_TOPIC_OR_PARTITION, unknown.error(), unknown.message());
            assertEquals(GroupError.INVALID_REQUEST, reset(node, List.of(), Broker.ResetTo.LATEST, 0).error());
            assertEquals(GroupError.INVALID_REQUEST, reset(node, both, Broker.ResetTo.OFFSET, -1).error());
            assertEquals(Map.of(p0, 7L, p1, 3L), committed(node), "refused resets change nothing");

            final TestProbe<GroupAck> ack = TestProbe.create(node.system());
            assertSerializable(node, List.of(new Broker.ResetGroupOffsets("g", both, Broker.ResetTo.TIMESTAMP, 5L, ack.ref())));
        }
    }

    private static GroupAck reset(
        final BrokerNode node, final List<TopicPartition> partitions, final Broker.ResetTo resetTo, final long value)
    {
        final TestProbe<GroupAck> ack = TestProbe.create(node.system());
        node.broker().tell(new Broker.ResetGroupOffsets("replay", partitions, resetTo, value, ack.ref()));
        return ack.receiveMessage(WAIT);
    }

    private static Map<TopicPartition, Long> committed(final BrokerNode node)
    {
        final TestProbe<OffsetFetchResponse> fetched = TestProbe.create(node.system());
        node.broker().tell(new Broker.OffsetFetch("replay", new GroupCoordinator.OffsetFetch(Optional.empty(), fetched.ref())));
        final Map<TopicPartition, Long> offsets = new java.util.HashMap<>();
        fetched.receiveMessage(WAIT).offsets().forEach((tp, offset) -> offsets.put(tp, offset.offset()));
        return offsets;
    }

    private static List<String> listGroups(final BrokerNode node)
    {
        final TestProbe<GroupDirectory.GroupListing> listed = TestProbe.create(node.system());
        node.broker().tell(new Broker.ListGroups(listed.ref()));
        return listed.receiveMessage(WAIT).groupIds();
    }

    private static GroupDescription describe(final BrokerNode node, final String groupId)
    {
        final TestProbe<GroupDescription> described = TestProbe.create(node.system());
        node.broker().tell(new Broker.DescribeGroup(groupId, described.ref()));
        return described.receiveMessage(WAIT);
    }

    private static void produce(final BrokerNode node, final TopicPartition tp, final byte[] batch)
    {
        final TestProbe<ProduceReply> reply = TestProbe.create(node.system());
        node.broker().tell(new Broker.Produce(new PartitionProtocol.Produce(tp, (short)1, batch, reply.ref())));
        assertInstanceOf(Appended.class, reply.receiveMessage(WAIT));
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
            assertEquals(message.getClass(), copy.getClass());
            assertEquals(serialization.serialize(copy).get().length, bytes.length, message.toString());
        }
    }
}
