package dev.millrace.broker.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.persistence.testkit.SnapshotMeta;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.apache.pekko.persistence.typed.PersistenceId;
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
import dev.millrace.broker.controller.ControllerProtocol.AllocateProducerIdsReply;
import dev.millrace.broker.controller.ControllerProtocol.AlterTopicConfigs;
import dev.millrace.broker.controller.ControllerProtocol.AlterTopicConfigsReply;
import dev.millrace.broker.controller.ControllerProtocol.BrokerRegistrationAccepted;
import dev.millrace.broker.controller.ControllerProtocol.CreatePartitions;
import dev.millrace.broker.controller.ControllerProtocol.CreatePartitionsReply;
import dev.millrace.broker.controller.ControllerProtocol.CreateTopic;
import dev.millrace.broker.controller.ControllerProtocol.CreateTopicReply;
import dev.millrace.broker.controller.ControllerProtocol.DeleteTopic;
import dev.millrace.broker.controller.ControllerProtocol.DeleteTopicReply;
import dev.millrace.broker.controller.ControllerProtocol.DescribeTopic;
import dev.millrace.broker.controller.ControllerProtocol.DescribeTopicReply;
import dev.millrace.broker.controller.ControllerProtocol.GetMetadata;
import dev.millrace.broker.controller.ControllerProtocol.ListTopics;
import dev.millrace.broker.controller.ControllerProtocol.PartitionsAccepted;
import dev.millrace.broker.controller.ControllerProtocol.ProducerIdBlock;
import dev.millrace.broker.controller.ControllerProtocol.RegisterBroker;
import dev.millrace.broker.controller.ControllerProtocol.RegisterBrokerReply;
import dev.millrace.broker.controller.ControllerProtocol.Rejected;
import dev.millrace.broker.controller.ControllerProtocol.TopicConfigsAccepted;
import dev.millrace.broker.controller.ControllerProtocol.TopicCreationAccepted;
import dev.millrace.broker.controller.ControllerProtocol.TopicDeletionAccepted;
import dev.millrace.broker.controller.ControllerProtocol.TopicDescription;
import dev.millrace.broker.controller.ControllerProtocol.TopicListing;

/**
 * The controller through {@link EventSourcedBehaviorTestKit}: every command, event and state is forced through
 * the Kryo serializer and compared for equality, so an unregistered class fails here.
 */
class ControllerTest
{
    private static final ControllerSettings SETTINGS = new ControllerSettings(100, 2, 1, 1000, 100, 2);
    private static final AtomicLong IDS = new AtomicLong();

    private static ActorTestKit actorTestKit;

    private final AtomicLong topicIds = new AtomicLong(1);
    private String pid;

    @BeforeAll
    static void startActorSystem()
    {
        actorTestKit = ActorTestKit.create("ControllerTest", EventSourcedBehaviorTestKit.config());
    }

    @AfterAll
    static void stopActorSystem()
    {
        actorTestKit.shutdownTestKit();
    }

    // Brokers

    @Test
    void shouldRegisterBrokerAndPersistBrokerRegistered()
    {
        final var controller = controller(SETTINGS);
        final var result = controller.<RegisterBrokerReply>runCommand(
            replyTo -> new RegisterBroker(7, "host-7", 9092, Optional.of("rack-a"), replyTo));

        final BrokerRegistration expected = new BrokerRegistration(7, "host-7", 9092, Optional.of("rack-a"));
        assertEquals(new BrokerRegistrationAccepted(expected), result.reply());
        assertEquals(List.of(new BrokerRegistered(expected)), result.events());
        assertEquals(Map.of(7, expected), result.state().brokers());
    }

    @Test
    void shouldPersistNothingWhenABrokerRegistersTheSameEndpointAgain()
    {
        final var controller = controller(SETTINGS);
        registerBrokers(controller, 1);

        final var again = controller.<RegisterBrokerReply>runCommand(
            replyTo -> new RegisterBroker(0, "host-0", 9092, Optional.empty(), replyTo));

        assertInstanceOf(BrokerRegistrationAccepted.class, again.reply());
        assertTrue(again.hasNoEvents());
    }

    @Test
    void shouldUpdateTheEndpointWhenABrokerRegistersANewPort()
    {
        final var controller = controller(SETTINGS);
        registerBrokers(controller, 1);

        final var moved = controller.<RegisterBrokerReply>runCommand(
            replyTo -> new RegisterBroker(0, "host-0", 9093, Optional.empty(), replyTo));

        assertEquals(1, moved.events().size());
        assertEquals(9093, moved.state().brokers().get(0).port());
    }

