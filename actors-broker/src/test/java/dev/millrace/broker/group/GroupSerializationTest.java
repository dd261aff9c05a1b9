package dev.millrace.broker.group;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import dev.millrace.broker.group.GroupCoordinator.GroupAck;
import dev.millrace.broker.group.GroupCoordinator.GroupDescription;
import dev.millrace.broker.group.GroupCoordinator.JoinGroupResponse;
import dev.millrace.broker.group.GroupCoordinator.JoinedMember;
import dev.millrace.broker.group.GroupCoordinator.MemberDescription;
import dev.millrace.broker.group.GroupCoordinator.OffsetFetchResponse;
import dev.millrace.broker.group.GroupCoordinator.PartitionLag;
import dev.millrace.broker.group.GroupCoordinator.SyncGroupResponse;
import dev.millrace.serialization.kryo.KryoPekkoSerializer;
import dev.millrace.serialization.kryo.KryoRegistry;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Replies and values round-trip through Kryo (commands, events and state are covered by the
 * EventSourcedBehaviorTestKit in {@link GroupOffsetsTest}), and every registered class of the package is known.
 */
class GroupSerializationTest
{
    private static final ActorTestKit TEST_KIT = ActorTestKit.create();

    @AfterAll
    static void shutdown()
    {
        TEST_KIT.shutdownTestKit();
    }

    @Test
    void shouldRoundTripEveryReplyThroughKryo()
    {
        final TopicPartition partition = new TopicPartition("t", 3);
        final List<Object> samples = List.of(
            new JoinGroupResponse(GroupError.NONE, "", 2, "consumer", "range", "m1", "m1",
                List.of(new JoinedMember("m1", Optional.of("i1"), new byte[] {1}))),
            new SyncGroupResponse(GroupError.REBALANCE_IN_PROGRESS, "rejoin", "consumer", "range", new byte[] {2}),
            new GroupAck(GroupError.FENCED_INSTANCE_ID, "stop the duplicate"),
            new OffsetFetchResponse(GroupError.NONE, "", Map.of(partition, new CommittedOffset(5, 1, "m", 99))),
            new GroupDescription(GroupError.NONE, "", "g", GroupState.STABLE, "consumer", "range", 2, "m1",
                List.of(new MemberDescription("m1", Optional.empty(), "c", "h", new byte[] {3})),
                List.of(new PartitionLag(partition, 5, 9, 4)), 4),
            new OffsetAndMetadata(1, -1, ""));
        final Serialization serialization = SerializationExtension.get(TEST_KIT.system());
        for (final Object sample : samples)
        {
            final Serializer serializer = serialization.findSerializerFor(sample);
            assertEquals(KryoPekkoSerializer.IDENTIFIER, serializer.identifier(), sample.getClass().getName());
            final byte[] bytes = serializer.toBinary(sample);
            final Object copy = serialization.deserialize(bytes, serializer.identifier(),
                Serializers.manifestFor(serializer, sample)).get();
            assertEquals(sample.getClass(), copy.getClass());
            assertArrayEquals(bytes, serializer.toBinary(copy), sample.getClass().getName());
        }
    }

    @Test
    void shouldRegisterEveryMessageClassOfThePackageInItsIdBlock()
    {
        final Map<Class<?>, Integer> registrations = KryoRegistry.fromConfig(TEST_KIT.system().settings().config(),
            getClass().getClassLoader()).registrations();
        final Set<Class<?>> expected = new HashSet<>(List.of(
            GroupCoordinator.JoinGroup.class, GroupCoordinator.SyncGroup.class, GroupCoordinator.Heartbeat.class,
            GroupCoordinator.LeaveGroup.class, GroupCoordinator.OffsetCommit.class, GroupCoordinator.OffsetFetch.class,
            GroupCoordinator.OffsetDelete.class, GroupCoordinator.ResetOffsets.class, GroupCoordinator.DeleteGroup.class,
            GroupCoordinator.DescribeGroup.class, JoinGroupResponse.class, JoinedMember.class,
            SyncGroupResponse.class, GroupAck.class, OffsetFetchResponse.class, GroupDescription.class,
            MemberDescription.class, PartitionLag.class, GroupMetadata.class, GroupMember.class, MemberProtocol.class,
            OffsetAndMetadata.class, CommittedOffset.class, GroupError.class, GroupState.class));
        for (final Class<?> event : GroupEvent.class.getPermittedSubclasses())
        {
            expected.add(event);
        }
        for (final Class<?> command : GroupCoordinator.Command.class.getPermittedSubclasses())
        {
            expected.add(command);
        }
        for (final Class<?> type : expected)
        {
            final Integer id = registrations.get(type);
            assertTrue(id != null && id >= 4000 && id <= 4999, type.getName() + " has id " + id);
        }
        // Shared with the partition protocol, registered in the partitions' block.
        assertTrue(registrations.containsKey(TopicPartition.class), "TopicPartition must be registered");
    }
}
