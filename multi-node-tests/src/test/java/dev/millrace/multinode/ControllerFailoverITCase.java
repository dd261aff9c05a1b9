package dev.millrace.multinode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Issue 5's last test, with real processes: three node JVMs ({@link LocalCluster}), each a quorum voter, every
 * node's control plane on the quorum journal. Through one node's Kafka listener: topics with configs, a consumer
 * group's committed offsets, idempotent producers (producer ids). Then the node hosting the controller singleton is
 * killed with SIGKILL; through another node's listener the controller, now on a surviving node, answers with every
 * topic and config, the group's offsets are all there, and a new producer id is above every one handed out before.
 * Finally the killed node restarts on its data directory and serves the same topics, and a paused node (SIGSTOP)
 * answers nothing until it is continued (SIGCONT).
 */
class ControllerFailoverITCase
{
    private static final Duration CALL = Duration.ofSeconds(20);
    private static final Duration FAILOVER = Duration.ofSeconds(120);
    private static final String ORDERS = "orders";
    private static final String AUDIT = "audit";
    private static final String GROUP = "billing";
    private static final int ORDERS_PARTITIONS = 3;

    /**
     * With {@code controller-placement = singleton} the controller moves once the killed node is downed; with
     * {@code quorum-leader} it runs wherever the quorum journal's Raft elects its next leader.
     */
    @ParameterizedTest(name = "controller-placement = {0}")
    @ValueSource(strings = {"singleton", "quorum-leader"})
    @Timeout(value = 420, unit = TimeUnit.SECONDS)
    void controllerAndGroupCoordinatorsMoveWithNoTopicOffsetOrProducerIdLost(final String placement) throws Exception
    {
        try (LocalCluster cluster = LocalCluster.builder().nodes(3).journal("quorum")
            .config("millrace.broker.node.controller-placement = " + placement + "\n").start())
        {
            final NodeProcess controller = eventually(Duration.ofSeconds(30), () -> cluster.controllerNode().orElseThrow());
            final NodeProcess client = cluster.nodes().stream().filter(n -> n != controller).findFirst().orElseThrow();
            final NodeProcess survivor = cluster.nodes().stream()
                .filter(n -> n != controller && n != client).findFirst().orElseThrow();

            final Map<TopicPartition, OffsetAndMetadata> committed = Map.of(
                new TopicPartition(ORDERS, 0), new OffsetAndMetadata(42, "forty-two"),
                new TopicPartition(ORDERS, 2), new OffsetAndMetadata(7),
                new TopicPartition(AUDIT, 0), new OffsetAndMetadata(1_000));
            final List<Long> before = new ArrayList<>();
            try (Admin admin = admin(client))
            {
                admin.createTopics(List.of(
                        new NewTopic(ORDERS, ORDERS_PARTITIONS, (short)1).configs(Map.of("retention.ms", "3600000")),
                        new NewTopic(AUDIT, 1, (short)1).configs(Map.of("cleanup.policy", "compact"))))
                    .all().get(CALL.toSeconds(), TimeUnit.SECONDS);
                admin.alterConsumerGroupOffsets(GROUP, committed).all().get(CALL.toSeconds(), TimeUnit.SECONDS);
                assertEquals(committed, admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata()
                    .get(CALL.toSeconds(), TimeUnit.SECONDS));
                final List<TopicPartition> led = partitionsLedBy(admin, client);
                for (int producer = 0; producer < 2; producer++)
                {
                    final List<TopicPartition> acked = produce(client, led);
                    assertEquals(led, acked, "every partition led by broker " + client.brokerId() + " takes records");
                    before.add(producerId(admin, acked.get(0)));
                }
            }
            assertNotEquals(before.get(0), before.get(1), "two producers, two producer ids");

            final long killedAt = System.nanoTime();
            controller.kill();
            assertFalse(controller.isAlive());

            final NodeProcess newController = eventually(FAILOVER, () -> cluster.controllerNode().orElseThrow());
            assertNotEquals(controller.index(), newController.index());

            try (Admin admin = admin(survivor))
            {
                final Set<String> topics = eventually(FAILOVER, () -> admin.listTopics().names()
                    .get(CALL.toSeconds(), TimeUnit.SECONDS));
                assertEquals(Set.of(ORDERS, AUDIT), topics);
                System.out.printf("controller on broker %d answered through broker %d %d ms after SIGKILL of broker %d%n",
                    newController.brokerId(), survivor.brokerId(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt), controller.brokerId());
                final Map<String, TopicDescription> described = admin.describeTopics(List.of(ORDERS, AUDIT))
                    .allTopicNames().get(CALL.toSeconds(), TimeUnit.SECONDS);
                assertEquals(ORDERS_PARTITIONS, described.get(ORDERS).partitions().size());
                assertEquals(1, described.get(AUDIT).partitions().size());
                final ConfigResource ordersResource = new ConfigResource(ConfigResource.Type.TOPIC, ORDERS);
                final ConfigResource auditResource = new ConfigResource(ConfigResource.Type.TOPIC, AUDIT);
                final Map<ConfigResource, Config> configs = admin.describeConfigs(List.of(ordersResource, auditResource))
                    .all().get(CALL.toSeconds(), TimeUnit.SECONDS);
                assertEquals("3600000", configs.get(ordersResource).get("retention.ms").value());
                assertEquals("compact", configs.get(auditResource).get("cleanup.policy").value());

                final Map<TopicPartition, OffsetAndMetadata> offsets = eventually(FAILOVER, () ->
                    admin.listConsumerGroupOffsets(GROUP).partitionsToOffsetAndMetadata()
                        .get(CALL.toSeconds(), TimeUnit.SECONDS));
                assertEquals(committed, offsets);

                final List<TopicPartition> led = partitionsLedBy(admin, survivor);
                final List<TopicPartition> acked = eventually(FAILOVER, () ->
                {
                    final List<TopicPartition> partitions = produce(survivor, led);
                    if (partitions.isEmpty())
                    {
                        throw new IllegalStateException("no partition acknowledged yet");
                    }
                    return partitions;
                });
                final long after = producerId(admin, acked.get(0));
                final long highestBefore = before.stream().mapToLong(Long::longValue).max().orElseThrow();
                assertTrue(after > highestBefore,
                    "producer id " + after + " after the failover must be above every earlier one " + before);
            }

            // The killed node comes back on its data directory: it rejoins, its voter catches up, and it serves the
            // same metadata.
            controller.restart();
            controller.awaitReady(FAILOVER);
            try (Admin admin = admin(controller))
            {
                assertEquals(Set.of(ORDERS, AUDIT), admin.listTopics().names().get(CALL.toSeconds(), TimeUnit.SECONDS));

                // A paused JVM (SIGSTOP) answers nothing; once continued (SIGCONT) it answers again. A new client
                // bootstrapped on it alone: the first one knows every broker from Metadata and would ask another.
                controller.pause();
                final Admin pausedOnly = admin(controller);
                final Exception frozen = assertThrows(Exception.class, () -> pausedOnly.listTopics(
                    new org.apache.kafka.clients.admin.ListTopicsOptions().timeoutMs(1_500)).names()
                    .get(5, TimeUnit.SECONDS));
                pausedOnly.close(Duration.ofSeconds(5));
                controller.resume();
                assertTrue(frozen instanceof ExecutionException || frozen instanceof TimeoutException, frozen.toString());
                assertEquals(Set.of(ORDERS, AUDIT), eventually(Duration.ofSeconds(30), () ->
                    admin.listTopics().names().get(CALL.toSeconds(), TimeUnit.SECONDS)));
            }
        }
    }