    @Test
    void shouldRejectBrokerWithNegativeIdBlankHostOrBadPortAsInvalidRequest()
    {
        final var controller = controller(SETTINGS);
        assertRejected(controller, ControllerErrorCode.INVALID_REQUEST,
            (ActorRef<RegisterBrokerReply> replyTo) -> new RegisterBroker(-1, "h", 9092, Optional.empty(), replyTo), "-1");
        assertRejected(controller, ControllerErrorCode.INVALID_REQUEST,
            (ActorRef<RegisterBrokerReply> replyTo) -> new RegisterBroker(1, " ", 9092, Optional.empty(), replyTo), "host");
        assertRejected(controller, ControllerErrorCode.INVALID_REQUEST,
            (ActorRef<RegisterBrokerReply> replyTo) -> new RegisterBroker(1, "h", 0, Optional.empty(), replyTo), "port 0");
        assertRejected(controller, ControllerErrorCode.INVALID_REQUEST,
            (ActorRef<RegisterBrokerReply> replyTo) -> new RegisterBroker(1, "h", 65536, Optional.empty(), replyTo), "65536");
    }

    // Topics: happy paths

    @Test
    void shouldCreateTopicWithFullAssignmentLeadersFirstReplicaEpochZeroAndIsrAllReplicas()
    {
        final var controller = controller(SETTINGS);
        registerBrokers(controller, 3);

        final var result = createTopic(controller, "orders", 4, 3, Map.of("retention.ms", "60000", "cleanup.policy", "compact"));

        final TopicCreationAccepted accepted = assertInstanceOf(TopicCreationAccepted.class, result.reply());
        assertFalse(accepted.validateOnly());
        final TopicImage topic = accepted.topic();
        assertEquals(List.of(new TopicCreated(topic)), result.events());
        assertEquals(new UUID(0, 1), topic.topicId());
        assertEquals(4, topic.partitionCount());
        assertEquals(3, topic.replicationFactor());
        assertEquals(Map.of("retention.ms", "60000", "cleanup.policy", "compact"), topic.configs());
        for (int i = 0; i < 4; i++)
        {
            final PartitionImage partition = topic.partitions().get(i);
            assertEquals(i, partition.partition());
            assertEquals(3, partition.replicas().size());
            assertEquals(partition.replicas().get(0), partition.leader());
            assertEquals(0, partition.leaderEpoch());
            assertEquals(partition.replicas(), partition.isr());
        }
        assertEquals(topic, result.state().topics().get("orders"));
    }

    @Test
    void shouldSpreadReplicasAcrossThreeBrokersWithNoBrokerTwiceInAPartition()
    {
        final var controller = controller(SETTINGS);
        registerBrokers(controller, 3);

        final TopicImage topic = createdTopic(createTopic(controller, "spread", 6, 2, Map.of()));

        final Map<Integer, Integer> leaders = new HashMap<>();
        final Map<Integer, Integer> replicas = new HashMap<>();
        for (final PartitionImage partition : topic.partitions())
        {
            assertEquals(2, new HashSet<>(partition.replicas()).size(), "no broker twice in " + partition);
            leaders.merge(partition.leader(), 1, Integer::sum);
            for (final int broker : partition.replicas())
            {
                replicas.merge(broker, 1, Integer::sum);
            }
        }
        assertEquals(Map.of(0, 2, 1, 2, 2, 2), leaders, "each broker leads the same number of partitions");
        assertEquals(Map.of(0, 4, 1, 4, 2, 4), replicas, "each broker holds the same number of replicas");
    }

    @Test
    void shouldUseConfiguredDefaultPartitionsAndReplicationFactorForMinusOne()
    {
        final var controller = controller(SETTINGS);
        registerBrokers(controller, 1);

        final TopicImage topic = createdTopic(createTopic(controller, "defaults", -1, -1, Map.of()));

        assertEquals(SETTINGS.defaultPartitions(), topic.partitionCount());
        assertEquals(SETTINGS.defaultReplicationFactor(), topic.replicationFactor());
    }

