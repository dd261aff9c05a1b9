package dev.millrace.broker.partition;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import com.typesafe.config.ConfigFactory;
import dev.millrace.broker.log.LogConfig;
import dev.millrace.broker.partition.PartitionProtocol.Appended;
import dev.millrace.broker.partition.PartitionProtocol.Command;
import dev.millrace.broker.partition.PartitionProtocol.ErrorCode;
import dev.millrace.broker.partition.PartitionProtocol.Fetch;
import dev.millrace.broker.partition.PartitionProtocol.FetchReply;
import dev.millrace.broker.partition.PartitionProtocol.GetStatus;
import dev.millrace.broker.partition.PartitionProtocol.LeaderAndIsr;
import dev.millrace.broker.partition.PartitionProtocol.Produce;
import dev.millrace.broker.partition.PartitionProtocol.ProduceReply;
import dev.millrace.broker.partition.PartitionProtocol.Rejected;
import dev.millrace.broker.partition.PartitionProtocol.ReplicaFetch;
import dev.millrace.broker.partition.PartitionProtocol.ReplicaFetchReply;
import dev.millrace.broker.partition.PartitionProtocol.Status;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three replicas of one partition in one actor system, each with its own log directory, connected by test
 * {@link ReplicaPeers} that can cut a replica off (its fetches are dropped) and a test controller ({@link IsrChanger})
 * that applies ISR changes and delivers every decision to the replicas it can reach, as the real controller does.
 * Every message between replicas goes through Kryo ({@code serialize-messages = on}).
 */
@Timeout(60)
class ReplicationTest
{
    private static final TopicPartition TP = new TopicPartition("replicated", 0);
    private static final Duration REPLY = Duration.ofSeconds(5);
    private static final Duration CONVERGE = Duration.ofSeconds(20);
    private static final List<Integer> BROKERS = List.of(1, 2, 3);

    private static ActorTestKit testKit;

    @TempDir
    Path dataDir;

    private final Map<Integer, ActorRef<Command>> replicas = new ConcurrentHashMap<>();
    private final Set<Integer> cutOff = ConcurrentHashMap.newKeySet();
    private final TestController controller = new TestController();
    private final ReplicaPeers peers = this::route;
    private final Map<Integer, ActorRef<ReplicaFetchReply>> gates = new ConcurrentHashMap<>();
    private final Map<Integer, ActorRef<ReplicaFetchReply>> followerRefs = new ConcurrentHashMap<>();
    private int spawned;

    @BeforeAll
    static void startTestKit()
    {
        testKit = ActorTestKit.create("ReplicationTest", ConfigFactory.parseString(
            "pekko.loglevel = WARNING\npekko.actor.serialize-messages = on"));
    }

    @AfterAll
    static void stopTestKit()
    {
        testKit.shutdownTestKit();
    }