    /**
     * The partitions of {@value #ORDERS} led by the node's broker (the topics have one replica: those of a killed
     * broker have no leader until it is back).
     */
    private static List<TopicPartition> partitionsLedBy(final Admin admin, final NodeProcess node) throws Exception
    {
        final TopicDescription orders = admin.describeTopics(List.of(ORDERS)).allTopicNames()
            .get(CALL.toSeconds(), TimeUnit.SECONDS).get(ORDERS);
        final List<TopicPartition> led = new ArrayList<>();
        orders.partitions().forEach(p ->
        {
            if (p.leader() != null && p.leader().id() == node.brokerId())
            {
                led.add(new TopicPartition(ORDERS, p.partition()));
            }
        });
        assertFalse(led.isEmpty(), "broker " + node.brokerId() + " leads none of " + orders.partitions());
        return led;
    }

    /**
     * A new idempotent producer sends one record to each of the partitions; those that acknowledged within the
     * bound.
     */
    private static List<TopicPartition> produce(final NodeProcess node, final List<TopicPartition> partitions)
        throws InterruptedException
    {
        final Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        props.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "15000");
        props.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, "15000");
        final List<TopicPartition> acked = new ArrayList<>();
        try (KafkaProducer<String, String> producer =
                 new KafkaProducer<>(props, new StringSerializer(), new StringSerializer()))
        {
            final List<Future<RecordMetadata>> sent = new ArrayList<>();
            for (final TopicPartition partition : partitions)
            {
                sent.add(producer.send(new ProducerRecord<>(
                    partition.topic(), partition.partition(), "k" + partition.partition(), "v")));
            }
            for (final Future<RecordMetadata> future : sent)
            {
                try
                {
                    final RecordMetadata metadata = future.get(30, TimeUnit.SECONDS);
                    acked.add(new TopicPartition(metadata.topic(), metadata.partition()));
                }
                catch (final ExecutionException | TimeoutException ex)
                {
                    // Not acknowledged (yet): the caller decides whether that fails the test.
                }
            }
            producer.close(Duration.ofSeconds(5));
        }
        return acked;
    }

    /** The newest producer id active on a partition, from DescribeProducers. */
    private static long producerId(final Admin admin, final TopicPartition partition) throws Exception
    {
        final Collection<ProducerState> producers = admin.describeProducers(List.of(partition))
            .partitionResult(partition).get(CALL.toSeconds(), TimeUnit.SECONDS).activeProducers();
        assertFalse(producers.isEmpty(), "no producer on " + partition);
        return producers.stream().mapToLong(ProducerState::producerId).max().orElseThrow();
    }

    private static Admin admin(final NodeProcess node)
    {
        final Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
        return Admin.create(props);
    }

    /** Retries {@code call} until it returns without throwing, for at most {@code within} (bounded). */
    private static <T> T eventually(final Duration within, final Callable<T> call) throws Exception
    {
        final long deadline = System.nanoTime() + within.toNanos();
        Exception last;
        do
        {
            try
            {
                return call.call();
            }
            catch (final Exception | AssertionError ex)
            {
                last = ex instanceof Exception e ? e : new IllegalStateException(ex);
            }
            TimeUnit.MILLISECONDS.sleep(500);
        }
        while (System.nanoTime() - deadline < 0);
        throw new AssertionError("gave up after " + within + ": " + last, last);
    }
}