    @Test
    void shouldAnswerValidateOnlyCreateWithTheTopicButPersistNothing()
    {
        final var controller = controller(SETTINGS);
        registerBrokers(controller, 3);
        final ClusterImage before = controller.getState();

        final var result = controller.<CreateTopicReply>runCommand(
            replyTo -> new CreateTopic("dry", 3, 2, Map.of(), true, replyTo));

        final TopicCreationAccepted accepted = assertInstanceOf(TopicCreationAccepted.class, result.reply());
        assertTrue(accepted.validateOnly());
        assertEquals(3, accepted.topic().partitionCount());
        assertTrue(result.hasNoEvents());
        assertEquals(before, result.state());
    }

    @Test
    void shouldDescribeAndListTopicsSortedByName()
    {
        final var controller = controller(SETTINGS);
        registerBrokers(controller, 1);
        final TopicImage beta = createdTopic(createTopic(controller, "beta", 1, 1, Map.of()));
        createTopic(controller, "alpha", 1, 1, Map.of());

        final var described = controller.<DescribeTopicReply>runCommand(replyTo -> new DescribeTopic("beta", replyTo));
        final var listed = controller.<TopicListing>runCommand(ListTopics::new);
        final var metadata = controller.<ClusterImage>runCommand(GetMetadata::new);

        assertEquals(new TopicDescription(beta), described.reply());
        assertEquals(new TopicListing(List.of("alpha", "beta")), listed.reply());
        assertEquals(controller.getState(), metadata.reply());
        assertTrue(described.hasNoEvents() && listed.hasNoEvents() && metadata.hasNoEvents());
    }

    @Test
    void shouldDeleteTopicAndAllowItsNameToBeCreatedAgainWithANewId()
    {
        final var controller = controller(SETTINGS);
        registerBrokers(controller, 1);
        final TopicImage first = createdTopic(createTopic(controller, "again", 1, 1, Map.of()));

        final var deleted = controller.<DeleteTopicReply>runCommand(replyTo -> new DeleteTopic("again", replyTo));

        assertEquals(new TopicDeletionAccepted("again", first.topicId()), deleted.reply());
        assertEquals(List.of(new TopicDeleted("again", first.topicId())), deleted.events());
        assertFalse(deleted.state().topics().containsKey("again"));

        final TopicImage second = createdTopic(createTopic(controller, "again", 1, 1, Map.of()));
        assertNotEquals(first.topicId(), second.topicId());
    }

    @Test
    void shouldSetAndDeleteTopicConfigs()
    {
        final var controller = controller(SETTINGS);
        registerBrokers(controller, 3);
        createTopic(controller, "cfg", 1, 3, Map.of("retention.ms", "1000", "segment.bytes", "1048576"));

        final var altered = controller.<AlterTopicConfigsReply>runCommand(replyTo -> new AlterTopicConfigs(
            "cfg", Map.of("min.insync.replicas", "2", "retention.ms", "2000"), List.of("segment.bytes"), false, replyTo));

        final Map<String, String> expected = Map.of("min.insync.replicas", "2", "retention.ms", "2000");
        assertEquals(new TopicConfigsAccepted("cfg", expected, false), altered.reply());
        assertEquals(List.of(new TopicConfigsAltered("cfg", expected)), altered.events());
        assertEquals(expected, altered.state().topics().get("cfg").configs());
    }

    @Test
    void shouldAnswerValidateOnlyAlterConfigsButPersistNothing()
    {
        final var controller = controller(SETTINGS);
        registerBrokers(controller, 1);
        createTopic(controller, "cfg", 1, 1, Map.of());
        final ClusterImage before = controller.getState();

        final var altered = controller.<AlterTopicConfigsReply>runCommand(replyTo -> new AlterTopicConfigs(
            "cfg", Map.of("retention.ms", "5"), List.of(), true, replyTo));

        assertEquals(new TopicConfigsAccepted("cfg", Map.of("retention.ms", "5"), true), altered.reply());
        assertTrue(altered.hasNoEvents());
        assertEquals(before, altered.state());
    }

