package dev.millrace.multinode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import dev.millrace.multinode.verify.ConsumerResult;
import dev.millrace.multinode.verify.DeliveryCheck;
import dev.millrace.multinode.verify.DeliveryReport;
import dev.millrace.multinode.verify.SendResult;
import dev.millrace.multinode.verify.VerifiableConsumer;
import dev.millrace.multinode.verify.VerifiableProducer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Partitions replicated over 3 node JVMs (replication factor 3, {@code min.insync.replicas} 2, quorum journal), an
 * idempotent acks=all producer bootstrapped on every node, and faults: afterwards every acknowledged record is read
 * back exactly once per partition, in order, and nothing is read that was never sent ({@link DeliveryCheck#strict()}).
 *
 * <p>The clients know nothing of the faults: they follow the Metadata, which names the new leaders.
 */
class ReplicatedPartitionsITCase
{
    private static final String TOPIC = "replicated";
    private static final int PARTITIONS = 3;
    private static final int RATE = 150;
    private static final Duration CALL = Duration.ofSeconds(20);
    private static final Duration PROGRESS = Duration.ofSeconds(45);
    private static final Duration CONVERGE = Duration.ofSeconds(60);
    /** Short, so that the pause test sees a follower leave the ISR well before failure detection downs its node. */
    private static final String REPLICATION_CONFIG = "millrace.broker.partition.replication.replica-lag-time-max = 1500ms\n";

    /** Also with the fast failover profile (failure detection ~1.5 s, downing 1 s later, no removal margin to speak of). */
    @ParameterizedTest(name = "failover-profile = {0}")
    @ValueSource(strings = { "standard", "fast" })
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void shouldKeepEveryAcknowledgedRecordWhenTheLeaderOfEachPartitionIsKilledInTurn(final String failoverProfile)
        throws Exception
    {
        try (LocalCluster cluster = LocalCluster.builder().nodes(3)
            .config(REPLICATION_CONFIG + "millrace.broker.node.failover-profile = " + failoverProfile + "\n").start())
        {
            createTopic(cluster);
            final List<SendResult> sent = new ArrayList<>(warmUp(cluster));
            final VerifiableProducer producer = producer(cluster);
            final Scenario.Builder scenario = Scenario.builder(cluster).timeout(Duration.ofSeconds(200)).workload(producer);
            scenario.steps(FaultTests.progress(producer, 150, PROGRESS));
            for (int partition = 0; partition < PARTITIONS; partition++)
            {
                final int target = partition;
                final int[] killed = { -1 };
                scenario
                    .step(FaultStep.action("kill the leader of " + TOPIC + "-" + target, () ->
                    {
                        killed[0] = leaderOf(cluster, target);
                        cluster.node(killed[0]).kill();
                    }))
                    .steps(FaultTests.progress(producer, 150, PROGRESS))
                    .step(FaultStep.action("restart the killed node", () ->
                    {
                        cluster.node(killed[0]).restart();
                        cluster.node(killed[0]).awaitReady(Duration.ofSeconds(90));
                    }))
                    .step(FaultStep.await("every partition has its 3 replicas in sync", CONVERGE,
                        () -> everyPartition(cluster, p -> p.isr().size() == 3)));
            }
            scenario.steps(FaultTests.progress(producer, 150, PROGRESS)).step(FaultStep.finish(producer));
            final ScenarioResult played = play(cluster, scenario, producer);
            sent.addAll(played.outcome(producer));
            checkEverythingReadBack(cluster, sent, 150L * (PARTITIONS + 2));
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void shouldShrinkTheIsrWhileAFollowerIsPausedAndExpandItWhenItCatchesUp() throws Exception
    {
        // Failure detection far slower than the ISR's lag time: the paused follower leaves the ISR but not the cluster.
        final String config = REPLICATION_CONFIG + "pekko.cluster.failure-detector.acceptable-heartbeat-pause = 40s\n";
        try (LocalCluster cluster = LocalCluster.builder().nodes(3).config(config).start())
        {
            createTopic(cluster);
            final List<SendResult> sent = new ArrayList<>(warmUp(cluster));
            // A follower of partition 0 that does not host the controller (so ISR changes are still decided).
            final int leader = leaderOf(cluster, 0);
            final int controller = cluster.controllerNode().map(NodeProcess::index).orElse(-1);
            final int follower = IntStream.range(0, 3).filter(i -> i != leader && i != controller).findFirst()
                .orElseGet(() -> IntStream.range(0, 3).filter(i -> i != leader).findFirst().orElseThrow());
            // Only partition 0, whose leader keeps running: the paused node leads another partition.
            final VerifiableProducer producer = VerifiableProducer.builder(bootstrap(cluster), TOPIC, "p")
                .partitions(List.of(0)).recordsPerSecond(RATE).maxRecords(100_000).maxDuration(Duration.ofSeconds(120))
                .build();
            final Scenario.Builder scenario = Scenario.builder(cluster).timeout(Duration.ofSeconds(150)).workload(producer)
                .steps(FaultTests.progress(producer, 150, PROGRESS))
                .step(FaultStep.pause(follower))
                .step(FaultStep.await("broker " + follower + " left the ISR of " + TOPIC + "-0", Duration.ofSeconds(25),
                    () -> !isrOf(cluster, follower, 0).contains(follower)))
                .step(FaultStep.resume(follower))
                .steps(FaultTests.progress(producer, 150, PROGRESS))
                .step(FaultStep.await("broker " + follower + " is back in every ISR", CONVERGE,
                    () -> everyPartition(cluster, p -> p.isr().size() == 3)))
                .steps(FaultTests.progress(producer, 150, PROGRESS))
                .step(FaultStep.finish(producer));
            final ScenarioResult played = play(cluster, scenario, producer);
            sent.addAll(played.outcome(producer));
            checkEverythingReadBack(cluster, sent, 450);
        }
    }

    private static ScenarioResult play(final LocalCluster cluster, final Scenario.Builder scenario, final VerifiableProducer producer)
    {
        final ScenarioResult played = scenario.run();
        System.out.println(producer.name() + ": acked " + producer.acked() + ", failed " + producer.failed() + ", errors " +
            producer.errors());
        played.log().forEach(System.out::println);
        if (played.failure().isPresent())
        {
            cluster.nodes().forEach(node -> System.out.println("node " + node.index() + " stderr:" + System.lineSeparator() +
                node.stderrTail(60)));
        }
        played.throwIfFailed();
        return played;
    }

    private static void checkEverythingReadBack(final LocalCluster cluster, final List<SendResult> sent, final long minimum)
        throws Exception
    {
        final ConsumerResult read = VerifiableConsumer.builder(bootstrap(cluster), TOPIC, "checker", "read-all")
            .assign(IntStream.range(0, PARTITIONS).boxed().toList())
            .readToEnd()
            .maxDuration(Duration.ofSeconds(60))
            .build().call();
        assertTrue(read.reachedEnd(), "read to the end offsets: " + read);
        final DeliveryReport report = DeliveryCheck.strict().check(sent, read.records());
        System.out.println(report);
        assertTrue(report.passed(), report.toString());
        assertTrue(report.acked() >= minimum, "acknowledged records: " + report.acked() + " < " + minimum);
    }

    private static VerifiableProducer producer(final LocalCluster cluster)
    {
        return VerifiableProducer.builder(bootstrap(cluster), TOPIC, "p")
            .partitions(IntStream.range(0, PARTITIONS).boxed().toList())
            .recordsPerSecond(RATE)
            .maxRecords(100_000)
            .maxDuration(Duration.ofSeconds(180))
            .build();
    }

    /** One acknowledged record per partition: the topic is usable everywhere before the verified producer starts. */
    private static List<SendResult> warmUp(final LocalCluster cluster) throws InterruptedException
    {
        final List<SendResult> results = VerifiableProducer.builder(bootstrap(cluster), TOPIC, "warm-up")
            .partitions(IntStream.range(0, PARTITIONS).boxed().toList()).maxRecords(PARTITIONS).recordsPerSecond(0)
            .maxDuration(Duration.ofSeconds(30)).build().call();
        for (final SendResult result : results)
        {
            if (!(result instanceof SendResult.Acked))
            {
                throw new IllegalStateException("warm-up record not acknowledged: " + result);
            }
        }
        return results;
    }

    private static void createTopic(final LocalCluster cluster) throws Exception
    {
        try (Admin admin = admin(bootstrap(cluster)))
        {
            admin.createTopics(List.of(new NewTopic(TOPIC, PARTITIONS, (short)3)
                .configs(Map.of("min.insync.replicas", "2")))).all().get(CALL.toSeconds(), TimeUnit.SECONDS);
        }
        final long deadline = System.nanoTime() + CONVERGE.toNanos();
        while (!everyPartition(cluster, p -> p.isr().size() == 3 && p.leader() != null && !p.leader().isEmpty()))
        {
            if (System.nanoTime() > deadline)
            {
                throw new IllegalStateException(TOPIC + " did not get 3 in-sync replicas per partition within " + CONVERGE);
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
    }

    private static int leaderOf(final LocalCluster cluster, final int partition)
    {
        return describe(bootstrap(cluster)).partitions().get(partition).leader().id();
    }

    /** The ISR of a partition as a node other than {@code exclude} answers it. */
    private static List<Integer> isrOf(final LocalCluster cluster, final int exclude, final int partition)
    {
        final String servers = cluster.nodes().stream().filter(n -> n.index() != exclude && n.isAlive())
            .map(NodeProcess::bootstrapServers).collect(Collectors.joining(","));
        return describe(servers).partitions().get(partition).isr().stream().map(node -> node.id()).toList();
    }

    private static boolean everyPartition(final LocalCluster cluster, final Predicate<TopicPartitionInfo> condition)
    {
        try
        {
            final TopicDescription description = describe(bootstrap(cluster));
            return description.partitions().size() == PARTITIONS && description.partitions().stream().allMatch(condition);
        }
        catch (final RuntimeException notYet)
        {
            return false;
        }
    }

    private static TopicDescription describe(final String bootstrapServers)
    {
        try (Admin admin = admin(bootstrapServers))
        {
            return admin.describeTopics(List.of(TOPIC)).allTopicNames().get(CALL.toSeconds(), TimeUnit.SECONDS).get(TOPIC);
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException("describing " + TOPIC + " failed: " + ex, ex);
        }
    }

    private static String bootstrap(final LocalCluster cluster)
    {
        return cluster.nodes().stream().map(NodeProcess::bootstrapServers).collect(Collectors.joining(","));
    }

    private static Admin admin(final String bootstrapServers)
    {
        final Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "5000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "10000");
        return Admin.create(props);
    }
}
