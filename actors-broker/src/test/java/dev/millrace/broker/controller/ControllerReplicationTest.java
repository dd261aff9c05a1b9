package dev.millrace.broker.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.millrace.broker.controller.ControllerEvent.PartitionsChanged;
import dev.millrace.broker.controller.ControllerProtocol.AlterIsr;
import dev.millrace.broker.controller.ControllerProtocol.AlterIsrReply;
import dev.millrace.broker.controller.ControllerProtocol.BrokerMembershipChanged;
import dev.millrace.broker.controller.ControllerProtocol.BrokerRegistrationAccepted;
import dev.millrace.broker.controller.ControllerProtocol.ControlledShutdown;
import dev.millrace.broker.controller.ControllerProtocol.ControlledShutdownDone;
import dev.millrace.broker.controller.ControllerProtocol.ControlledShutdownReply;
import dev.millrace.broker.controller.ControllerProtocol.CreatePartitionsReply;
import dev.millrace.broker.controller.ControllerProtocol.CreateTopic;
import dev.millrace.broker.controller.ControllerProtocol.CreateTopicReply;
import dev.millrace.broker.controller.ControllerProtocol.ElectPreferredLeaders;
import dev.millrace.broker.controller.ControllerProtocol.IsrAltered;
import dev.millrace.broker.controller.ControllerProtocol.PartitionsAccepted;
import dev.millrace.broker.controller.ControllerProtocol.PreferredLeadersElected;
import dev.millrace.broker.controller.ControllerProtocol.RegisterBroker;
import dev.millrace.broker.controller.ControllerProtocol.RegisterBrokerReply;
import dev.millrace.broker.controller.ControllerProtocol.Rejected;
import dev.millrace.broker.controller.ControllerProtocol.TopicCreationAccepted;
import dev.millrace.broker.partition.PartitionProtocol.LeaderAndIsr;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;

/**
 * The controller's replication decisions through {@link EventSourcedBehaviorTestKit} (commands, events and state go
 * through Kryo), with a publisher that records every {@link LeaderAndIsr} delivery and image publication: placement
 * on live brokers (rack-aware), failover when a broker is gone, offline partitions and their recovery, unclean
 * election, AlterIsr validation and fencing, controlled shutdown, preferred-leader election and re-publication after
 * recovery. Membership changes are sent as the controller's own {@link BrokerMembershipChanged} (no cluster here:
 * a registered broker counts as live until a change says it is gone).
 */
@Timeout(60)
class ControllerReplicationTest
{
    private static final ControllerSettings SETTINGS = new ControllerSettings(100, 1, 1, 1000, 100, 2)
        .withLeaderRebalance(false, Duration.ofHours(1));
    private static final AtomicLong IDS = new AtomicLong();

    private static ActorTestKit actorTestKit;

    private final AtomicLong topicIds = new AtomicLong(1);
    private final RecordingPublisher publisher = new RecordingPublisher();
    private EventSourcedBehaviorTestKit<ControllerProtocol, ControllerEvent, ClusterImage> controller;

    @BeforeAll
    static void startActorSystem()
    {
        actorTestKit = ActorTestKit.create("ControllerReplicationTest", EventSourcedBehaviorTestKit.config());
    }

    @AfterAll
    static void stopActorSystem()
    {
        actorTestKit.shutdownTestKit();
    }

