package dev.millrace.broker.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import dev.millrace.broker.controller.ControllerProtocol;
import dev.millrace.broker.controller.ControllerProtocol.CreateTopicReply;
import dev.millrace.broker.controller.ControllerProtocol.TopicCreationAccepted;
import dev.millrace.broker.controller.PartitionImage;
import dev.millrace.broker.controller.PublishedMetadata;
import dev.millrace.broker.partition.PartitionProtocol;
import dev.millrace.broker.partition.PartitionProtocol.Appended;
import dev.millrace.broker.partition.PartitionProtocol.ErrorCode;
import dev.millrace.broker.partition.PartitionProtocol.ProduceReply;
import dev.millrace.broker.partition.PartitionProtocol.Rejected;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;

/**
 * One node: the controller's publications reach the node's {@link Broker} (its cached metadata follows leader
 * changes without asking the controller), and a partition without a leader is refused with the retriable
 * NOT_LEADER_OR_FOLLOWER until its broker is back. The broker's loss is simulated by telling the controller that its
 * member left (what its membership subscription would say).
 */
@Timeout(90)
class BrokerNodeLeadershipTest
{
    private static final Duration WAIT = Duration.ofSeconds(15);

    @TempDir
    Path dataDir;

    @Test
    void shouldPublishLeaderChangesToTheBrokerAndRefuseALeaderlessPartitionUntilItsBrokerIsBack()
    {
        try (BrokerNode node = BrokerNode.start(BrokerNodeTest.nodeConfig(dataDir)))
        {
            final TestProbe<CreateTopicReply> created = TestProbe.create(node.system());
            node.broker().tell(new Broker.CreateTopic("lonely", 1, 1, Map.of(), created.ref()));
            created.expectMessageClass(TopicCreationAccepted.class, WAIT);
            final TopicPartition tp = new TopicPartition("lonely", 0);
            final PublishedMetadata initial = awaitMetadata(node, m -> m.image().topics().containsKey("lonely") &&
                m.liveBrokers().equals(List.of(0)) && m.controllerId() == 0);
            assertEquals(0, partition(initial).leader());
            assertInstanceOf(Appended.class, produce(node, tp));

            final String member = Cluster.get(node.system()).selfMember().uniqueAddress().toString();
            node.controller().tell(new ControllerProtocol.BrokerMembershipChanged(0, member, false));

            final PublishedMetadata offline = awaitMetadata(node, m -> partition(m).leader() == PartitionImage.NO_LEADER);
            assertEquals(List.of(), offline.liveBrokers());
            assertEquals(1, partition(offline).leaderEpoch());
            assertEquals(List.of(0), partition(offline).isr(), "the ISR is kept for the broker's return");
            final Rejected refused = assertInstanceOf(Rejected.class, produce(node, tp));
            assertEquals(ErrorCode.NOT_LEADER_OR_FOLLOWER, refused.error());
            assertTrue(refused.message().contains("no leader"), refused.message());

            node.controller().tell(new ControllerProtocol.BrokerMembershipChanged(0, member + "-again", true));

            final PublishedMetadata back = awaitMetadata(node, m -> partition(m).leader() == 0);
            assertEquals(2, partition(back).leaderEpoch());
            assertEquals(List.of(0), back.liveBrokers());
            assertInstanceOf(Appended.class, produce(node, tp));
        }
    }

    private static PartitionImage partition(final PublishedMetadata metadata)
    {
        return metadata.image().topics().get("lonely").partitions().get(0);
    }

    /** Asks the broker for its cached metadata until it satisfies {@code condition} (bounded). */
    private static PublishedMetadata awaitMetadata(final BrokerNode node, final Predicate<PublishedMetadata> condition)
    {
        final TestProbe<PublishedMetadata> probe = TestProbe.create(node.system());
        return probe.awaitAssert(WAIT, Duration.ofMillis(100), () ->
        {
            node.broker().tell(new Broker.GetClusterMetadata(probe.ref()));
            final PublishedMetadata metadata = probe.receiveMessage(WAIT);
            assertTrue(condition.test(metadata), () -> "not yet: " + metadata);
            return metadata;
        });
    }

    private static ProduceReply produce(final BrokerNode node, final TopicPartition tp)
    {
        final TestProbe<ProduceReply> reply = TestProbe.create(node.system());
        node.broker().tell(new Broker.Produce(
            new PartitionProtocol.Produce(tp, (short)1, NodeBatches.batch("x", 1, 1_000L), reply.ref())));
        return reply.receiveMessage(WAIT);
    }
}
