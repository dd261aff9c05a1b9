package dev.millrace.broker.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.millrace.broker.controller.ControllerEvent.BrokerRegistered;
import dev.millrace.broker.controller.ControllerEvent.PartitionsAdded;
import dev.millrace.broker.controller.ControllerEvent.ProducerIdsAllocated;
import dev.millrace.broker.controller.ControllerEvent.TopicConfigsAltered;
import dev.millrace.broker.controller.ControllerEvent.TopicCreated;
import dev.millrace.broker.controller.ControllerEvent.TopicDeleted;
import dev.millrace.broker.controller.ControllerProtocol.AllocateProducerIds;
import dev.millrace.broker.controller.ControllerProtocol.AlterTopicConfigs;
import dev.millrace.broker.controller.ControllerProtocol.BrokerRegistrationAccepted;
import dev.millrace.broker.controller.ControllerProtocol.CreatePartitions;
import dev.millrace.broker.controller.ControllerProtocol.CreateTopic;
import dev.millrace.broker.controller.ControllerProtocol.DeleteTopic;
import dev.millrace.broker.controller.ControllerProtocol.DescribeTopic;
import dev.millrace.broker.controller.ControllerProtocol.GetMetadata;
import dev.millrace.broker.controller.ControllerProtocol.ListTopics;
import dev.millrace.broker.controller.ControllerProtocol.PartitionsAccepted;
import dev.millrace.broker.controller.ControllerProtocol.ProducerIdBlock;
import dev.millrace.broker.controller.ControllerProtocol.RegisterBroker;
import dev.millrace.broker.controller.ControllerProtocol.Rejected;
import dev.millrace.broker.controller.ControllerProtocol.TopicConfigsAccepted;
import dev.millrace.broker.controller.ControllerProtocol.TopicCreationAccepted;
import dev.millrace.broker.controller.ControllerProtocol.TopicDeletionAccepted;
import dev.millrace.broker.controller.ControllerProtocol.TopicDescription;
import dev.millrace.broker.controller.ControllerProtocol.TopicListing;
import dev.millrace.serialization.kryo.KryoPekkoSerializer;
import dev.millrace.serialization.kryo.KryoRegistry;
import dev.millrace.serialization.kryo.MillraceMessage;

/**
 * Every controller message, reply, event and state class round-trips through the Kryo serializer (the
 * behavior test kit checks commands, events and state; this covers replies too), and every class registered in
 * this package has a sample here.
 */
class ControllerSerializationTest
{
    private static ActorTestKit testKit;

    @BeforeAll
    static void start()
    {
        testKit = ActorTestKit.create("ControllerSerializationTest", ConfigFactory.load());
    }

    @AfterAll
    static void stop()
    {
        testKit.shutdownTestKit();
    }