    @BeforeEach
    void startController()
    {
        controller = EventSourcedBehaviorTestKit.create(
            actorTestKit.system(),
            Controller.create(PersistenceId.ofUniqueId("replication-" + IDS.incrementAndGet()), SETTINGS,
                () -> new UUID(0, topicIds.getAndIncrement()), publisher),
            EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
    }

    // Placement

    @Test
    void shouldSpreadReplicasAndLeadersEvenlyOverLiveBrokers()
    {
        register(0, 1, 2);
        final TopicImage topic = create("even", 6, 3, Map.of());

        final Map<Integer, Integer> leaders = new HashMap<>();
        final Map<Integer, Integer> replicas = new HashMap<>();
        for (final PartitionImage partition : topic.partitions())
        {
            assertEquals(3, new HashSet<>(partition.replicas()).size(), "distinct brokers in " + partition);
            leaders.merge(partition.leader(), 1, Integer::sum);
            partition.replicas().forEach(r -> replicas.merge(r, 1, Integer::sum));
        }
        assertEquals(Map.of(0, 2, 1, 2, 2, 2), leaders);
        assertEquals(Map.of(0, 6, 1, 6, 2, 6), replicas);
    }

    @Test
    void shouldPlaceNoReplicaOnAGoneBrokerAndRefuseAReplicationFactorAboveTheLiveBrokersNamingBothNumbers()
    {
        register(0, 1, 2);
        gone(1);

        final TopicImage topic = create("two", 4, 2, Map.of());
        topic.partitions().forEach(p -> assertTrue(!p.replicas().contains(1), "no replica on gone broker 1: " + p));

        final var refused = controller.<CreateTopicReply>runCommand(
            replyTo -> new CreateTopic("three", 1, 3, Map.of(), false, replyTo));
        final Rejected rejected = assertInstanceOf(Rejected.class, refused.reply());
        assertEquals(ControllerErrorCode.INVALID_REPLICATION_FACTOR, rejected.error());
        assertTrue(rejected.message().contains("Replication factor 3") && rejected.message().contains("2 live"),
            rejected.message());

        final var refusedPartitions = controller.<CreatePartitionsReply>runCommand(
            replyTo -> new ControllerProtocol.CreatePartitions("two", 5, false, replyTo));
        assertInstanceOf(PartitionsAccepted.class, refusedPartitions.reply(), "factor 2 still fits 2 live brokers");
        gone(2);
        final var refusedNow = controller.<CreatePartitionsReply>runCommand(
            replyTo -> new ControllerProtocol.CreatePartitions("two", 6, false, replyTo));
        final Rejected rejectedNow = assertInstanceOf(Rejected.class, refusedNow.reply());
        assertEquals(ControllerErrorCode.INVALID_REPLICATION_FACTOR, rejectedNow.error());
        assertTrue(rejectedNow.message().contains("Replication factor 2") && rejectedNow.message().contains("1 live"),
            rejectedNow.message());
    }

    @Test
    void shouldPutEachReplicaOfAPartitionInAnotherRackWhenEveryBrokerHasARack()
    {
        final Map<Integer, String> racks = Map.of(0, "a", 1, "a", 2, "b", 3, "b", 4, "c", 5, "c");
        racks.forEach((id, rack) -> registerInRack(id, rack));

        final TopicImage three = create("racks3", 12, 3, Map.of());
        final Map<Integer, Integer> leaders = new HashMap<>();
        for (final PartitionImage partition : three.partitions())
        {
            final Set<String> used = new HashSet<>();
            partition.replicas().forEach(r -> used.add(racks.get(r)));
            assertEquals(Set.of("a", "b", "c"), used, "one replica per rack: " + partition);
            leaders.merge(partition.leader(), 1, Integer::sum);
        }
        assertEquals(Map.of(0, 2, 1, 2, 2, 2, 3, 2, 4, 2, 5, 2), leaders, "leaders spread evenly");

        final TopicImage two = create("racks2", 6, 2, Map.of());
        for (final PartitionImage partition : two.partitions())
        {
            assertTrue(!racks.get(partition.replicas().get(0)).equals(racks.get(partition.replicas().get(1))),
                "two replicas in two racks: " + partition);
        }
    }

    // Publication

    @Test
    void shouldDeliverLeaderAndIsrToEveryReplicaOfACreatedTopicAndPublishTheImage()
    {
        register(0, 1, 2);
        publisher.clear();
        final TopicImage topic = create("pub", 2, 3, Map.of());

        for (final PartitionImage partition : topic.partitions())
        {
            for (final int replica : partition.replicas())
            {
                assertEquals(List.of(decision("pub", partition)), publisher.deliveredTo(replica, "pub", partition.partition()));
            }
        }
        assertEquals(controller.getState(), publisher.lastImage().image());
        assertEquals(List.of(0, 1, 2), publisher.lastImage().liveBrokers());
    }

    @Test
    void shouldRedeliverEveryPartitionAfterRecovery()
    {
        register(0, 1);
        final TopicImage topic = create("again", 2, 2, Map.of());
        publisher.clear();

        controller.restart();
        controller.getState();

        for (final PartitionImage partition : topic.partitions())
        {
            for (final int replica : partition.replicas())
            {
                assertEquals(List.of(decision("again", partition)), publisher.deliveredTo(replica, "again", partition.partition()));
            }
        }
        assertEquals(topic, publisher.lastImage().image().topics().get("again"));
    }

    // Failover

    @Test
    void shouldElectTheNextIsrMemberWhenTheLeaderIsGoneAndDropAGoneFollowerFromTheIsr()
    {
        register(0, 1, 2);
        final TopicImage topic = create("fail", 3, 3, Map.of());
        final PartitionImage led = leaderIs(topic, 1);
        final PartitionImage followed = topic.partitions().stream().filter(p -> p.leader() != 1).findFirst().orElseThrow();
        publisher.clear();

        final var result = controller.runCommand(new BrokerMembershipChanged(1, "member-1", false));

        final PartitionsChanged event = assertInstanceOf(PartitionsChanged.class, result.events().get(0));
        assertEquals(3, event.changes().size(), "every partition has a replica on broker 1");
        final PartitionImage newLed = partition("fail", led.partition());
        final int expectedLeader = led.replicas().get(1);
        assertEquals(expectedLeader, newLed.leader(), "the next replica in order takes over");
        assertEquals(1, newLed.leaderEpoch());
        assertEquals(1, newLed.partitionEpoch());
        assertEquals(without(led.isr(), 1), newLed.isr());

        final PartitionImage newFollowed = partition("fail", followed.partition());
        assertEquals(followed.leader(), newFollowed.leader());
        assertEquals(0, newFollowed.leaderEpoch(), "a follower leaving changes no leader epoch");
        assertEquals(1, newFollowed.partitionEpoch());
        assertEquals(without(followed.isr(), 1), newFollowed.isr());

        for (final int replica : List.of(0, 2))
        {
            assertEquals(List.of(decision("fail", newLed)), publisher.deliveredTo(replica, "fail", led.partition()));
        }
        assertTrue(publisher.deliveredTo(1, "fail", led.partition()).isEmpty(), "nothing goes to a gone broker");
        assertEquals(List.of(0, 2), publisher.lastImage().liveBrokers());
    }

    @Test
    void shouldTakeAPartitionOfflineWhenNoIsrMemberIsLiveAndGiveItToTheFirstIsrMemberThatComesBack()
    {
        register(0, 1);
        create("solo", 1, 2, Map.of());
        final PartitionImage initial = partition("solo", 0);
        final int leader = initial.leader();
        final int follower = initial.replicas().get(1);
        shrinkIsrToLeader("solo", initial);

        gone(leader);
        final PartitionImage offline = partition("solo", 0);
        assertEquals(PartitionImage.NO_LEADER, offline.leader(), "the follower was out of sync: no leader");
        assertEquals(List.of(leader), offline.isr(), "the ISR is kept for the broker's return");
        assertEquals(1, offline.leaderEpoch());

        publisher.clear();
        back(leader);
        final PartitionImage recovered = partition("solo", 0);
        assertEquals(leader, recovered.leader());
        assertEquals(2, recovered.leaderEpoch());
        assertEquals(List.of(decision("solo", recovered)), publisher.deliveredTo(leader, "solo", 0));
        assertEquals(List.of(decision("solo", recovered)), publisher.deliveredTo(follower, "solo", 0));
    }

    @Test
    void shouldElectAReplicaOutsideTheIsrOnlyWhenTheTopicEnablesUncleanElection()
    {
        register(0, 1);
        create("unclean", 1, 2, Map.of(TopicConfigs.UNCLEAN_LEADER_ELECTION_ENABLE, "true"));
        final PartitionImage initial = partition("unclean", 0);
        final int leader = initial.leader();
        final int follower = initial.replicas().get(1);
        shrinkIsrToLeader("unclean", initial);

        gone(leader);

        final PartitionImage elected = partition("unclean", 0);
        assertEquals(follower, elected.leader());
        assertEquals(List.of(follower), elected.isr());
        assertEquals(1, elected.leaderEpoch());
    }

    @Test
    void shouldRejectAnUncleanElectionValueOtherThanTrueOrFalse()
    {
        register(0);
        final var result = controller.<CreateTopicReply>runCommand(replyTo -> new CreateTopic(
            "bad", 1, 1, Map.of(TopicConfigs.UNCLEAN_LEADER_ELECTION_ENABLE, "maybe"), false, replyTo));
        final Rejected rejected = assertInstanceOf(Rejected.class, result.reply());
        assertEquals(ControllerErrorCode.INVALID_CONFIG, rejected.error());
        assertTrue(rejected.message().contains(TopicConfigs.UNCLEAN_LEADER_ELECTION_ENABLE), rejected.message());
    }

    // AlterIsr

    @Test
    void shouldValidateAndFenceIsrChanges()
    {
        register(0, 1, 2);
        create("isr", 1, 2, Map.of());
        final PartitionImage p = partition("isr", 0);
        final int leader = p.leader();
        final int follower = p.replicas().get(1);
        final int outsider = 3 - leader - follower;

        assertIsrRejected(follower, p.leaderEpoch(), p.partitionEpoch(), List.of(follower), ControllerErrorCode.FENCED_LEADER_EPOCH);
        assertIsrRejected(leader, p.leaderEpoch() + 1, p.partitionEpoch(), List.of(leader), ControllerErrorCode.FENCED_LEADER_EPOCH);
        assertIsrRejected(leader, p.leaderEpoch(), p.partitionEpoch() + 1, List.of(leader), ControllerErrorCode.INVALID_UPDATE_VERSION);
        assertIsrRejected(leader, p.leaderEpoch(), p.partitionEpoch(), List.of(leader, outsider), ControllerErrorCode.INELIGIBLE_REPLICA);
        assertIsrRejected(leader, p.leaderEpoch(), p.partitionEpoch(), List.of(follower), ControllerErrorCode.INVALID_REQUEST);

        publisher.clear();
        final var shrunk = controller.<AlterIsrReply>runCommand(
            replyTo -> new AlterIsr("isr", 0, leader, p.leaderEpoch(), p.partitionEpoch(), List.of(leader), replyTo));
        final IsrAltered altered = assertInstanceOf(IsrAltered.class, shrunk.reply());
        assertEquals(List.of(leader), altered.partition().isr());
        assertEquals(p.partitionEpoch() + 1, altered.partition().partitionEpoch());
        assertEquals(p.leaderEpoch(), altered.partition().leaderEpoch());
        assertEquals(List.of(decision("isr", altered.partition())), publisher.deliveredTo(follower, "isr", 0));

        // The old partition epoch is now stale; a follower that is gone cannot be added back.
        assertIsrRejected(leader, p.leaderEpoch(), p.partitionEpoch(), List.of(leader, follower),
            ControllerErrorCode.INVALID_UPDATE_VERSION);
        gone(follower);
        assertIsrRejected(leader, p.leaderEpoch(), altered.partition().partitionEpoch(), List.of(leader, follower),
            ControllerErrorCode.INELIGIBLE_REPLICA);
        back(follower);
        final var expanded = controller.<AlterIsrReply>runCommand(replyTo -> new AlterIsr(
            "isr", 0, leader, p.leaderEpoch(), altered.partition().partitionEpoch(), List.of(leader, follower), replyTo));
        assertEquals(List.of(leader, follower), assertInstanceOf(IsrAltered.class, expanded.reply()).partition().isr());
    }

    @Test
    void shouldRejectAnIsrChangeForAnUnknownPartition()
    {
        register(0);
        final var result = controller.<AlterIsrReply>runCommand(
            replyTo -> new AlterIsr("nope", 0, 0, 0, 0, List.of(0), replyTo));
        assertEquals(ControllerErrorCode.UNKNOWN_TOPIC_OR_PARTITION, assertInstanceOf(Rejected.class, result.reply()).error());
        assertTrue(result.hasNoEvents());
    }

    // Controlled shutdown and preferred leaders

    @Test
    void shouldHandLeadershipOverOnControlledShutdownAndNotElectTheBrokerBackUntilItReturns()
    {
        register(0, 1, 2);
        final TopicImage topic = create("calm", 3, 3, Map.of());
        final PartitionImage led = leaderIs(topic, 2);
        publisher.clear();

        final var result = controller.<ControlledShutdownReply>runCommand(replyTo -> new ControlledShutdown(2, replyTo));

        assertEquals(new ControlledShutdownDone(2, List.of()), result.reply());
        for (final PartitionImage partition : controller.getState().topics().get("calm").partitions())
        {
            assertTrue(partition.leader() != 2, "broker 2 leads nothing: " + partition);
            assertTrue(!partition.isr().contains(2), "broker 2 left every ISR: " + partition);
        }
        final PartitionImage moved = partition("calm", led.partition());
        assertEquals(led.leaderEpoch() + 1, moved.leaderEpoch());
        assertEquals(List.of(decision("calm", moved)), publisher.deliveredTo(2, "calm", led.partition()),
            "the stopping broker learns it is a follower now");

        final var elected = controller.<PreferredLeadersElected>runCommand(ElectPreferredLeaders::new);
        assertEquals(List.of(), elected.reply().moved(), "a broker shutting down is not preferred back");
    }

    @Test
    void shouldMoveLeadershipBackToThePreferredReplicaOnceItIsLiveAndInSync()
    {
        register(0, 1, 2);
        final TopicImage topic = create("pref", 1, 3, Map.of());
        final PartitionImage initial = topic.partitions().get(0);
        final int preferred = initial.preferredLeader();

        gone(preferred);
        final PartitionImage failedOver = partition("pref", 0);
        back(preferred);
        assertEquals(List.of(), controller.<PreferredLeadersElected>runCommand(ElectPreferredLeaders::new).reply().moved(),
            "not in the ISR yet");

        final List<Integer> isr = new ArrayList<>(failedOver.isr());
        isr.add(preferred);
        final var rejoined = controller.<AlterIsrReply>runCommand(replyTo -> new AlterIsr(
            "pref", 0, failedOver.leader(), failedOver.leaderEpoch(), failedOver.partitionEpoch(), isr, replyTo));
        assertInstanceOf(IsrAltered.class, rejoined.reply());
        publisher.clear();

        final var elected = controller.<PreferredLeadersElected>runCommand(ElectPreferredLeaders::new);

        assertEquals(1, elected.reply().moved().size());
        final PartitionImage back = partition("pref", 0);
        assertEquals(preferred, back.leader());
        assertEquals(failedOver.leaderEpoch() + 1, back.leaderEpoch());
        assertEquals(List.of(decision("pref", back)), publisher.deliveredTo(preferred, "pref", 0));
    }

    // Helpers

    private void register(final int... brokerIds)
    {
        for (final int brokerId : brokerIds)
        {
            final var result = controller.<RegisterBrokerReply>runCommand(
                replyTo -> new RegisterBroker(brokerId, "host-" + brokerId, 9092, Optional.empty(), replyTo));
            assertInstanceOf(BrokerRegistrationAccepted.class, result.reply());
        }
    }

    private void registerInRack(final int brokerId, final String rack)
    {
        final var result = controller.<RegisterBrokerReply>runCommand(
            replyTo -> new RegisterBroker(brokerId, "host-" + brokerId, 9092, Optional.of(rack), replyTo));
        assertInstanceOf(BrokerRegistrationAccepted.class, result.reply());
    }

    private TopicImage create(final String name, final int partitions, final int replicationFactor,
        final Map<String, String> configs)
    {
        final var result = controller.<CreateTopicReply>runCommand(
            replyTo -> new CreateTopic(name, partitions, replicationFactor, configs, false, replyTo));
        return assertInstanceOf(TopicCreationAccepted.class, result.reply(), () -> "rejected: " + result.reply()).topic();
    }

    private void gone(final int brokerId)
    {
        controller.runCommand(new BrokerMembershipChanged(brokerId, "member-" + brokerId, false));
    }

    private void back(final int brokerId)
    {
        controller.runCommand(new BrokerMembershipChanged(brokerId, "member-" + brokerId + "-again", true));
    }

    private void shrinkIsrToLeader(final String topic, final PartitionImage partition)
    {
        final var result = controller.<AlterIsrReply>runCommand(replyTo -> new AlterIsr(topic, partition.partition(),
            partition.leader(), partition.leaderEpoch(), partition.partitionEpoch(), List.of(partition.leader()), replyTo));
        assertInstanceOf(IsrAltered.class, result.reply());
    }

    private void assertIsrRejected(
        final int leader, final int leaderEpoch, final int partitionEpoch, final List<Integer> isr,
        final ControllerErrorCode expected)
    {
        final ClusterImage before = controller.getState();
        final var result = controller.<AlterIsrReply>runCommand(
            replyTo -> new AlterIsr("isr", 0, leader, leaderEpoch, partitionEpoch, isr, replyTo));
        final Rejected rejected = assertInstanceOf(Rejected.class, result.reply(), () -> "accepted " + isr);
        assertEquals(expected, rejected.error(), rejected::message);
        assertTrue(result.hasNoEvents());
        assertEquals(before, controller.getState());
    }

    private PartitionImage partition(final String topic, final int partition)
    {
        return controller.getState().topics().get(topic).partitions().get(partition);
    }

    private static PartitionImage leaderIs(final TopicImage topic, final int brokerId)
    {
        return topic.partitions().stream().filter(p -> p.leader() == brokerId).findFirst().orElseThrow();
    }

    private static List<Integer> without(final List<Integer> brokers, final int brokerId)
    {
        final List<Integer> result = new ArrayList<>(brokers);
        result.remove(Integer.valueOf(brokerId));
        return result;
    }

    private static LeaderAndIsr decision(final String topic, final PartitionImage p)
    {
        return new LeaderAndIsr(new TopicPartition(topic, p.partition()), p.leader(), p.leaderEpoch(), p.partitionEpoch(),
            p.isr(), p.replicas());
    }

    /** Records deliveries; called on the controller's thread, read on the test's. */
    private static final class RecordingPublisher implements PartitionStatePublisher
    {
        private final List<Map.Entry<Integer, LeaderAndIsr>> deliveries = new ArrayList<>();
        private PublishedMetadata lastImage;

        @Override
        public synchronized void leaderAndIsr(final int brokerId, final LeaderAndIsr decision)
        {
            deliveries.add(Map.entry(brokerId, decision));
        }

        @Override
        public synchronized void metadata(final PublishedMetadata metadata)
        {
            lastImage = metadata;
        }

        synchronized void clear()
        {
            deliveries.clear();
            lastImage = null;
        }

        synchronized List<LeaderAndIsr> deliveredTo(final int brokerId, final String topic, final int partition)
        {
            final List<LeaderAndIsr> result = new ArrayList<>();
            for (final Map.Entry<Integer, LeaderAndIsr> delivery : deliveries)
            {
                if (delivery.getKey() == brokerId &&
                    delivery.getValue().topicPartition().equals(new TopicPartition(topic, partition)))
                {
                    result.add(delivery.getValue());
                }
            }
            return result;
        }

        synchronized PublishedMetadata lastImage()
        {
            return lastImage;
        }
    }
}
