package dev.millrace.broker.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import dev.millrace.broker.log.LogConfig;
import dev.millrace.broker.partition.PartitionProtocol.Appended;
import dev.millrace.broker.partition.PartitionProtocol.Command;
import dev.millrace.broker.partition.PartitionProtocol.ErrorCode;
import dev.millrace.broker.partition.PartitionProtocol.Fetch;
import dev.millrace.broker.partition.PartitionProtocol.FetchReply;
import dev.millrace.broker.partition.PartitionProtocol.Fetched;
import dev.millrace.broker.partition.PartitionProtocol.GetStatus;
import dev.millrace.broker.partition.PartitionProtocol.LeaderAndIsr;
import dev.millrace.broker.partition.PartitionProtocol.Produce;
import dev.millrace.broker.partition.PartitionProtocol.ProduceReply;
import dev.millrace.broker.partition.PartitionProtocol.Rejected;
import dev.millrace.broker.partition.PartitionProtocol.ReplicaFetch;
import dev.millrace.broker.partition.PartitionProtocol.ReplicaFetchReply;
import dev.millrace.broker.partition.PartitionProtocol.ReplicaFetched;
import dev.millrace.broker.partition.PartitionProtocol.Status;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import dev.millrace.serialization.batch.RecordBatchFlyweight;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.pekko.actor.testkit.typed.javadsl.BehaviorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestInbox;
import org.apache.pekko.actor.typed.PostStop;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replica's produce coalescing, stepped one message at a time with {@link BehaviorTestKit}: requests are staged
 * until the replica's own {@code AppendPending} message (which the kit leaves in the self inbox until the test runs
 * it), then appended as one and answered each with its own base offset, in order.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PartitionReplicaCoalescingTest
{
    private static final TopicPartition TP = new TopicPartition("orders", 1);
    private static final int EPOCH = 2;
    private static final long NOW_MS = 1_700_000_000_000L;

    @TempDir
    Path dataDir;

    private BehaviorTestKit<Command> kit;
    private TestInbox<ProduceReply> replies;

    @BeforeEach
    void start()
    {
        kit = BehaviorTestKit.create(PartitionReplica.create(new PartitionReplicaSettings(
            TP, dataDir, LogConfig.defaults(), () -> NOW_MS, EPOCH, Duration.ofHours(1), 1000, 8 * 1024 * 1024)));
        replies = TestInbox.create();
    }

    /** Closes the log before JUnit removes its directory. */
    @AfterEach
    void stop()
    {
        kit.signal(PostStop.instance());
    }

    private void stage(final byte[] records)
    {
        kit.run(new Produce(TP, (short)1, records, replies.getRef()));
    }

    /** Runs the replica's own messages (the AppendPending of a group); returns how many there were. */
    private int runSelfMessages()
    {
        int ran = 0;
        while (kit.selfInbox().hasMessages())
        {
            kit.runOne();
            ran++;
        }
        return ran;
    }

    private long appended(final ProduceReply reply)
    {
        assertTrue(reply instanceof Appended, () -> "expected Appended but got " + reply);
        return ((Appended)reply).baseOffset();
    }

    private void rejected(final ProduceReply reply, final ErrorCode expected)
    {
        assertTrue(reply instanceof Rejected, () -> "expected Rejected " + expected + " but got " + reply);
        assertEquals(expected, ((Rejected)reply).error(), ((Rejected)reply).message());
    }

    /** Base offsets of the batches the log holds from offset 0. */
    private List<Long> storedBaseOffsets()
    {
        final TestInbox<FetchReply> inbox = TestInbox.create();
        kit.run(new Fetch(TP, 0, 1 << 20, 0, 0, inbox.getRef()));
        final FetchReply reply = inbox.receiveMessage();
        assertTrue(reply instanceof Fetched, () -> "expected Fetched but got " + reply);
        final byte[] records = ((Fetched)reply).records();
        final RecordBatchFlyweight batch = new RecordBatchFlyweight();
        final UnsafeBuffer buffer = new UnsafeBuffer(records);
        final List<Long> offsets = new ArrayList<>();
        int position = 0;
        while (position < records.length)
        {
            batch.wrap(buffer, position);
            offsets.add(batch.baseOffset());
            position += batch.sizeInBytes();
        }
        return offsets;
    }

    @Test
    void shouldAppendStagedProducesAsOneAndAnswerEachWithItsOwnBaseOffset()
    {
        stage(Batches.plain(2, NOW_MS));
        stage(Batches.concat(Batches.plain(3, NOW_MS), Batches.plain(1, NOW_MS)));
        stage(Batches.plain(5, NOW_MS));
        assertFalse(replies.hasMessages(), "staged requests are answered only after their append");

        assertEquals(1, runSelfMessages(), "one AppendPending per group");
        assertEquals(0, appended(replies.receiveMessage()));
        assertEquals(2, appended(replies.receiveMessage()));
        assertEquals(6, appended(replies.receiveMessage()));
        assertFalse(replies.hasMessages());
        assertEquals(List.of(0L, 2L, 5L, 6L), storedBaseOffsets());
    }

    @Test
    void shouldKeepIdempotentSequencesAndDuplicatesAcrossAGroup()
    {
        final byte[] first = Batches.idempotent(42, (short)0, 0, 3);
        final byte[] second = Batches.idempotent(42, (short)0, 3, 2);
        stage(first);
        stage(Batches.idempotent(43, (short)0, 0, 4));
        // Next in sequence after a staged batch of the same producer: staged too, not refused as a gap.
        stage(second);
        assertFalse(replies.hasMessages());
        runSelfMessages();
        assertEquals(0, appended(replies.receiveMessage()));
        assertEquals(3, appended(replies.receiveMessage()));
        assertEquals(7, appended(replies.receiveMessage()));

        // Retries of appended batches get their original offsets at once, nothing appended.
        stage(second);
        assertEquals(7, appended(replies.receiveMessage()));
        stage(first);
        assertEquals(0, appended(replies.receiveMessage()));

        // A retry of a batch still staged: the group is appended first, then the retry is a duplicate.
        final byte[] third = Batches.idempotent(42, (short)0, 5, 1);
        stage(third);
        stage(third);
        assertEquals(9, appended(replies.receiveMessage()));
        assertEquals(9, appended(replies.receiveMessage()));

        // A gap after a staged batch is refused, after the staged one is answered.
        stage(Batches.idempotent(42, (short)0, 6, 1));
        stage(Batches.idempotent(42, (short)0, 9, 1));
        assertEquals(10, appended(replies.receiveMessage()));
        rejected(replies.receiveMessage(), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
        runSelfMessages();
        assertFalse(replies.hasMessages());
        assertEquals(List.of(0L, 3L, 7L, 9L, 10L), storedBaseOffsets());
    }

    @Test
    void shouldRefuseOnlyTheCorruptRequestOfAGroup()
    {
        final byte[] corrupt = Batches.plain(2, NOW_MS);
        corrupt[corrupt.length - 1] ^= 0x5A; // in the records: the header's framing holds, the CRC does not
        stage(Batches.plain(3, NOW_MS));
        stage(corrupt);
        stage(Batches.plain(4, NOW_MS));
        runSelfMessages();
        assertEquals(0, appended(replies.receiveMessage()));
        rejected(replies.receiveMessage(), ErrorCode.CORRUPT_MESSAGE);
        assertEquals(3, appended(replies.receiveMessage()));
        assertEquals(List.of(0L, 3L), storedBaseOffsets());
    }

    @Test
    void shouldDecideANewEpochBatchAfterARefusedGroupFromItsOwnBatch()
    {
        final byte[] corrupt = Batches.plain(3, NOW_MS);
        corrupt[corrupt.length - 1] ^= 0x5A;
        stage(Batches.idempotent(42, (short)0, 0, 2));
        stage(corrupt);
        // A new epoch of producer 42 while its epoch-0 batch is staged: the group goes first; the log refuses it, so
        // its requests are decided and appended one by one; then this batch is decided and staged on its own terms.
        final byte[] newEpoch = Batches.idempotent(42, (short)1, 0, 4);
        stage(newEpoch);
        assertEquals(0, appended(replies.receiveMessage()));
        rejected(replies.receiveMessage(), ErrorCode.CORRUPT_MESSAGE);
        assertFalse(replies.hasMessages());
        runSelfMessages();
        assertEquals(2, appended(replies.receiveMessage()), "appended with its own 4 offsets");
        stage(newEpoch);
        assertEquals(2, appended(replies.receiveMessage()), "a retry is a duplicate of the new epoch's batch");
        stage(Batches.idempotent(42, (short)1, 4, 1));
        runSelfMessages();
        assertEquals(6, appended(replies.receiveMessage()));
        assertEquals(List.of(0L, 2L, 6L), storedBaseOffsets());
    }

    @Test
    void shouldAppendStagedProducesBeforeAnyOtherMessage()
    {
        kit.run(new Produce(TP, (short)0, Batches.plain(2, NOW_MS), null));
        kit.run(new Produce(TP, (short)0, Batches.plain(3, NOW_MS), null));
        final TestInbox<Status> status = TestInbox.create();
        kit.run(new GetStatus(status.getRef()));
        assertEquals(5, status.receiveMessage().logEndOffset(), "a later request sees the earlier acks=0 produces");
        runSelfMessages();
        assertEquals(List.of(0L, 2L), storedBaseOffsets());
    }

    @Test
    void shouldAnswerStagedProducesWhenStopped()
    {
        stage(Batches.plain(2, NOW_MS));
        kit.signal(PostStop.instance());
        rejected(replies.receiveMessage(), ErrorCode.NOT_LEADER_OR_FOLLOWER);
        // Started again on the same directory: nothing of the staged request was appended.
        start();
        final TestInbox<Status> status = TestInbox.create();
        kit.run(new GetStatus(status.getRef()));
        assertEquals(0, status.receiveMessage().logEndOffset());
    }

    /**
     * A leader of replicas 0 and 1 (both in the ISR, min.insync.replicas 2) in place of the single replica: acks=all
     * produces wait for the follower's fetches to move the high watermark.
     */
    private void startLeaderOfTwo()
    {
        kit.signal(PostStop.instance());
        final List<Integer> both = List.of(0, 1);
        final Replication replication = new Replication(0, new LeaderAndIsr(TP, 0, EPOCH, 1, both, both), 2,
            (tp, broker, command) -> { }, (tp, leader, epoch, partitionEpoch, isr) -> CompletableFuture.failedFuture(
                new IllegalStateException("the test's ISR does not change")), ReplicationSettings.DEFAULTS);
        kit = BehaviorTestKit.create(PartitionReplica.create(new PartitionReplicaSettings(
            TP, dataDir, LogConfig.defaults(), () -> NOW_MS, EPOCH, Duration.ofHours(1), 1000, 8 * 1024 * 1024),
            replication));
    }

    /** The follower (replica 1) fetches from {@code offset}: it has everything below it. */
    private void followerFetched(final long offset)
    {
        final TestInbox<ReplicaFetchReply> inbox = TestInbox.create();
        kit.run(new ReplicaFetch(TP, 1, offset, offset == 0 ? -1 : EPOCH, EPOCH, 1 << 20, 0, inbox.getRef()));
        final ReplicaFetchReply reply = inbox.receiveMessage();
        assertTrue(reply instanceof ReplicaFetched, () -> "expected ReplicaFetched but got " + reply);
    }

    @Test
    void shouldCompleteEachAcksAllRequestOfAGroupWhenTheHighWatermarkPassesItsOwnRecords()
    {
        startLeaderOfTwo();
        kit.run(new Produce(TP, (short)-1, Batches.plain(2, NOW_MS), replies.getRef()));
        kit.run(new Produce(TP, (short)1, Batches.plain(3, NOW_MS), replies.getRef()));
        kit.run(new Produce(TP, (short)-1, Batches.plain(5, NOW_MS), replies.getRef()));
        kit.run(new Produce(TP, (short)-1, Batches.plain(1, NOW_MS), replies.getRef()));
        assertEquals(1, runSelfMessages(), "one group");
        // Appended as one: the acks=1 request is answered at once, the acks=all ones wait for the follower.
        assertEquals(2, appended(replies.receiveMessage()));
        assertFalse(replies.hasMessages(), "acks=all requests are answered only when committed");

        followerFetched(2);
        assertEquals(0, appended(replies.receiveMessage()), "the first request's records [0, 2) are committed");
        assertFalse(replies.hasMessages());
        followerFetched(9);
        assertFalse(replies.hasMessages(), "[5, 10) is not committed at 9");
        followerFetched(10);
        assertEquals(5, appended(replies.receiveMessage()), "[5, 10) committed, [10, 11) not yet");
        assertFalse(replies.hasMessages());
        followerFetched(11);
        assertEquals(10, appended(replies.receiveMessage()));
        assertFalse(replies.hasMessages());
        assertEquals(List.of(0L, 2L, 5L, 10L), storedBaseOffsets());
    }

    @Test
    void shouldAnswerAnAcksAllRetryOfAStagedBatchWithItsOriginalOffsetsOnceCommitted()
    {
        startLeaderOfTwo();
        final byte[] first = Batches.idempotent(42, (short)0, 0, 3);
        final byte[] second = Batches.idempotent(42, (short)0, 3, 2);
        kit.run(new Produce(TP, (short)-1, first, replies.getRef()));
        kit.run(new Produce(TP, (short)-1, second, replies.getRef()));
        // A retry of the staged second batch: the group is appended first, then the retry is a duplicate that, like
        // the original, waits for its own records [3, 5) to be committed.
        kit.run(new Produce(TP, (short)-1, second, replies.getRef()));
        runSelfMessages();
        assertFalse(replies.hasMessages());
        followerFetched(3);
        assertEquals(0, appended(replies.receiveMessage()));
        assertFalse(replies.hasMessages());
        followerFetched(5);
        assertEquals(3, appended(replies.receiveMessage()));
        assertEquals(3, appended(replies.receiveMessage()), "the retry gets the original's offsets");
        assertFalse(replies.hasMessages());
        assertEquals(List.of(0L, 3L), storedBaseOffsets());
    }

    @Test
    void shouldFailWaitingAcksAllRequestsOfAGroupWhenLeadershipMovesAndAnswerLaterProducesAsFollower()
    {
        startLeaderOfTwo();
        kit.run(new Produce(TP, (short)-1, Batches.plain(2, NOW_MS), replies.getRef()));
        kit.run(new Produce(TP, (short)-1, Batches.plain(3, NOW_MS), replies.getRef()));
        // Broker 1 leads now: the staged group is appended first (it arrived before the decision), then both
        // requests, appended but not committed, are refused.
        kit.run(new LeaderAndIsr(TP, 1, EPOCH + 1, 2, List.of(0, 1), List.of(0, 1)));
        rejected(replies.receiveMessage(), ErrorCode.NOT_LEADER_OR_FOLLOWER);
        rejected(replies.receiveMessage(), ErrorCode.NOT_LEADER_OR_FOLLOWER);
        kit.run(new Produce(TP, (short)-1, Batches.plain(1, NOW_MS), replies.getRef()));
        rejected(replies.receiveMessage(), ErrorCode.NOT_LEADER_OR_FOLLOWER);
        runSelfMessages();
        assertFalse(replies.hasMessages());
        final TestInbox<Status> status = TestInbox.create();
        kit.run(new GetStatus(status.getRef()));
        assertEquals(5, status.receiveMessage().logEndOffset());
    }
}