    @Test
    void shouldAddPartitionsWithDistinctReplicasAndKeepExistingOnes()
    {
        final var controller = controller(SETTINGS);
        registerBrokers(controller, 3);
        final TopicImage topic = createdTopic(createTopic(controller, "grow", 2, 2, Map.of()));

        final var grown = controller.<CreatePartitionsReply>runCommand(
            replyTo -> new CreatePartitions("grow", 5, false, replyTo));

        final PartitionsAccepted accepted = assertInstanceOf(PartitionsAccepted.class, grown.reply());
        final TopicImage after = accepted.topic();
        assertEquals(5, after.partitionCount());
        assertEquals(topic.partitions(), after.partitions().subList(0, 2));
        final PartitionsAdded event = assertInstanceOf(PartitionsAdded.class, grown.event());
        assertEquals(after.partitions().subList(2, 5), event.partitions());
        for (final PartitionImage partition : event.partitions())
        {
            assertEquals(2, new HashSet<>(partition.replicas()).size());
            assertEquals(0, partition.leaderEpoch());
            assertEquals(partition.replicas().get(0), partition.leader());
        }
        assertEquals(after, grown.state().topics().get("grow"));
    }

    @Test
    void shouldAnswerValidateOnlyCreatePartitionsButPersistNothing()
    {
        final var controller = controller(SETTINGS);
        registerBrokers(controller, 2);
        createTopic(controller, "dry", 1, 2, Map.of());
        final ClusterImage before = controller.getState();

        final var grown = controller.<CreatePartitionsReply>runCommand(
            replyTo -> new CreatePartitions("dry", 3, true, replyTo));

        final PartitionsAccepted accepted = assertInstanceOf(PartitionsAccepted.class, grown.reply());
        assertTrue(accepted.validateOnly());
        assertEquals(3, accepted.topic().partitionCount());
        assertTrue(grown.hasNoEvents());
        assertEquals(before, grown.state());
    }

    @Test
    void shouldRejectCreatePartitionsWhenFewerBrokersThanTheReplicationFactorAreRegistered()
    {
        // Brokers are never deregistered yet, so build the image directly: a topic of factor 2 and one broker.
        final var controller = controller(SETTINGS);
        final BrokerRegistration broker = new BrokerRegistration(0, "h", 9092, Optional.empty());
        final TopicImage topic = new TopicImage(
            "thin", new UUID(9, 9), 2, Map.of(), List.of(PartitionImage.initial(0, List.of(0, 1))));
        controller.initialize(new BrokerRegistered(broker), new TopicCreated(topic));

        assertRejected(controller, ControllerErrorCode.INVALID_REPLICATION_FACTOR,
            (ActorRef<CreatePartitionsReply> replyTo) -> new CreatePartitions("thin", 2, false, replyTo),
            "1 live broker(s)");
    }

    // Topics: every validation error, nothing persisted, image unchanged

    @Test
    void shouldRejectIllegalTopicNamesWithInvalidTopicException()
    {
        final var controller = controller(SETTINGS);
        registerBrokers(controller, 1);
        for (final String name : List.of("", ".", "..", "a".repeat(250), "has space", "slash/topic", "ümlaut"))
        {
            assertRejected(controller, ControllerErrorCode.INVALID_TOPIC_EXCEPTION,
                (ActorRef<CreateTopicReply> replyTo) -> new CreateTopic(name, 1, 1, Map.of(), false, replyTo), "Topic name");
        }
        // The longest legal name is accepted.
        createdTopic(createTopic(controller, "a".repeat(249), 1, 1, Map.of()));
    }

    @Test
    void shouldRejectNameThatCollidesWithAnExistingTopicOnceDotsAreUnderscoresWithInvalidTopicException()
    {
        final var controller = controller(SETTINGS);
        registerBrokers(controller, 1);
        createTopic(controller, "metrics_raw", 1, 1, Map.of());

        assertRejected(controller, ControllerErrorCode.INVALID_TOPIC_EXCEPTION,
            (ActorRef<CreateTopicReply> replyTo) -> new CreateTopic("metrics.raw", 1, 1, Map.of(), false, replyTo), "collides with existing topic 'metrics_raw'");
    }

    @Test
    void shouldRejectExistingNameWithTopicAlreadyExists()
    {
        final var controller = controller(SETTINGS);
        registerBrokers(controller, 1);
        createTopic(controller, "dup", 1, 1, Map.of());

        assertRejected(controller, ControllerErrorCode.TOPIC_ALREADY_EXISTS,
            (ActorRef<CreateTopicReply> replyTo) -> new CreateTopic("dup", 1, 1, Map.of(), false, replyTo), "already exists");
    }

