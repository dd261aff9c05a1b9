package dev.millrace.multinode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import dev.millrace.multinode.verify.ConsumerResult;
import dev.millrace.multinode.verify.DeliveryCheck;
import dev.millrace.multinode.verify.DeliveryReport;
import dev.millrace.multinode.verify.SendResult;
import dev.millrace.multinode.verify.VerifiableConsumer;
import dev.millrace.multinode.verify.VerifiableProducer;
import org.apache.kafka.common.TopicPartition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The restart tests' shared run: on a topic of 6 partitions (replication factor 1) spread over the 3 nodes (warmed
 * up, {@link FaultTests#warmUp}), one
 * idempotent acks=all producer per node sends to the node's partitions; a first session of consumer group
 * {@value #GROUP} reads and commits some, and ends; then the faults play, each followed by every producer
 * acknowledging more records; then the producers stop and a second session of the group reads to the end. Asserted:
 * the second session starts at the first one's committed offsets, and {@link DeliveryCheck} passes on every send and
 * read.
 */
final class RestartScenario
{
    static final String TOPIC = "restarts";
    static final String GROUP = "checker";
    private static final int PARTITIONS = 6;
    private static final int RATE = 100;
    private static final Duration PROGRESS = Duration.ofSeconds(40);

    private RestartScenario()
    {
    }

    /**
     * Runs the faults ({@code faults} produces each fault's steps) and asserts what survives.
     *
     * @param faults the fault steps, each followed by a progress check of every producer.
     * @param timeout the schedule's bound.
     */
    static void run(final LocalCluster cluster, final List<FaultStep> faults, final Duration timeout) throws Exception
    {
        final Map<Integer, List<Integer>> byLeader = FaultTests.createTopic(cluster, TOPIC, PARTITIONS);
        assertEquals(3, byLeader.size(), "6 partitions spread over the 3 brokers: " + byLeader);
        final List<SendResult> sent = new ArrayList<>(FaultTests.warmUp(cluster, TOPIC, byLeader));

        final List<VerifiableProducer> producers = new ArrayList<>();
        final List<VerifiableConsumer> before = new ArrayList<>();
        final Scenario.Builder scenario = Scenario.builder(cluster).timeout(timeout);
        for (final Map.Entry<Integer, List<Integer>> entry : byLeader.entrySet())
        {
            final NodeProcess node = cluster.node(entry.getKey());
            final VerifiableProducer producer = FaultTests.producer(node, TOPIC, entry.getValue(), RATE);
            final VerifiableConsumer consumer = FaultTests.consumer(node, TOPIC, GROUP, entry.getValue(), "before").build();
            producers.add(producer);
            before.add(consumer);
            scenario.workload(producer).workload(consumer);
        }
        for (int i = 0; i < producers.size(); i++)
        {
            final VerifiableConsumer consumer = before.get(i);
            scenario.steps(FaultTests.progress(producers.get(i), 100, PROGRESS))
                .step(FaultStep.await(consumer.name() + " read 50 records", PROGRESS, () -> consumer.read() >= 50));
        }
        before.forEach(consumer -> scenario.step(FaultStep.finish(consumer)));
        for (final FaultStep fault : faults)
        {
            scenario.step(fault);
            producers.forEach(producer -> scenario.steps(FaultTests.progress(producer, 50, PROGRESS)));
        }
        producers.forEach(producer -> scenario.step(FaultStep.finish(producer)));
        final ScenarioResult played = scenario.run();
        producers.forEach(p -> System.out.println(p.name() + ": acked " + p.acked() + ", failed " + p.failed() +
            ", errors " + p.errors()));
        if (played.failure().isPresent())
        {
            cluster.nodes().forEach(node -> System.out.println("node " + node.index() + " stderr:" + System.lineSeparator() +
                node.stderrTail(40)));
        }
        played.throwIfFailed();

        producers.forEach(producer -> sent.addAll(played.outcome(producer)));
        final List<ConsumerResult> sessions = new ArrayList<>();
        before.forEach(consumer -> sessions.add(played.outcome(consumer)));

        // The group carries on: a new session per node starts at what the first one committed, and reads to the end.
        int index = 0;
        for (final Map.Entry<Integer, List<Integer>> entry : byLeader.entrySet())
        {
            final ConsumerResult first = sessions.get(index++);
            final ConsumerResult after = FaultTests.consumer(cluster.node(entry.getKey()), TOPIC, GROUP, entry.getValue(), "after")
                .readToEnd().build().call();
            System.out.println(first);
            System.out.println(after);
            assertFalse(first.committed().isEmpty(), "the first session committed nothing: " + first);
            for (final Map.Entry<TopicPartition, Long> committed : first.committed().entrySet())
            {
                assertEquals(committed.getValue(), after.startPositions().get(committed.getKey()),
                    "the group's next session starts at the committed offset of " + committed.getKey() + ": " + after);
            }
            assertTrue(after.reachedEnd(), "read to the end offsets: " + after);
            sessions.add(after);
        }

        final DeliveryReport report = DeliveryCheck.strict().check(sent, FaultTests.reads(sessions));
        System.out.println(report);
        assertTrue(report.passed(), report.toString());
        final long minimum = 3 * (100 + 50L * faults.size());
        assertTrue(report.acked() >= minimum, "acknowledged records: " + report.acked() + " < " + minimum);
    }
}