    @AfterEach
    void stopReplicas()
    {
        for (final ActorRef<Command> replica : replicas.values())
        {
            testKit.stop(replica, REPLY);
        }
        replicas.clear();
        gates.values().forEach(gate -> testKit.stop(gate, REPLY));
        gates.clear();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Tests
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void followersHoldTheLeadersRecordsByteForByteAndTheHighWatermarkIsTheMinimumOverTheIsr() throws IOException
    {
        startAll(1, Duration.ofSeconds(30));
        for (int i = 0; i < 5; i++)
        {
            appended(1, (short)1, Batches.plain(3, 1_000L * i));
        }
        awaitConverged(15);
        assertSameLogFiles();

        // Follower 3 cut off: the ISR still holds it (lag time 30 s), so the high watermark waits for it.
        cutOff.add(3);
        appended(1, (short)1, Batches.plain(4, 9_000L));
        awaitStatus(2, status -> assertEquals(19, status.logEndOffset()));
        final Status leader = status(1);
        assertEquals(19, leader.logEndOffset());
        assertEquals(15, leader.highWatermark(), "HW = min LEO over ISR {1, 2, 3}, and 3 is at 15");
        assertEquals(15, status(3).logEndOffset());

        // Consumers read only below the high watermark.
        final TestProbe<FetchReply> fetch = testKit.createTestProbe();
        replicas.get(1).tell(new Fetch(TP, 15, 1 << 20, 0, 0, fetch.ref()));
        final PartitionProtocol.Fetched fetched = (PartitionProtocol.Fetched)fetch.receiveMessage(REPLY);
        assertEquals(0, fetched.records().length, "nothing committed at 15 yet");
        assertEquals(15, fetched.highWatermark());

        cutOff.remove(3);
        awaitConverged(19);
        assertSameLogFiles();
    }

    @Test
    void followersRefuseClientsWithNotLeaderOrFollower()
    {
        startAll(1, Duration.ofSeconds(30));
        final TestProbe<ProduceReply> produce = testKit.createTestProbe();
        replicas.get(2).tell(new Produce(TP, (short)1, Batches.plain(1, 1L), produce.ref()));
        assertRejected(produce.receiveMessage(REPLY), ErrorCode.NOT_LEADER_OR_FOLLOWER);
        final TestProbe<FetchReply> fetch = testKit.createTestProbe();
        replicas.get(3).tell(new Fetch(TP, 0, 1 << 20, 0, 0, fetch.ref()));
        assertRejected(fetch.receiveMessage(REPLY), ErrorCode.NOT_LEADER_OR_FOLLOWER);
    }

    @Test
    void acksAllIsAnsweredOnlyOnceEveryInSyncReplicaHasTheBatch()
    {
        startAll(2, Duration.ofSeconds(30));
        appended(1, (short)-1, Batches.plain(2, 1L));
        cutOff.add(3);
        final TestProbe<ProduceReply> probe = testKit.createTestProbe();
        replicas.get(1).tell(new Produce(TP, (short)-1, Batches.plain(3, 2L), probe.ref()));
        awaitStatus(2, status -> assertEquals(5, status.logEndOffset()));
        probe.expectNoMessage(Duration.ofMillis(300));
        assertEquals(2, status(3).logEndOffset());

        cutOff.remove(3);
        final ProduceReply reply = probe.receiveMessage(REPLY);
        assertTrue(reply instanceof Appended, () -> "expected Appended but got " + reply);
        assertEquals(2, ((Appended)reply).baseOffset());
        assertTrue(status(3).logEndOffset() >= 5, "follower 3 has the batch once it is acknowledged");
        assertEquals(5, status(1).highWatermark());
    }

    @Test
    void acksAllIsRefusedBeforeAppendingWhenTheIsrIsBelowMinInsyncReplicas()
    {
        startAll(2, Duration.ofSeconds(30));
        appended(1, (short)-1, Batches.plain(2, 1L));
        // The followers are cut off, else the leader would ask at once to add them back (they are caught up).
        cutOff.add(2);
        cutOff.add(3);
        controller.decide(controller.current().leader(), controller.current().leaderEpoch(), List.of(1), Set.of(1, 2, 3));
        assertProduceRefused(ErrorCode.NOT_ENOUGH_REPLICAS);
        assertEquals(2, status(1).logEndOffset(), "nothing was appended");
        appended(1, (short)1, Batches.plain(1, 3L));
        assertEquals(3, status(1).highWatermark(), "alone in the ISR, the leader commits on append");
    }

    @Test
    void theIsrShrinksWhenAFollowerLagsAndExpandsWhenItCatchesUp()
    {
        startAll(2, Duration.ofSeconds(1));
        appended(1, (short)-1, Batches.plain(2, 1L));
        cutOff.add(3);
        awaitIsr(List.of(1, 2));
        appended(1, (short)-1, Batches.plain(3, 2L));
        assertEquals(5, status(1).highWatermark(), "HW over the shrunk ISR {1, 2}");
        assertEquals(2, status(3).logEndOffset());

        cutOff.remove(3);
        awaitIsr(List.of(1, 2, 3));
        awaitConverged(5);
    }

    @Test
    void anAcksAllProduceFailsAfterAppendWhenTheIsrShrinksBelowTheMinimum()
    {
        startAll(3, Duration.ofSeconds(1));
        appended(1, (short)-1, Batches.plain(2, 1L));
        cutOff.add(3);
        final TestProbe<ProduceReply> probe = testKit.createTestProbe();
        replicas.get(1).tell(new Produce(TP, (short)-1, Batches.plain(3, 2L), probe.ref()));
        assertRejected(probe.receiveMessage(Duration.ofSeconds(10)), ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND);
        assertEquals(List.of(1, 2), controller.current().isr());
    }

    @Test
    void aNewLeaderMakesAFollowerTruncateItsDivergentUncommittedTail() throws IOException
    {
        startAll(1, Duration.ofSeconds(30));
        for (int i = 0; i < 3; i++)
        {
            appended(1, (short)-1, Batches.plain(2, 10L * i));
        }
        awaitConverged(6);

        // Leader 1 is partitioned away: it appends a tail nobody else gets (acks=1, uncommitted).
        cutOff.add(2);
        cutOff.add(3);
        appended(1, (short)1, Batches.plain(4, 500L));
        appended(1, (short)1, Batches.plain(1, 600L));
        assertEquals(11, status(1).logEndOffset());
        assertEquals(6, status(1).highWatermark());

        // The controller elects 2 (epoch 1) and tells the replicas it can reach; 2 appends its own records.
        controller.decide(2, 1, List.of(2, 3), Set.of(2, 3));
        cutOff.clear();
        awaitStatus(2, status -> assertEquals(1, status.leaderEpoch()));
        appended(2, (short)-1, Batches.plain(3, 700L));
        awaitStatus(3, status -> assertEquals(9, status.logEndOffset()));

        // 1 learns it is a follower: its tail [6, 11) diverges from 2's log and goes before it fetches.
        controller.deliver(1);
        awaitConverged(9);
        assertSameLogFiles();
        assertEquals(1, status(1).leaderEpoch());
    }

    @Test
    void aStaleLeaderAndIsrIsIgnored()
    {
        startAll(1, Duration.ofSeconds(30));
        appended(1, (short)1, Batches.plain(1, 1L));
        final LeaderAndIsr current = controller.current();
        // Same partition epoch (a duplicate), then a lower leader epoch: neither changes the leader.
        replicas.get(1).tell(new LeaderAndIsr(TP, 2, current.leaderEpoch() + 1, current.partitionEpoch(), List.of(2),
            BROKERS));
        replicas.get(1).tell(new LeaderAndIsr(TP, 2, current.leaderEpoch() - 1, current.partitionEpoch() + 5, List.of(2),
            BROKERS));
        appended(1, (short)1, Batches.plain(1, 2L));
        final TestProbe<ProduceReply> probe = testKit.createTestProbe();
        replicas.get(2).tell(new Produce(TP, (short)1, Batches.plain(1, 3L), probe.ref()));
        assertRejected(probe.receiveMessage(REPLY), ErrorCode.NOT_LEADER_OR_FOLLOWER);
        awaitConverged(2);
    }

    @Test
    void aRetriedIdempotentBatchAfterALeaderChangeIsADuplicateWithItsOriginalOffset()
    {
        startAll(2, Duration.ofSeconds(30));
        appended(1, (short)-1, Batches.plain(4, 1L));
        final byte[] batch = Batches.idempotent(77, (short)0, 0, 3);
        assertEquals(4, appended(1, (short)-1, batch));
        awaitConverged(7);

        controller.decide(2, 1, List.of(1, 2, 3), Set.of(1, 2, 3));
        awaitStatus(2, status -> assertEquals(1, status.leaderEpoch()));
        assertEquals(4, appended(2, (short)-1, batch), "the original offset");
        assertEquals(7, status(2).logEndOffset(), "the retry appended nothing");
        assertEquals(7, appended(2, (short)-1, Batches.idempotent(77, (short)0, 3, 1)), "the next sequence appends");
    }

    @Test
    void aFollowerWithACorruptTailRecoversAndFetchesItAgain() throws IOException
    {
        startAll(1, Duration.ofSeconds(30));
        for (int i = 0; i < 4; i++)
        {
            appended(1, (short)-1, Batches.plain(3, 100L * i));
        }
        awaitConverged(12);
        testKit.stop(replicas.remove(3), REPLY);

        // A torn write: the last batch of follower 3's segment loses its last bytes, and the crash left no marker.
        final Path segment = logFiles(3).get(logFiles(3).size() - 1);
        try (FileChannel channel = FileChannel.open(segment, StandardOpenOption.WRITE))
        {
            channel.truncate(channel.size() - 7);
        }
        Files.deleteIfExists(dataDir.resolve("b3").resolve(TP.toString()).resolve("clean-shutdown.checkpoint"));

        cutOff.add(3);
        start(3, 1, Duration.ofSeconds(30));
        final long recovered = status(3).logEndOffset();
        assertTrue(recovered < 12 && recovered >= 9, "the torn batch is truncated on open, got " + recovered);
        cutOff.remove(3);
        awaitConverged(12);
        assertSameLogFiles();
    }

    @Test
    void aRestartedLeaderStartsFromItsCheckpointedHighWatermark()
    {
        startAll(1, Duration.ofSeconds(30));
        for (int i = 0; i < 3; i++)
        {
            appended(1, (short)-1, Batches.plain(2, 10L * i));
        }
        awaitConverged(6);
        cutOff.add(2);
        cutOff.add(3);
        appended(1, (short)1, Batches.plain(2, 100L));
        assertEquals(6, status(1).highWatermark());

        // The followers are unreachable after the restart: only the checkpoint can tell the leader what is committed.
        for (final int broker : BROKERS)
        {
            testKit.stop(replicas.remove(broker), REPLY);
        }
        for (final int broker : BROKERS)
        {
            start(broker, 1, Duration.ofSeconds(30));
        }
        final Status leader = status(1);
        assertEquals(8, leader.logEndOffset());
        assertEquals(6, leader.highWatermark(), "the checkpointed high watermark, not the log start nor the log end");
        cutOff.clear();
        awaitConverged(8);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Harness
    // ---------------------------------------------------------------------------------------------------------------

    private void startAll(final int minInsync, final Duration lagTime)
    {
        controller.reset(new LeaderAndIsr(TP, 1, 0, 0, BROKERS, BROKERS));
        for (final int broker : BROKERS)
        {
            start(broker, minInsync, lagTime);
        }
    }

    private void start(final int broker, final int minInsync, final Duration lagTime)
    {
        final ReplicationSettings knobs = new ReplicationSettings(lagTime, Duration.ofMillis(100), 1 << 20,
            Duration.ofMillis(20), Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofMillis(200));
        final PartitionReplicaSettings settings = new PartitionReplicaSettings(TP, dataDir.resolve("b" + broker),
            LogConfig.defaults(), System::currentTimeMillis, controller.current().leaderEpoch(), Duration.ofHours(1), 1000,
            8 * 1024 * 1024);
        final Replication replication = new Replication(broker, controller.current(), minInsync, peers, controller, knobs);
        replicas.put(broker, testKit.spawn(PartitionReplica.create(settings, replication), "replica-" + broker + "-" +
            spawned++));
    }

    /**
     * The test's network: nothing reaches a cut-off replica, nothing it sends arrives. A follower's fetch is answered
     * through its broker's gate, which drops the answer while the follower is cut off (a fetch already parked at the
     * leader when the cut happens is lost too).
     */
    private void route(final TopicPartition topicPartition, final int brokerId, final Command command)
    {
        if (cutOff.contains(brokerId))
        {
            return;
        }
        Command routed = command;
        if (command instanceof ReplicaFetch fetch)
        {
            if (cutOff.contains(fetch.replicaId()))
            {
                return;
            }
            final ActorRef<ReplicaFetchReply> follower = fetch.replyTo();
            final int replicaId = fetch.replicaId();
            final ActorRef<ReplicaFetchReply> gate = gates.computeIfAbsent(replicaId, id -> testKit.spawn(
                Behaviors.<ReplicaFetchReply>receiveMessage(reply ->
                {
                    final ActorRef<ReplicaFetchReply> target = followerRefs.get(id);
                    if (!cutOff.contains(id) && target != null)
                    {
                        target.tell(reply);
                    }
                    return Behaviors.same();
                }), "gate-" + id + "-" + spawned++));
            followerRefs.put(replicaId, follower);
            routed = new ReplicaFetch(fetch.topicPartition(), replicaId, fetch.fetchOffset(), fetch.lastFetchedEpoch(),
                fetch.leaderEpoch(), fetch.maxBytes(), fetch.maxWaitMs(), gate);
        }
        final ActorRef<Command> target = replicas.get(brokerId);
        if (target != null)
        {
            target.tell(routed);
        }
    }

    /** Applies ISR changes like the controller: fenced by epochs, delivered to every replica it can reach. */
    private final class TestController implements IsrChanger
    {
        private volatile LeaderAndIsr current;

        void reset(final LeaderAndIsr initial)
        {
            current = initial;
        }

        LeaderAndIsr current()
        {
            return current;
        }

        @Override
        public synchronized CompletionStage<LeaderAndIsr> alterIsr(
            final TopicPartition topicPartition, final int leaderId, final int leaderEpoch, final int partitionEpoch,
            final List<Integer> newIsr)
        {
            final LeaderAndIsr now = current;
            if (leaderId != now.leader() || leaderEpoch != now.leaderEpoch() || partitionEpoch != now.partitionEpoch())
            {
                return CompletableFuture.failedFuture(new IsrChangeRefusedException("stale: " + now));
            }
            current = new LeaderAndIsr(TP, now.leader(), now.leaderEpoch(), now.partitionEpoch() + 1, newIsr,
                now.replicas());
            deliverTo(Set.copyOf(BROKERS));
            return CompletableFuture.completedFuture(current);
        }

        /** A decision of the controller's own (election or ISR change), delivered to {@code reachable}. */
        synchronized void decide(final int leader, final int leaderEpoch, final List<Integer> isr, final Set<Integer> reachable)
        {
            current = new LeaderAndIsr(TP, leader, leaderEpoch, current.partitionEpoch() + 1, isr, BROKERS);
            deliverTo(reachable);
        }

        void deliver(final int broker)
        {
            deliverTo(Set.of(broker));
        }

        private void deliverTo(final Set<Integer> reachable)
        {
            for (final int broker : reachable)
            {
                final ActorRef<Command> replica = replicas.get(broker);
                if (replica != null)
                {
                    replica.tell(current);
                }
            }
        }
    }

    private Status status(final int broker)
    {
        final TestProbe<Status> probe = testKit.createTestProbe();
        replicas.get(broker).tell(new GetStatus(probe.ref()));
        return probe.receiveMessage(REPLY);
    }

    private void awaitStatus(final int broker, final java.util.function.Consumer<Status> check)
    {
        final TestProbe<Object> waiter = testKit.createTestProbe();
        waiter.awaitAssert(CONVERGE, Duration.ofMillis(50), () ->
        {
            check.accept(status(broker));
            return null;
        });
    }

    /** Every replica ends at {@code end} and has committed all of it. */
    private void awaitConverged(final long end)
    {
        for (final int broker : replicas.keySet())
        {
            awaitStatus(broker, status ->
            {
                assertEquals(end, status.logEndOffset(), "log end of broker " + broker);
                assertEquals(end, status.highWatermark(), "high watermark of broker " + broker);
            });
        }
    }

    private void awaitIsr(final List<Integer> isr)
    {
        final TestProbe<Object> waiter = testKit.createTestProbe();
        waiter.awaitAssert(CONVERGE, Duration.ofMillis(50), () ->
        {
            assertEquals(isr, controller.current().isr().stream().sorted().toList());
            return null;
        });
    }

    private ProduceReply produce(final int broker, final short acks, final byte[] records)
    {
        final TestProbe<ProduceReply> probe = testKit.createTestProbe();
        replicas.get(broker).tell(new Produce(TP, acks, records, probe.ref()));
        return probe.receiveMessage(Duration.ofSeconds(12));
    }

    private long appended(final int broker, final short acks, final byte[] records)
    {
        final ProduceReply reply = produce(broker, acks, records);
        assertTrue(reply instanceof Appended, () -> "expected Appended but got " + reply);
        return ((Appended)reply).baseOffset();
    }

    private void assertProduceRefused(final ErrorCode expected)
    {
        assertRejected(produce(1, (short)-1, Batches.plain(1, 2L)), expected);
    }

    private static void assertRejected(final Object reply, final ErrorCode expected)
    {
        assertTrue(reply instanceof Rejected, () -> "expected Rejected " + expected + " but got " + reply);
        assertEquals(expected, ((Rejected)reply).error(), () -> String.valueOf(reply));
    }

    private List<Path> logFiles(final int broker) throws IOException
    {
        try (Stream<Path> files = Files.list(dataDir.resolve("b" + broker).resolve(TP.toString())))
        {
            return files.filter(path -> path.getFileName().toString().endsWith(".log")).sorted().toList();
        }
    }

    /** The segment files of every running replica hold the same bytes. */
    private void assertSameLogFiles() throws IOException
    {
        final Map<Integer, byte[]> contents = new HashMap<>();
        for (final int broker : replicas.keySet())
        {
            final List<byte[]> parts = new ArrayList<>();
            for (final Path file : logFiles(broker))
            {
                parts.add(Files.readAllBytes(file));
            }
            contents.put(broker, Batches.concat(parts.toArray(byte[][]::new)));
        }
        final byte[] leader = contents.get(controller.current().leader());
        assertTrue(leader.length > 0);
        contents.forEach((broker, bytes) -> assertArrayEquals(leader, bytes, "log files of broker " + broker));
    }
}