    @Test
    void shouldRejectPartitionCountBelowOneOrAboveTheMaximumWithInvalidPartitions()
    {
        final var controller = controller(SETTINGS.withMaxPartitionsPerTopic(8));
        registerBrokers(controller, 1);

        assertRejected(controller, ControllerErrorCode.INVALID_PARTITIONS,
            (ActorRef<CreateTopicReply> replyTo) -> new CreateTopic("p", 0, 1, Map.of(), false, replyTo), "must be >= 1");
        assertRejected(controller, ControllerErrorCode.INVALID_PARTITIONS,
            (ActorRef<CreateTopicReply> replyTo) -> new CreateTopic("p", -2, 1, Map.of(), false, replyTo), "must be >= 1");
        assertRejected(controller, ControllerErrorCode.INVALID_PARTITIONS,
            (ActorRef<CreateTopicReply> replyTo) -> new CreateTopic("p", 9, 1, Map.of(), false, replyTo), "max-partitions-per-topic");
    }

    @Test
    void shouldRejectReplicationFactorAboveRegisteredBrokersWithInvalidReplicationFactorNamingTheCounts()
    {
        final var controller = controller(SETTINGS);
        registerBrokers(controller, 2);

        assertRejected(controller, ControllerErrorCode.INVALID_REPLICATION_FACTOR,
            (ActorRef<CreateTopicReply> replyTo) -> new CreateTopic("rf", 1, 3, Map.of(), false, replyTo), "Replication factor 3 is larger than the 2");
        assertRejected(controller, ControllerErrorCode.INVALID_REPLICATION_FACTOR,
            (ActorRef<CreateTopicReply> replyTo) -> new CreateTopic("rf", 1, 0, Map.of(), false, replyTo), "must be >= 1");
    }

    @Test
    void shouldRejectTopicCreationWithNoBrokersWithInvalidReplicationFactor()
    {
        final var controller = controller(SETTINGS);

        assertRejected(controller, ControllerErrorCode.INVALID_REPLICATION_FACTOR,
            (ActorRef<CreateTopicReply> replyTo) -> new CreateTopic("none", 1, 1, Map.of(), false, replyTo), "0 live broker(s)");
    }

    @Test
    void shouldRejectUnknownKeysAndOutOfRangeValuesWithInvalidConfigNamingTheKey()
    {
        final var controller = controller(SETTINGS);
        registerBrokers(controller, 3);
        final Map<Map<String, String>, String> cases = Map.of(
            Map.of("no.such.key", "1"), "no.such.key",
            Map.of("segment.bytes", "abc"), "segment.bytes",
            Map.of("retention.ms", "-2"), "retention.ms",
            Map.of("fsync-on-ack", "maybe"), "fsync-on-ack",
            Map.of("cleanup.policy", "shred"), "cleanup.policy",
            Map.of("min.insync.replicas", "4"), "min.insync.replicas",
            Map.of("min.insync.replicas", "0"), "min.insync.replicas",
            Map.of("message.timestamp.type", "WallClock"), "message.timestamp.type",
            Map.of("max.message.bytes", Integer.toString(TopicConfigs.MAX_MESSAGE_BYTES_LIMIT + 1)), "max.message.bytes");
        for (final Map.Entry<Map<String, String>, String> entry : cases.entrySet())
        {
            assertRejected(controller, ControllerErrorCode.INVALID_CONFIG,
                (ActorRef<CreateTopicReply> replyTo) -> new CreateTopic("c", 1, 3, entry.getKey(), false, replyTo), entry.getValue());
        }
    }

    @Test
    void shouldRejectCommandsOnAnUnknownTopicWithUnknownTopicOrPartition()
    {
        final var controller = controller(SETTINGS);
        registerBrokers(controller, 1);

        assertRejected(controller, ControllerErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            (ActorRef<DescribeTopicReply> replyTo) -> new DescribeTopic("ghost", replyTo), "'ghost' does not exist");
        assertRejected(controller, ControllerErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            (ActorRef<DeleteTopicReply> replyTo) -> new DeleteTopic("ghost", replyTo), "'ghost' does not exist");
        assertRejected(controller, ControllerErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            (ActorRef<AlterTopicConfigsReply> replyTo) -> new AlterTopicConfigs("ghost", Map.of(), List.of(), false, replyTo), "'ghost' does not exist");
        assertRejected(controller, ControllerErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            (ActorRef<CreatePartitionsReply> replyTo) -> new CreatePartitions("ghost", 2, false, replyTo), "'ghost' does not exist");
    }

