package dev.millrace.multinode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import dev.millrace.multinode.verify.ConsumedRecord;
import dev.millrace.multinode.verify.ConsumerResult;
import dev.millrace.multinode.verify.SendResult;
import dev.millrace.multinode.verify.VerifiableConsumer;
import dev.millrace.multinode.verify.VerifiableProducer;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.TopicPartitionInfo;

/**
 * What the fault tests share: topics and where their partitions are, and the producers and consumers of one node.
 * Until partitions are replicated and every node's Metadata lists every broker (issue 6), kafka-clients bootstrapped
 * on a node reach only the partitions that node leads, so the tests run one producer and one consumer per node, each
 * on that node's partitions; with full Metadata the same checks hold for one client on all partitions.
 */
final class FaultTests
{
    static final Duration CALL = Duration.ofSeconds(20);

    private FaultTests()
    {
    }

    static Admin admin(final NodeProcess node)
    {
        final Properties props = new Properties();
        props.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, node.bootstrapServers());
        props.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, "10000");
        props.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, "20000");
        return Admin.create(props);
    }

    /**
     * Creates a topic of replication factor 1 through node 0 and returns its partitions by leader (broker id to
     * indexes), as each node's own Metadata tells it (a node names only itself as a broker, so a partition led by
     * another broker has no leader node in its answer).
     */
    static Map<Integer, List<Integer>> createTopic(final LocalCluster cluster, final String topic, final int partitions)
        throws Exception
    {
        try (Admin admin = admin(cluster.node(0)))
        {
            admin.createTopics(List.of(new NewTopic(topic, partitions, (short)1))).all().get(CALL.toSeconds(), TimeUnit.SECONDS);
        }
        final Map<Integer, List<Integer>> byLeader = new TreeMap<>();
        int found = 0;
        for (final NodeProcess node : cluster.nodes())
        {
            try (Admin admin = admin(node))
            {
                final TopicDescription description = describeOnceKnown(admin, topic);
                for (final TopicPartitionInfo partition : description.partitions())
                {
                    if (partition.leader() != null && !partition.leader().isEmpty() && partition.leader().id() == node.brokerId())
                    {
                        byLeader.computeIfAbsent(node.brokerId(), id -> new ArrayList<>()).add(partition.partition());
                        found++;
                    }
                }
            }
        }
        if (found != partitions)
        {
            throw new IllegalStateException("the nodes lead " + found + " of the " + partitions + " partitions of " + topic +
                ": " + byLeader);
        }
        return byLeader;
    }

    /**
     * The topic as the node describes it, asking again (every 200 ms, within {@link #CALL}) while it answers
     * "unknown topic": a node learns of a topic created through another from the controller's next publication.
     */
    private static TopicDescription describeOnceKnown(final Admin admin, final String topic) throws Exception
    {
        final long deadline = System.nanoTime() + CALL.toNanos();
        while (true)
        {
            try
            {
                return admin.describeTopics(List.of(topic)).allTopicNames().get(CALL.toSeconds(), TimeUnit.SECONDS).get(topic);
            }
            catch (final java.util.concurrent.ExecutionException ex)
            {
                if (!(ex.getCause() instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException) ||
                    System.nanoTime() > deadline)
                {
                    throw ex;
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
        }
    }

    /**
     * One record to each partition, through the node that leads it, each acknowledged: after this every node's broker
     * has the topic in its cached metadata. Until then a node's first Produce requests for the topic may be handled
     * out of order (see {@link FirstBatchOrderingITCase}), which a verified producer must not meet.
     */
    static List<SendResult> warmUp(final LocalCluster cluster, final String topic, final Map<Integer, List<Integer>> byLeader)
        throws InterruptedException
    {
        final List<SendResult> sent = new ArrayList<>();
        for (final Map.Entry<Integer, List<Integer>> entry : byLeader.entrySet())
        {
            final List<SendResult> results = VerifiableProducer
                .builder(cluster.node(entry.getKey()).bootstrapServers(), topic, "warm-up-" + entry.getKey())
                .partitions(entry.getValue()).maxRecords(entry.getValue().size()).recordsPerSecond(0)
                .maxDuration(Duration.ofSeconds(20)).build().call();
            for (final SendResult result : results)
            {
                if (!(result instanceof SendResult.Acked))
                {
                    throw new IllegalStateException("warm-up record not acknowledged: " + result);
                }
            }
            sent.addAll(results);
        }
        return sent;
    }

    /** A producer named {@code p<node>} sending to the node's partitions at {@code rate} records per second. */
    static VerifiableProducer producer(final NodeProcess node, final String topic, final List<Integer> partitions, final int rate)
    {
        return VerifiableProducer.builder(node.bootstrapServers(), topic, "p" + node.index())
            .partitions(partitions)
            .recordsPerSecond(rate)
            .maxRecords(100_000)
            .maxDuration(Duration.ofSeconds(100))
            .build();
    }

    /** A consumer session {@code <session>-<node>} of {@code group} on the node's partitions. */
    static VerifiableConsumer.Builder consumer(
        final NodeProcess node, final String topic, final String group, final List<Integer> partitions, final String session)
    {
        return VerifiableConsumer.builder(node.bootstrapServers(), topic, group, session + "-" + node.index())
            .assign(partitions)
            .maxDuration(Duration.ofSeconds(60));
    }

    /** Every record of every session, each session's in its read order. */
    static List<ConsumedRecord> reads(final List<ConsumerResult> sessions)
    {
        final List<ConsumedRecord> all = new ArrayList<>();
        sessions.forEach(s -> all.addAll(s.records()));
        return all;
    }

    /**
     * Two steps: note the producer's acknowledged count now, then wait until it acknowledged {@code more} records
     * beyond it.
     */
    static List<FaultStep> progress(final VerifiableProducer producer, final long more, final Duration within)
    {
        final AtomicLong mark = new AtomicLong();
        return List.of(
            FaultStep.action("noted " + producer.name() + "'s acknowledged count", () -> mark.set(producer.acked())),
            FaultStep.await(producer.name() + " acknowledged " + more + " more records", within,
                () -> producer.acked() >= mark.get() + more));
    }
}
