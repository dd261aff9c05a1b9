package dev.millrace.broker.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import dev.millrace.broker.controller.ControllerProtocol;
import dev.millrace.broker.group.GroupCoordinator;
import dev.millrace.broker.node.Broker;
import dev.millrace.broker.partition.PartitionProtocol;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import dev.millrace.serialization.kryo.KryoPekkoSerializer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Broker messages the listener added (CreatePartitions, OffsetForLeaderEpoch, DescribeProducers; GroupOverview for
 * ListGroups) cross nodes: each goes through Kryo and comes back equal, with an id of its block (5200-5299; 4400-4499).
 */
@Timeout(30)
class KafkaBrokerMessagesSerializationTest
{
    private static ActorTestKit testKit;

    @BeforeAll
    static void startTestKit()
    {
        testKit = ActorTestKit.create("KafkaBrokerMessagesSerializationTest");
    }

    @AfterAll
    static void stopTestKit()
    {
        testKit.shutdownTestKit();
    }

    @Test
    void shouldRoundTripTheAddedBrokerMessagesThroughKryoWithinTheirIdBlock()
    {
        final TopicPartition partition = new TopicPartition("orders", 2);
        final TestProbe<ControllerProtocol.CreatePartitionsReply> partitions = testKit.createTestProbe();
        final TestProbe<PartitionProtocol.OffsetForLeaderEpochReply> epochs = testKit.createTestProbe();
        final TestProbe<PartitionProtocol.DescribeProducersReply> producers = testKit.createTestProbe();
        assertRoundTripsWithin(List.of(
            new Broker.CreatePartitions("orders", 6, partitions.ref()),
            new Broker.OffsetForLeaderEpoch(new PartitionProtocol.OffsetForLeaderEpoch(partition, 3, epochs.ref())),
            new Broker.DescribeProducers(new PartitionProtocol.DescribeProducers(partition, producers.ref()))), 5200, 5299);
    }

    @Test
    void shouldRoundTripTheFetchWithdrawalThroughKryoWithinItsIdBlock()
    {
        final TopicPartition partition = new TopicPartition("orders", 2);
        final TestProbe<PartitionProtocol.FetchReply> fetches = testKit.createTestProbe();
        final PartitionProtocol.CancelFetch cancel = new PartitionProtocol.CancelFetch(partition, fetches.ref());
        assertRoundTripsWithin(List.of(cancel, new Broker.CancelFetch(cancel)), 2031, 2040);
    }

    @Test
    void shouldRoundTripTheGroupOverviewThroughKryoWithinItsIdBlock()
    {
        final TestProbe<GroupCoordinator.GroupDescription> descriptions = testKit.createTestProbe();
        assertRoundTripsWithin(List.of(
            new Broker.GroupOverview("billing", new GroupCoordinator.DescribeGroup(Map.of(), descriptions.ref()))),
            4400, 4499);
    }

    private static void assertRoundTripsWithin(final List<Object> samples, final int minId, final int maxId)
    {
        final Serialization serialization = SerializationExtension.get(testKit.system());
        final KryoPekkoSerializer kryo =
            (KryoPekkoSerializer)serialization.serializerByIdentity().get(KryoPekkoSerializer.IDENTIFIER).get();
        final Map<Class<?>, Integer> ids = kryo.settings().registry().registrations();
        for (final Object sample : samples)
        {
            final Serializer serializer = serialization.findSerializerFor(sample);
            assertInstanceOf(KryoPekkoSerializer.class, serializer, () -> sample.getClass() + " is not bound to Kryo");
            final Object copy = serialization.deserialize(
                serializer.toBinary(sample), serializer.identifier(), Serializers.manifestFor(serializer, sample)).get();
            assertEquals(sample, copy);
            final Integer id = ids.get(sample.getClass());
            assertTrue(id != null && id >= minId && id <= maxId, () -> sample.getClass() + " has id " + id);
        }
    }
}