    @Test
    void shouldRoundTripEveryControllerMessageThroughKryo()
    {
        final TestProbe<Object> probe = testKit.createTestProbe();
        final PartitionImage partition = PartitionImage.initial(0, List.of(1, 2, 3));
        final BrokerRegistration broker = new BrokerRegistration(1, "h", 9092, Optional.of("r1"));
        final TopicImage topic = new TopicImage(
            "t", new UUID(1, 2), 3, Map.of("retention.ms", "1", "cleanup.policy", "compact"),
            List.of(partition, PartitionImage.initial(1, List.of(2, 3, 1))));
        final ClusterImage image = ClusterImage.EMPTY
            .withBroker(broker)
            .withBroker(new BrokerRegistration(2, "h2", 9093, Optional.empty()))
            .withTopic(topic)
            .withNextProducerId(42);

        final List<MillraceMessage> samples = List.of(
            image, broker, topic, partition, ControllerErrorCode.INVALID_CONFIG,
            new RegisterBroker(1, "h", 9092, Optional.empty(), probe.ref().narrow()),
            new CreateTopic("t", 3, 2, Map.of("segment.bytes", "1048576"), true, probe.ref().narrow()),
            new DeleteTopic("t", probe.ref().narrow()),
            new DescribeTopic("t", probe.ref().narrow()),
            new ListTopics(probe.ref().narrow()),
            new AlterTopicConfigs("t", Map.of("retention.ms", "5"), List.of("segment.ms"), false, probe.ref().narrow()),
            new CreatePartitions("t", 4, false, probe.ref().narrow()),
            new AllocateProducerIds(1000, probe.ref().narrow()),
            new GetMetadata(probe.ref().narrow()),
            new ControllerProtocol.AlterIsr("t", 0, 1, 3, 7, List.of(1, 2), probe.ref().narrow()),
            new ControllerProtocol.IsrAltered("t", partition),
            new ControllerProtocol.BrokerReachabilityChanged(2, "pekko://millrace@127.0.0.1:2552#1", false),
            new Rejected(ControllerErrorCode.TOPIC_ALREADY_EXISTS, "exists"),
            new BrokerRegistrationAccepted(broker),
            new TopicCreationAccepted(topic, false),
            new TopicDeletionAccepted("t", new UUID(1, 2)),
            new TopicDescription(topic),
            new TopicListing(List.of("a", "b")),
            new TopicConfigsAccepted("t", Map.of("retention.ms", "5"), true),
            new PartitionsAccepted(topic, false),
            new ProducerIdBlock(1000, 1000),
            new BrokerRegistered(broker),
            new TopicCreated(topic),
            new TopicDeleted("t", new UUID(1, 2)),
            new TopicConfigsAltered("t", Map.of()),
            new PartitionsAdded("t", List.of(partition)),
            new ProducerIdsAllocated(0, 1000),
            new ControllerProtocol.BrokerMembershipChanged(1, "pekko://millrace@127.0.0.1:7355#42", true),
            new PartitionChange("t", partition.withLeader(2, List.of(2, 3))),
            new PublishedMetadata(image, List.of(1, 2), 1, 17),
            new ControllerEvent.PartitionsChanged(List.of(new PartitionChange("t", partition.withIsr(List.of(1))))),
            new ControllerProtocol.ControlledShutdown(2, probe.ref().narrow()),
            new ControllerProtocol.ElectPreferredLeaders(probe.ref().narrow()),
            ControllerProtocol.Reconcile.INSTANCE,
            ControllerProtocol.PublishMetadata.INSTANCE,
            new ControllerProtocol.ControlledShutdownDone(2, List.of("t-0")),
            new ControllerProtocol.PreferredLeadersElected(List.of(new PartitionChange("t", partition))));

        final Serialization serialization = SerializationExtension.get(testKit.system());
        final Set<Class<?>> sampled = new HashSet<>();
        for (final MillraceMessage sample : samples)
        {
            final Serializer serializer = serialization.findSerializerFor(sample);
            assertEquals(KryoPekkoSerializer.IDENTIFIER, serializer.identifier(), sample.getClass().getName());
            final byte[] bytes = serializer.toBinary(sample);
            final Object copy = serialization.deserialize(
                bytes, serializer.identifier(), Serializers.manifestFor(serializer, sample)).get();
            assertEquals(sample, copy);
            sampled.add(sample.getClass());
        }

        final KryoRegistry registry = KryoRegistry.fromConfig(testKit.system().settings().config(), getClass().getClassLoader());
        for (final Map.Entry<Class<?>, Integer> entry : registry.registrations().entrySet())
        {
            if (entry.getKey().getPackageName().equals(Controller.class.getPackageName()))
            {
                // 3000-3999: the controller's block; 5300-5399: the block of the multi-node work.
                assertTrue(entry.getValue() >= 3000 && entry.getValue() <= 3999 ||
                    entry.getValue() >= 5300 && entry.getValue() <= 5399, entry::toString);
                assertTrue(sampled.contains(entry.getKey()), () -> "no sample for " + entry.getKey().getName());
            }
        }
    }
}
