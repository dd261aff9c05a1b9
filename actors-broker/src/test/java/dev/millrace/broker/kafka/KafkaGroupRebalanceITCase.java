package dev.millrace.broker.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

import dev.millrace.broker.node.BrokerNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.RangeAssignor;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A consumer group that grows from one member to three and shrinks back to one while records keep arriving, with the
 * eager {@link RangeAssignor} and the incremental {@link CooperativeStickyAssignor}. Each member commits what it
 * processed after every poll and, in {@code onPartitionsRevoked}, before it gives a partition up; so by the committed
 * offsets every record is processed once: none lost (the final committed offsets are the log end offsets, and every
 * offset was processed) and none twice (no offset was processed by two polls).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(60)
class KafkaGroupRebalanceITCase
{
    private static final int PARTITIONS = 6;
    private static final int RECORDS_PER_PHASE = 120;
    private static final long WAIT_S = 20;

    @TempDir
    static Path dataDir;

    private BrokerNode node;
    /** Members notify it when they processed records or their assignment changed; the test thread waits on it. */
    private final Object progress = new Object();

    @BeforeAll
    void startNode()
    {
        node = BrokerNode.start(KafkaAdminITCase.itConfig(dataDir));
    }

    @AfterAll
    void stopNode()
    {
        if (node != null)
        {
            node.close();
        }
    }

    @ParameterizedTest
    @ValueSource(classes = {RangeAssignor.class, CooperativeStickyAssignor.class})
    void shouldProcessEveryRecordOnceWhileTheGroupGrowsToThreeAndShrinksBack(final Class<?> assignor) throws Exception
    {
        final String topic = "rebalance-" + assignor.getSimpleName();
        final String group = "group-" + assignor.getSimpleName();
        try (Admin admin = KafkaClientsTest.admin(node))
        {
            admin.createTopics(List.of(new NewTopic(topic, PARTITIONS, (short)1))).all().get(WAIT_S, TimeUnit.SECONDS);
        }
        final Map<TopicPartition, Map<Long, Integer>> processed = new ConcurrentHashMap<>();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final List<Member> members = new ArrayList<>();
        int produced = 0;
        try (KafkaProducer<byte[], byte[]> producer = KafkaClientsTest.producer(node))
        {
            // Grow: 1, 2, 3 members; shrink: 2, 1. Each phase: change the group, wait for it to settle, produce.
            final int[] sizes = {1, 2, 3, 2, 1};
            for (final int size : sizes)
            {
                while (members.size() < size)
                {
                    final Member member = new Member(group, topic, assignor, processed, failure);
                    members.add(member);
                    member.start();
                }
                while (members.size() > size)
                {
                    members.remove(members.size() - 1).stopAndJoin();
                }
                final List<Member> current = List.copyOf(members);
                awaitCondition("the group of " + size + " to cover all " + PARTITIONS + " partitions", failure, () ->
                    current.stream().mapToInt(Member::assignedCount).sum() == PARTITIONS &&
                    current.stream().allMatch(member -> member.assignedCount() > 0));
                for (int i = 0; i < RECORDS_PER_PHASE; i++, produced++)
                {
                    producer.send(new ProducerRecord<>(topic, KafkaClientsTest.key(produced), KafkaClientsTest.value(produced)));
                }
                producer.flush();
                final int expected = produced;
                awaitCondition(expected + " records processed", failure, () -> processedCount(processed) >= expected);
            }
            final Map<TopicPartition, Long> logEnd = logEndOffsets(topic);
            awaitCondition("committed offsets to reach the log end", failure, () -> logEnd.equals(committed(group, topic)));
        }
        finally
        {
            for (final Member member : members)
            {
                member.stopAndJoin();
            }
        }
        assertNull(failure.get(), () -> "a consumer failed: " + failure.get());

        final Map<TopicPartition, Long> logEnd = logEndOffsets(topic);
        assertEquals(produced, logEnd.values().stream().mapToLong(Long::longValue).sum());
        assertEquals(logEnd, committed(group, topic), "committed offsets");
        for (final Map.Entry<TopicPartition, Long> partition : logEnd.entrySet())
        {
            final Map<Long, Integer> seen = processed.getOrDefault(partition.getKey(), Map.of());
            for (long offset = 0; offset < partition.getValue(); offset++)
            {
                assertEquals(1, seen.getOrDefault(offset, 0),
                    assignor.getSimpleName() + ": " + partition.getKey() + " offset " + offset + " processed times");
            }
        }
    }

    private static int processedCount(final Map<TopicPartition, Map<Long, Integer>> processed)
    {
        return processed.values().stream().mapToInt(Map::size).sum();
    }