    @Test
    void shouldRejectAlterConfigsThatBreakTheTopicConfigAndKeepTheOldConfigs()
    {
        final var controller = controller(SETTINGS);
        registerBrokers(controller, 2);
        createTopic(controller, "keep", 1, 2, Map.of("retention.ms", "1000"));

        assertRejected(controller, ControllerErrorCode.INVALID_CONFIG,
            (ActorRef<AlterTopicConfigsReply> replyTo) -> new AlterTopicConfigs("keep", Map.of("retention.ms", "soon"), List.of(), false, replyTo),
            "retention.ms");
        assertRejected(controller, ControllerErrorCode.INVALID_CONFIG,
            (ActorRef<AlterTopicConfigsReply> replyTo) -> new AlterTopicConfigs("keep", Map.of("min.insync.replicas", "3"), List.of(), false, replyTo),
            "replication factor 2");
        assertRejected(controller, ControllerErrorCode.INVALID_CONFIG,
            (ActorRef<AlterTopicConfigsReply> replyTo) -> new AlterTopicConfigs("keep", Map.of(), List.of("bogus"), false, replyTo), "bogus");
        assertRejected(controller, ControllerErrorCode.INVALID_REQUEST,
            (ActorRef<AlterTopicConfigsReply> replyTo) -> new AlterTopicConfigs("keep", Map.of("retention.ms", "5"), List.of("retention.ms"), false, replyTo),
            "both set and deleted");
        assertEquals(Map.of("retention.ms", "1000"), controller.getState().topics().get("keep").configs());
    }

    @Test
    void shouldRejectCreatePartitionsThatDoNotIncreaseTheCountWithInvalidPartitions()
    {
        final var controller = controller(SETTINGS.withMaxPartitionsPerTopic(4));
        registerBrokers(controller, 1);
        createTopic(controller, "fixed", 3, 1, Map.of());

        assertRejected(controller, ControllerErrorCode.INVALID_PARTITIONS,
            (ActorRef<CreatePartitionsReply> replyTo) -> new CreatePartitions("fixed", 3, false, replyTo), "already has 3 partitions");
        assertRejected(controller, ControllerErrorCode.INVALID_PARTITIONS,
            (ActorRef<CreatePartitionsReply> replyTo) -> new CreatePartitions("fixed", 2, false, replyTo), "cannot shrink");
        assertRejected(controller, ControllerErrorCode.INVALID_PARTITIONS,
            (ActorRef<CreatePartitionsReply> replyTo) -> new CreatePartitions("fixed", 5, false, replyTo), "limit of 4");
    }

    // Producer ids

    @Test
    void shouldAllocateProducerIdBlocksThatNeverOverlapAlsoAfterARestart()
    {
        final var controller = controller(SETTINGS);
        final List<ProducerIdBlock> blocks = new ArrayList<>();
        blocks.add(allocate(controller, 10));
        blocks.add(allocate(controller, -1));
        controller.restart();
        blocks.add(allocate(controller, 1));
        controller.restart();
        blocks.add(allocate(controller, 5));

        assertEquals(new ProducerIdBlock(0, 10), blocks.get(0));
        assertEquals(new ProducerIdBlock(10, SETTINGS.producerIdBlockSize()), blocks.get(1));
        final Set<Long> seen = new HashSet<>();
        for (final ProducerIdBlock block : blocks)
        {
            for (long id = block.firstProducerId(); id <= block.lastProducerId(); id++)
            {
                assertTrue(seen.add(id), "producer id " + id + " handed out twice");
            }
        }
        assertEquals(blocks.get(3).lastProducerId() + 1, controller.getState().nextProducerId());
    }

    @Test
    void shouldRejectProducerIdBlockSizeBelowOneWithInvalidRequest()
    {
        final var controller = controller(SETTINGS);

        assertRejected(controller, ControllerErrorCode.INVALID_REQUEST,
            (ActorRef<AllocateProducerIdsReply> replyTo) -> new AllocateProducerIds(0, replyTo), "block size");
    }

    // Recovery