    private Map<TopicPartition, Long> logEndOffsets(final String topic) throws Exception
    {
        final Map<TopicPartition, OffsetSpec> specs = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++)
        {
            specs.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        try (Admin admin = KafkaClientsTest.admin(node))
        {
            final Map<TopicPartition, Long> offsets = new HashMap<>();
            admin.listOffsets(specs).all().get(WAIT_S, TimeUnit.SECONDS)
                .forEach((partition, info) -> offsets.put(partition, info.offset()));
            return offsets;
        }
    }

    private Map<TopicPartition, Long> committed(final String group, final String topic)
    {
        try (Admin admin = KafkaClientsTest.admin(node))
        {
            final Map<TopicPartition, Long> offsets = new HashMap<>();
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(WAIT_S, TimeUnit.SECONDS)
                .forEach((partition, committed) ->
                {
                    if (committed != null && partition.topic().equals(topic))
                    {
                        offsets.put(partition, committed.offset());
                    }
                });
            return offsets;
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * Waits (bounded by {@code WAIT_S}) until the condition holds, woken by the members' progress and at least every
     * 100 ms (the committed offsets are read from the broker, which notifies nobody); fails fast if a consumer
     * thread failed.
     */
    private void awaitCondition(
        final String what, final AtomicReference<Throwable> failure, final BooleanSupplier condition) throws InterruptedException
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_S);
        while (!condition.getAsBoolean())
        {
            assertNull(failure.get(), () -> "a consumer failed while waiting for " + what + ": " + failure.get());
            assertTrue(System.nanoTime() < deadlineNs, "timed out waiting for " + what);
            synchronized (progress)
            {
                progress.wait(100);
            }
        }
    }

    /** One group member on its own thread: poll, record what it processed, commit, repeat until stopped. */
    private final class Member extends Thread implements ConsumerRebalanceListener
    {
        private final String topic;
        private final Map<TopicPartition, Map<Long, Integer>> processed;
        private final AtomicReference<Throwable> failure;
        private final KafkaConsumer<byte[], byte[]> consumer;
        private final Map<TopicPartition, OffsetAndMetadata> uncommitted = new HashMap<>();
        private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
        private volatile boolean running = true;

        Member(
            final String group, final String topic, final Class<?> assignor,
            final Map<TopicPartition, Map<Long, Integer>> processed, final AtomicReference<Throwable> failure)
        {
            super("member-" + group);
            this.topic = topic;
            this.processed = processed;
            this.failure = failure;
            final Properties props = new Properties();
            props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KafkaClientsTest.bootstrap(node));
            props.put(ConsumerConfig.GROUP_ID_CONFIG, group);
            props.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "classic");
            props.put(ConsumerConfig.PARTITION_ASSIGNMENT_STRATEGY_CONFIG, assignor.getName());
            props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
            props.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
            props.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 25);
            props.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, 100);
            props.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 10_000);
            props.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 200);
            // A member that leaves must not hold the others' rejoin for long.
            props.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 15_000);
            consumer = new KafkaConsumer<>(props, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        }

        int assignedCount()
        {
            return assigned.size();
        }

        @Override
        public void run()
        {
            try
            {
                consumer.subscribe(List.of(topic), this);
                while (running)
                {
                    for (final ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(50)))
                    {
                        final TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                        processed.computeIfAbsent(partition, p -> new ConcurrentHashMap<>())
                            .merge(record.offset(), 1, Integer::sum);
                        uncommitted.put(partition, new OffsetAndMetadata(record.offset() + 1));
                    }
                    commit();
                    signal();
                }
                commit();
            }
            catch (final Throwable ex)
            {
                failure.compareAndSet(null, ex);
            }
            finally
            {
                consumer.close(Duration.ofSeconds(5));
            }
        }

        private void commit()
        {
            if (!uncommitted.isEmpty())
            {
                consumer.commitSync(uncommitted);
                uncommitted.clear();
            }
        }

        @Override
        public void onPartitionsRevoked(final Collection<TopicPartition> partitions)
        {
            // Runs inside poll(), before the rebalance: what was processed is committed while the generation is valid.
            commit();
            assigned.removeAll(partitions);
        }

        @Override
        public void onPartitionsLost(final Collection<TopicPartition> partitions)
        {
            uncommitted.keySet().removeAll(partitions);
            assigned.removeAll(partitions);
        }

        @Override
        public void onPartitionsAssigned(final Collection<TopicPartition> partitions)
        {
            assigned.addAll(partitions);
            signal();
        }

        private void signal()
        {
            synchronized (progress)
            {
                progress.notifyAll();
            }
        }

        void stopAndJoin() throws InterruptedException
        {
            running = false;
            join(TimeUnit.SECONDS.toMillis(WAIT_S));
            assertTrue(!isAlive(), getName() + " did not stop");
        }
    }
}