    @Test
    void shouldRecoverTheSameImageFromASnapshotAndTheEventsAfterIt()
    {
        final var controller = controller(SETTINGS.withSnapshotEveryEvents(3));
        registerBrokers(controller, 3);
        createTopic(controller, "snap", 4, 3, Map.of("cleanup.policy", "delete"));
        controller.<AlterTopicConfigsReply>runCommand(replyTo -> new AlterTopicConfigs(
            "snap", Map.of("retention.ms", "100"), List.of(), false, replyTo));
        final ClusterImage atSixthEvent = controller.<CreatePartitionsReply>runCommand(
            replyTo -> new CreatePartitions("snap", 6, false, replyTo)).state();
        allocate(controller, 100);
        createTopic(controller, "tail", 1, 1, Map.of());
        final ClusterImage before = controller.getState();

        final List<Pair<SnapshotMeta, Object>> snapshots =
            controller.snapshotTestKit().orElseThrow().persistedInStorage(pid);
        assertFalse(snapshots.isEmpty(), "a snapshot was taken");
        final Pair<SnapshotMeta, Object> latest = snapshots.get(snapshots.size() - 1);
        assertEquals(6, latest.first().sequenceNr(), "snapshot after every 3 events");
        assertEquals(atSixthEvent, latest.second(), "the snapshot holds the image as of its sequence number");

        final ClusterImage recovered = controller.restart().state();

        assertEquals(before, recovered);
        assertEquals(100, recovered.nextProducerId());
        assertEquals(6, recovered.topics().get("snap").partitionCount());
    }

    // Helpers

    private EventSourcedBehaviorTestKit<ControllerProtocol, ControllerEvent, ClusterImage> controller(
        final ControllerSettings settings)
    {
        pid = "controller-" + IDS.incrementAndGet();
        return EventSourcedBehaviorTestKit.create(
            actorTestKit.system(),
            Controller.create(PersistenceId.ofUniqueId(pid), settings, () -> new UUID(0, topicIds.getAndIncrement())),
            EventSourcedBehaviorTestKit.enabledSerializationSettings().withVerifyEquality(true));
    }

    private static void registerBrokers(
        final EventSourcedBehaviorTestKit<ControllerProtocol, ControllerEvent, ClusterImage> controller, final int count)
    {
        for (int i = 0; i < count; i++)
        {
            final int brokerId = i;
            final var result = controller.<RegisterBrokerReply>runCommand(
                replyTo -> new RegisterBroker(brokerId, "host-" + brokerId, 9092, Optional.empty(), replyTo));
            assertInstanceOf(BrokerRegistrationAccepted.class, result.reply());
        }
    }

    private static CommandResultWithReply<ControllerProtocol, ControllerEvent, ClusterImage, CreateTopicReply> createTopic(
        final EventSourcedBehaviorTestKit<ControllerProtocol, ControllerEvent, ClusterImage> controller,
        final String name,
        final int partitions,
        final int replicationFactor,
        final Map<String, String> configs)
    {
        return controller.runCommand(
            replyTo -> new CreateTopic(name, partitions, replicationFactor, configs, false, replyTo));
    }

    private static TopicImage createdTopic(
        final CommandResultWithReply<ControllerProtocol, ControllerEvent, ClusterImage, CreateTopicReply> result)
    {
        return assertInstanceOf(TopicCreationAccepted.class, result.reply(), () -> "rejected: " + result.reply()).topic();
    }

    private static ProducerIdBlock allocate(
        final EventSourcedBehaviorTestKit<ControllerProtocol, ControllerEvent, ClusterImage> controller, final int size)
    {
        final var result = controller.<AllocateProducerIdsReply>runCommand(replyTo -> new AllocateProducerIds(size, replyTo));
        final ProducerIdBlock block = assertInstanceOf(ProducerIdBlock.class, result.reply());
        assertEquals(List.of(new ProducerIdsAllocated(block.firstProducerId(), block.blockSize())), result.events());
        return block;
    }

    /** Runs a command that must be refused with {@code code}: a reply naming {@code messagePart}, no event, same image. */
    private static <R> void assertRejected(
        final EventSourcedBehaviorTestKit<ControllerProtocol, ControllerEvent, ClusterImage> controller,
        final ControllerErrorCode code,
        final Function<ActorRef<R>, ControllerProtocol> command,
        final String messagePart)
    {
        final ClusterImage before = controller.getState();
        final CommandResultWithReply<ControllerProtocol, ControllerEvent, ClusterImage, R> result =
            controller.runCommand(command);

        final Rejected rejected = assertInstanceOf(Rejected.class, result.reply());
        assertEquals(code, rejected.error(), rejected::message);
        assertTrue(rejected.message().contains(messagePart), () -> "'" + rejected.message() + "' names " + messagePart);
        assertTrue(result.hasNoEvents(), "a rejected command persists nothing");
        assertEquals(before, result.state(), "a rejected command leaves the image unchanged");
    }
}
