package dev.millrace.broker.partition;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import com.typesafe.config.ConfigFactory;
import dev.millrace.broker.log.LogConfig;
import dev.millrace.broker.partition.PartitionProtocol.Appended;
import dev.millrace.broker.partition.PartitionProtocol.Command;
import dev.millrace.broker.partition.PartitionProtocol.DeleteRecords;
import dev.millrace.broker.partition.PartitionProtocol.DeleteRecordsReply;
import dev.millrace.broker.partition.PartitionProtocol.ErrorCode;
import dev.millrace.broker.partition.PartitionProtocol.Fetch;
import dev.millrace.broker.partition.PartitionProtocol.FetchLocal;
import dev.millrace.broker.partition.PartitionProtocol.FetchLocalReply;
import dev.millrace.broker.partition.PartitionProtocol.FetchReply;
import dev.millrace.broker.partition.PartitionProtocol.Fetched;
import dev.millrace.broker.partition.PartitionProtocol.FetchedRegion;
import dev.millrace.broker.partition.PartitionProtocol.GetStatus;
import dev.millrace.broker.partition.PartitionProtocol.ListOffsets;
import dev.millrace.broker.partition.PartitionProtocol.ListOffsetsReply;
import dev.millrace.broker.partition.PartitionProtocol.OffsetFound;
import dev.millrace.broker.partition.PartitionProtocol.OffsetSpec;
import dev.millrace.broker.partition.PartitionProtocol.Produce;
import dev.millrace.broker.partition.PartitionProtocol.ProduceReply;
import dev.millrace.broker.partition.PartitionProtocol.RecordsDeleted;
import dev.millrace.broker.partition.PartitionProtocol.Rejected;
import dev.millrace.broker.partition.PartitionProtocol.Status;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class PartitionReplicaTest
{
    private static final TopicPartition TP = new TopicPartition("orders", 3);
    private static final int EPOCH = 5;
    private static final long NOW_MS = 1_700_000_000_000L;
    private static final Duration REPLY = Duration.ofSeconds(5);
    private static final Duration QUIET = Duration.ofMillis(100);

    private static ActorTestKit testKit;
    private static ManualTime manualTime;

    @TempDir
    Path dataDir;

    private final List<ActorRef<Command>> replicas = new ArrayList<>();

    @BeforeAll
    static void startTestKit()
    {
        testKit = ActorTestKit.create(
            "PartitionReplicaTest", ManualTime.config().withFallback(ConfigFactory.parseString(
                // Every message to and from the replica goes through Kryo, as it would between nodes.
                "pekko.loglevel = WARNING\npekko.actor.serialize-messages = on")));
        manualTime = ManualTime.get(testKit.system());
    }

    /** Stops this test's replicas (closing their logs) before JUnit deletes their directory. */
    @AfterEach
    void stopReplicas()
    {
        for (final ActorRef<Command> replica : replicas)
        {
            testKit.stop(replica, REPLY);
        }
    }

    @AfterAll
    static void stopTestKit()
    {
        testKit.shutdownTestKit();
    }

    private void stop(final ActorRef<Command> replica)
    {
        replicas.remove(replica);
        testKit.stop(replica, REPLY);
    }

    private PartitionReplicaSettings settings(final LogConfig logConfig, final int maxParkedFetches)
    {
        return new PartitionReplicaSettings(TP, dataDir, logConfig, () -> NOW_MS, EPOCH, Duration.ofHours(1),
            maxParkedFetches, 8 * 1024 * 1024);
    }

    private ActorRef<Command> spawn()
    {
        return spawn(LogConfig.defaults(), 1000);
    }

    private ActorRef<Command> spawn(final LogConfig logConfig, final int maxParkedFetches)
    {
        final ActorRef<Command> replica = testKit.spawn(PartitionReplica.create(settings(logConfig, maxParkedFetches)));
        replicas.add(replica);
        return replica;
    }

    private ProduceReply produce(final ActorRef<Command> replica, final byte[] records)
    {
        final TestProbe<ProduceReply> probe = testKit.createTestProbe();
        replica.tell(new Produce(TP, (short)1, records, probe.ref()));
        return probe.receiveMessage(REPLY);
    }

    private long appended(final ActorRef<Command> replica, final byte[] records)
    {
        final ProduceReply reply = produce(replica, records);
        assertTrue(reply instanceof Appended, () -> "expected Appended but got " + reply);
        return ((Appended)reply).baseOffset();
    }

    private Rejected rejected(final Object reply, final ErrorCode expected)
    {
        assertTrue(reply instanceof Rejected, () -> "expected Rejected " + expected + " but got " + reply);
        final Rejected rejected = (Rejected)reply;
        assertEquals(expected, rejected.error(), rejected::message);
        assertEquals(TP, rejected.topicPartition());
        return rejected;
    }

    private FetchReply fetch(final ActorRef<Command> replica, final long offset, final int maxBytes)
    {
        final TestProbe<FetchReply> probe = testKit.createTestProbe();
        replica.tell(new Fetch(TP, offset, maxBytes, 0, 0, probe.ref()));
        return probe.receiveMessage(REPLY);
    }

    private Fetched fetched(final ActorRef<Command> replica, final long offset)
    {
        final FetchReply reply = fetch(replica, offset, 1 << 20);
        assertTrue(reply instanceof Fetched, () -> "expected Fetched but got " + reply);
        return (Fetched)reply;
    }

    private Status status(final ActorRef<Command> replica)
    {
        final TestProbe<Status> probe = testKit.createTestProbe();
        replica.tell(new GetStatus(probe.ref()));
        return probe.receiveMessage(REPLY);
    }

    private long listOffset(final ActorRef<Command> replica, final OffsetSpec spec, final long timestampMs)
    {
        final TestProbe<ListOffsetsReply> probe = testKit.createTestProbe();
        replica.tell(new ListOffsets(TP, spec, timestampMs, probe.ref()));
        final ListOffsetsReply reply = probe.receiveMessage(REPLY);
        assertTrue(reply instanceof OffsetFound, () -> "expected OffsetFound but got " + reply);
        return ((OffsetFound)reply).offset();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Produce and fetch
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldFetchProducedBatchBytesWithAssignedOffsets()
    {
        final ActorRef<Command> replica = spawn();
        final byte[] first = Batches.plain(3, NOW_MS);
        final byte[] second = Batches.plain(4, NOW_MS + 10);
        final byte[] firstSent = first.clone();

        assertEquals(0, appended(replica, first));
        assertEquals(3, appended(replica, second));
        assertArrayEquals(firstSent, first, "the producer's array must not be changed");

        final Fetched all = fetched(replica, 0);
        assertArrayEquals(Batches.concat(Batches.stored(first, 0, EPOCH), Batches.stored(second, 3, EPOCH)), all.records());
        assertEquals(7, all.highWatermark());
        assertEquals(0, all.logStartOffset());
        // From inside the second batch: the whole batch that holds the offset.
        assertArrayEquals(Batches.stored(second, 3, EPOCH), fetched(replica, 5).records());
        // At the end: nothing, at once.
        assertEquals(0, fetched(replica, 7).records().length);
        final Status status = status(replica);
        assertEquals(7, status.logEndOffset());
        assertEquals(1, status.segmentCount());
        assertEquals(EPOCH, status.leaderEpoch());
    }

    @Test
    void shouldTellTheProducerTheLogAppendTimeWhenTheTopicUsesIt()
    {
        final ActorRef<Command> replica =
            spawn(LogConfig.defaults().withMessageTimestampType(LogConfig.TimestampType.LOG_APPEND_TIME), 1000);
        final ProduceReply reply = produce(replica, Batches.plain(2, NOW_MS - 60_000));
        assertTrue(reply instanceof Appended, () -> "expected Appended but got " + reply);
        assertEquals(NOW_MS, ((Appended)reply).logAppendTime(), "the replica's clock, not the producer's timestamp");
    }

    @Test
    void shouldReportNoLogAppendTimeForCreateTimeTopics()
    {
        final ActorRef<Command> replica = spawn();
        final ProduceReply reply = produce(replica, Batches.plain(2, NOW_MS - 60_000));
        assertTrue(reply instanceof Appended, () -> "expected Appended but got " + reply);
        assertEquals(-1, ((Appended)reply).logAppendTime());
    }

    @Test
    void shouldStopAtMaxBytesButAlwaysReturnTheFirstWholeBatch()
    {
        final ActorRef<Command> replica = spawn();
        final byte[] first = Batches.plain(3, NOW_MS);
        final byte[] second = Batches.plain(3, NOW_MS);
        appended(replica, first);
        appended(replica, second);

        final Fetched one = (Fetched)fetch(replica, 0, first.length + second.length - 1);
        assertArrayEquals(Batches.stored(first, 0, EPOCH), one.records());
        final Fetched whole = (Fetched)fetch(replica, 0, 1);
        assertArrayEquals(Batches.stored(first, 0, EPOCH), whole.records());
        assertEquals(6, whole.highWatermark());
    }

    @Test
    void shouldAppendSeveralBatchesOfOneProduceAtOnce()
    {
        final ActorRef<Command> replica = spawn();
        final byte[] first = Batches.plain(2, NOW_MS);
        final byte[] second = Batches.plain(3, NOW_MS);
        assertEquals(0, appended(replica, Batches.concat(first, second)));
        assertArrayEquals(
            Batches.concat(Batches.stored(first, 0, EPOCH), Batches.stored(second, 2, EPOCH)), fetched(replica, 0).records());
    }

    @Test
    void shouldAppendWithoutReplyWhenAcksIsZero()
    {
        final ActorRef<Command> replica = spawn();
        final TestProbe<ProduceReply> probe = testKit.createTestProbe();
        replica.tell(new Produce(TP, (short)0, Batches.plain(2, NOW_MS), probe.ref()));
        replica.tell(new Produce(TP, (short)0, Batches.plain(2, NOW_MS), null));
        assertEquals(4, status(replica).logEndOffset());
        probe.expectNoMessage(QUIET);
    }

    @Test
    void shouldTreatAcksAllAsOneOnASingleReplicaAndRejectOtherAcks()
    {
        final ActorRef<Command> replica = spawn();
        final TestProbe<ProduceReply> probe = testKit.createTestProbe();
        replica.tell(new Produce(TP, (short)-1, Batches.plain(1, NOW_MS), probe.ref()));
        assertEquals(new Appended(TP, 0, -1, 0), probe.receiveMessage(REPLY));
        replica.tell(new Produce(TP, (short)2, Batches.plain(1, NOW_MS), probe.ref()));
        rejected(probe.receiveMessage(REPLY), ErrorCode.INVALID_REQUIRED_ACKS);
        assertEquals(1, status(replica).logEndOffset());
    }

    @Test
    void shouldRejectMessagesForAnotherPartition()
    {
        final ActorRef<Command> replica = spawn();
        final TestProbe<ProduceReply> probe = testKit.createTestProbe();
        replica.tell(new Produce(new TopicPartition("orders", 4), (short)1, Batches.plain(1, NOW_MS), probe.ref()));
        final Rejected rejected = (Rejected)probe.receiveMessage(REPLY);
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, rejected.error());
        assertEquals(0, status(replica).logEndOffset());
    }

    @Test
    void shouldRejectCorruptBatchWithCorruptMessageAndAppendNothing()
    {
        final ActorRef<Command> replica = spawn();
        final byte[] good = Batches.plain(2, NOW_MS);
        final byte[] corrupt = Batches.plain(3, NOW_MS);
        corrupt[corrupt.length - 2] ^= 0x5A;

        final Rejected rejected = rejected(produce(replica, Batches.concat(good, corrupt)), ErrorCode.CORRUPT_MESSAGE);
        assertTrue(rejected.message().contains("BAD_CRC"), rejected.message());
        rejected(produce(replica, new byte[] {1, 2, 3}), ErrorCode.CORRUPT_MESSAGE);
        rejected(produce(replica, new byte[0]), ErrorCode.INVALID_REQUEST);

        assertEquals(0, status(replica).logEndOffset());
        assertEquals(0, fetched(replica, 0).records().length);
        assertEquals(0, appended(replica, good));
    }

    @Test
    void shouldRejectOversizedBatchWithMessageTooLarge()
    {
        final ActorRef<Command> replica =
            spawn(LogConfig.defaults().withMaxMessageBytes(512), 1000);
        final byte[] big = Batches.idempotent(-1, (short)-1, -1, 10, NOW_MS, 100);
        assertTrue(big.length > 512);

        final Rejected rejected = rejected(produce(replica, big), ErrorCode.MESSAGE_TOO_LARGE);
        assertTrue(rejected.message().contains("max.message.bytes"), rejected.message());
        assertEquals(0, status(replica).logEndOffset());
    }

    @Test
    void shouldRejectProduceWithNotLeaderWhenTheLogHasANewerLeaderEpoch()
    {
        final ActorRef<Command> current = spawn();
        appended(current, Batches.plain(2, NOW_MS));
        stop(current);

        final ActorRef<Command> stale = testKit.spawn(PartitionReplica.create(new PartitionReplicaSettings(
            TP, dataDir, LogConfig.defaults(), () -> NOW_MS, EPOCH - 1, Duration.ofHours(1), 1000, 1 << 20)));
        replicas.add(stale);
        final Rejected rejected = rejected(produce(stale, Batches.plain(1, NOW_MS)), ErrorCode.NOT_LEADER_OR_FOLLOWER);
        assertTrue(rejected.message().contains("refresh metadata"), rejected.message());
        assertEquals(2, status(stale).logEndOffset());
        assertEquals(2, fetched(stale, 0).highWatermark());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Long polls
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldCompleteParkedFetchWhenProduceBringsEnoughBytes()
    {
        final ActorRef<Command> replica = spawn();
        final TestProbe<FetchReply> fetchProbe = testKit.createTestProbe();
        replica.tell(new Fetch(TP, 0, 1 << 20, 1, 30_000, fetchProbe.ref()));
        fetchProbe.expectNoMessage(QUIET);
        assertEquals(1, status(replica).parkedFetchCount());

        final byte[] batch = Batches.plain(2, NOW_MS);
        assertEquals(0, appended(replica, batch));

        final Fetched fetched = (Fetched)fetchProbe.receiveMessage(REPLY);
        assertArrayEquals(Batches.stored(batch, 0, EPOCH), fetched.records());
        assertEquals(2, fetched.highWatermark());
        assertEquals(0, status(replica).parkedFetchCount());
    }

    @Test
    void shouldKeepFetchParkedUntilMinBytesArrive()
    {
        final ActorRef<Command> replica = spawn();
        final byte[] small = Batches.plain(1, NOW_MS);
        final byte[] more = Batches.plain(1, NOW_MS);
        final TestProbe<FetchReply> fetchProbe = testKit.createTestProbe();
        replica.tell(new Fetch(TP, 0, 1 << 20, small.length + 1, 30_000, fetchProbe.ref()));

        appended(replica, small);
        fetchProbe.expectNoMessage(QUIET);
        appended(replica, more);

        final Fetched fetched = (Fetched)fetchProbe.receiveMessage(REPLY);
        assertArrayEquals(Batches.concat(Batches.stored(small, 0, EPOCH), Batches.stored(more, 1, EPOCH)), fetched.records());
    }

    @Test
    void shouldAnswerParkedFetchWithNothingWhenMaxWaitPasses()
    {
        final ActorRef<Command> replica = spawn();
        final TestProbe<FetchReply> fetchProbe = testKit.createTestProbe();
        replica.tell(new Fetch(TP, 0, 1 << 20, 1, 500, fetchProbe.ref()));
        assertEquals(1, status(replica).parkedFetchCount());

        manualTime.expectNoMessageFor(Duration.ofMillis(499), fetchProbe);
        manualTime.timePasses(Duration.ofMillis(1));

        final Fetched fetched = (Fetched)fetchProbe.receiveMessage(REPLY);
        assertEquals(0, fetched.records().length);
        assertEquals(0, fetched.highWatermark());
        assertEquals(0, status(replica).parkedFetchCount());
    }

    @Test
    void shouldAnswerAtOnceWhenMinBytesIsZero()
    {
        final ActorRef<Command> replica = spawn();
        final TestProbe<FetchReply> fetchProbe = testKit.createTestProbe();
        replica.tell(new Fetch(TP, 0, 1 << 20, 0, 30_000, fetchProbe.ref()));
        assertEquals(0, ((Fetched)fetchProbe.receiveMessage(REPLY)).records().length);
        assertEquals(0, status(replica).parkedFetchCount());
    }

    @Test
    void shouldAnswerAtOnceWhenTooManyFetchesAreParked()
    {
        final ActorRef<Command> replica = spawn(LogConfig.defaults(), 1);
        final TestProbe<FetchReply> parked = testKit.createTestProbe();
        final TestProbe<FetchReply> overflow = testKit.createTestProbe();
        replica.tell(new Fetch(TP, 0, 1 << 20, 1, 30_000, parked.ref()));
        replica.tell(new Fetch(TP, 0, 1 << 20, 1, 30_000, overflow.ref()));

        assertEquals(0, ((Fetched)overflow.receiveMessage(REPLY)).records().length);
        parked.expectNoMessage(QUIET);
    }

    @Test
    void shouldAnswerACancelledParkedFetchAtOnceAndLeaveTheOthersParked()
    {
        final ActorRef<Command> replica = spawn();
        final TestProbe<FetchReply> cancelled = testKit.createTestProbe();
        final TestProbe<FetchReply> kept = testKit.createTestProbe();
        replica.tell(new Fetch(TP, 0, 1 << 20, 1, 30_000, cancelled.ref()));
        replica.tell(new Fetch(TP, 0, 1 << 20, 1, 30_000, kept.ref()));
        assertEquals(2, status(replica).parkedFetchCount());

        replica.tell(new PartitionProtocol.CancelFetch(TP, cancelled.ref()));

        final Fetched fetched = (Fetched)cancelled.receiveMessage(REPLY);
        assertEquals(0, fetched.records().length);
        assertEquals(0, fetched.highWatermark());
        assertEquals(1, status(replica).parkedFetchCount());
        kept.expectNoMessage(QUIET);

        // Its timer is gone too: the max wait passing answers only the fetch still parked.
        manualTime.timePasses(Duration.ofMillis(30_000));
        assertEquals(0, ((Fetched)kept.receiveMessage(REPLY)).records().length);
        cancelled.expectNoMessage(QUIET);
    }

    @Test
    void shouldIgnoreACancelOfAFetchThatIsNotParked()
    {
        final ActorRef<Command> replica = spawn();
        final TestProbe<FetchReply> answered = testKit.createTestProbe();
        replica.tell(new Fetch(TP, 0, 1 << 20, 0, 30_000, answered.ref()));
        assertEquals(0, ((Fetched)answered.receiveMessage(REPLY)).records().length);

        replica.tell(new PartitionProtocol.CancelFetch(TP, answered.ref()));

        answered.expectNoMessage(QUIET);
        assertEquals(0, status(replica).parkedFetchCount());
    }

    @Test
    void shouldAnswerParkedFetchWhenReplicaStops()
    {
        final ActorRef<Command> replica = spawn();
        final TestProbe<FetchReply> fetchProbe = testKit.createTestProbe();
        replica.tell(new Fetch(TP, 0, 1 << 20, 1, 30_000, fetchProbe.ref()));
        assertEquals(1, status(replica).parkedFetchCount());
        stop(replica);
        rejected(fetchProbe.receiveMessage(REPLY), ErrorCode.NOT_LEADER_OR_FOLLOWER);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Local (zero-copy) fetch
    // ---------------------------------------------------------------------------------------------------------------

    private FetchedRegion fetchedRegion(final ActorRef<Command> replica, final long offset, final int maxBytes)
    {
        final TestProbe<FetchLocalReply> probe = testKit.createTestProbe();
        replica.tell(new FetchLocal(TP, offset, maxBytes, 0, 0, probe.ref()));
        final FetchLocalReply reply = probe.receiveMessage(REPLY);
        assertTrue(reply instanceof FetchedRegion, () -> "expected FetchedRegion but got " + reply);
        return (FetchedRegion)reply;
    }

    private static byte[] read(final FetchedRegion region) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocateDirect(region.length() + 16);
        buffer.position(16);
        assertEquals(region.length(), region.readInto(buffer));
        assertEquals(16 + region.length(), buffer.position());
        final byte[] bytes = new byte[region.length()];
        buffer.flip().position(16);
        buffer.get(bytes);
        return bytes;
    }

    private static byte[] transferred(final FetchedRegion region) throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (WritableByteChannel target = Channels.newChannel(out))
        {
            assertEquals(region.length(), region.transferTo(target));
        }
        return out.toByteArray();
    }

    @Test
    void shouldReturnRegionWithTheSameBytesAsFetch() throws IOException
    {
        final ActorRef<Command> replica = spawn();
        final byte[] first = Batches.plain(3, NOW_MS);
        final byte[] second = Batches.plain(4, NOW_MS + 10);
        appended(replica, first);
        appended(replica, second);

        for (final long offset : new long[]{ 0, 5 })
        {
            final Fetched fetched = fetched(replica, offset);
            final FetchedRegion region = fetchedRegion(replica, offset, 1 << 20);
            assertArrayEquals(fetched.records(), read(region));
            assertArrayEquals(fetched.records(), transferred(region));
            assertEquals(fetched.highWatermark(), region.highWatermark());
            assertEquals(fetched.logStartOffset(), region.logStartOffset());
            assertEquals(offset == 0 ? 0 : 3, region.firstOffset());
            assertEquals(7, region.nextOffset());
        }
        // maxBytes: the first whole batch only, as Fetch.
        final FetchedRegion one = fetchedRegion(replica, 0, 1);
        assertArrayEquals(fetch(replica, 0, 1) instanceof Fetched f ? f.records() : null, read(one));
        assertEquals(3, one.nextOffset());
        // At the end: an empty region, at once, that says where to fetch next.
        final FetchedRegion end = fetchedRegion(replica, 7, 1 << 20);
        assertTrue(end.isEmpty());
        assertNull(end.channel());
        assertEquals(7, end.nextOffset());
        assertEquals(0, end.readInto(ByteBuffer.allocate(0)));
    }

    @Test
    void shouldKeepEachRegionAsItWasWhenTheReplicaReadsAgain() throws IOException
    {
        final ActorRef<Command> replica = spawn();
        final byte[] first = Batches.plain(3, NOW_MS);
        final byte[] second = Batches.plain(4, NOW_MS);
        appended(replica, first);
        final FetchedRegion before = fetchedRegion(replica, 0, 1 << 20);
        appended(replica, second);
        final FetchedRegion after = fetchedRegion(replica, 3, 1 << 20);

        assertArrayEquals(Batches.stored(first, 0, EPOCH), read(before));
        assertEquals(3, before.nextOffset());
        assertEquals(3, before.highWatermark());
        assertArrayEquals(Batches.stored(second, 3, EPOCH), read(after));
    }

    @Test
    void shouldCompleteParkedFetchLocalWhenProduceBringsEnoughBytes() throws IOException
    {
        final ActorRef<Command> replica = spawn();
        final TestProbe<FetchLocalReply> probe = testKit.createTestProbe();
        replica.tell(new FetchLocal(TP, 0, 1 << 20, 1, 30_000, probe.ref()));
        probe.expectNoMessage(QUIET);
        assertEquals(1, status(replica).parkedFetchCount());

        final byte[] batch = Batches.plain(2, NOW_MS);
        assertEquals(0, appended(replica, batch));

        final FetchedRegion region = (FetchedRegion)probe.receiveMessage(REPLY);
        assertArrayEquals(Batches.stored(batch, 0, EPOCH), read(region));
        assertEquals(2, region.nextOffset());
        assertEquals(2, region.highWatermark());
        assertEquals(0, status(replica).parkedFetchCount());
    }

    @Test
    void shouldAnswerParkedFetchLocalWithAnEmptyRegionWhenMaxWaitPasses()
    {
        final ActorRef<Command> replica = spawn();
        final TestProbe<FetchLocalReply> probe = testKit.createTestProbe();
        replica.tell(new FetchLocal(TP, 0, 1 << 20, 1, 500, probe.ref()));
        assertEquals(1, status(replica).parkedFetchCount());

        manualTime.expectNoMessageFor(Duration.ofMillis(499), probe);
        manualTime.timePasses(Duration.ofMillis(1));

        final FetchedRegion region = (FetchedRegion)probe.receiveMessage(REPLY);
        assertTrue(region.isEmpty());
        assertEquals(0, region.nextOffset());
        assertEquals(0, region.highWatermark());
        assertEquals(0, status(replica).parkedFetchCount());
    }

    @Test
    void shouldRejectFetchLocalOutsideTheLogOrForAnotherPartition()
    {
        final ActorRef<Command> replica = spawn();
        appended(replica, Batches.plain(3, NOW_MS));
        final TestProbe<FetchLocalReply> probe = testKit.createTestProbe();

        replica.tell(new FetchLocal(TP, 4, 1024, 0, 0, probe.ref()));
        rejected(probe.receiveMessage(REPLY), ErrorCode.OFFSET_OUT_OF_RANGE);
        replica.tell(new FetchLocal(TP, 0, 0, 0, 0, probe.ref()));
        rejected(probe.receiveMessage(REPLY), ErrorCode.INVALID_REQUEST);
        replica.tell(new FetchLocal(new TopicPartition("other", 3), 0, 1024, 0, 0, probe.ref()));
        final Rejected misrouted = (Rejected)probe.receiveMessage(REPLY);
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, misrouted.error());
    }

    @Test
    void shouldAnswerParkedFetchLocalWhenReplicaStopsAndFailHeldRegionsWithClosedChannel()
    {
        final ActorRef<Command> replica = spawn();
        appended(replica, Batches.plain(3, NOW_MS));
        final FetchedRegion held = fetchedRegion(replica, 0, 1 << 20);
        final TestProbe<FetchLocalReply> probe = testKit.createTestProbe();
        replica.tell(new FetchLocal(TP, 3, 1 << 20, 1, 30_000, probe.ref()));
        assertEquals(1, status(replica).parkedFetchCount());

        stop(replica);

        rejected(probe.receiveMessage(REPLY), ErrorCode.NOT_LEADER_OR_FOLLOWER);
        // The log closed its segments: a region read after that fails cleanly, and the caller fetches again.
        assertThrows(ClosedChannelException.class, () -> held.readInto(ByteBuffer.allocateDirect(held.length())));
        assertThrows(ClosedChannelException.class, () -> transferred(held));
    }

    @Test
    void shouldFailAHeldRegionWithClosedChannelOnceItsSegmentIsDeletedAndRefuseTheRefetch() throws IOException
    {
        final ActorRef<Command> replica = spawn(LogConfig.defaults().withSegmentBytes(200), 1000);
        final byte[] first = Batches.plain(4, NOW_MS);
        appended(replica, first);
        appended(replica, Batches.plain(4, NOW_MS));
        appended(replica, Batches.plain(4, NOW_MS));
        assertEquals(3, status(replica).segmentCount());
        final FetchedRegion held = fetchedRegion(replica, 0, 1);
        assertArrayEquals(Batches.stored(first, 0, EPOCH), read(held));

        final TestProbe<DeleteRecordsReply> deleteProbe = testKit.createTestProbe();
        replica.tell(new DeleteRecords(TP, 4, deleteProbe.ref()));
        assertEquals(new RecordsDeleted(TP, 4), deleteProbe.receiveMessage(REPLY));

        assertThrows(ClosedChannelException.class, () -> held.readInto(ByteBuffer.allocateDirect(held.length())));
        // Fetching again from the same offset tells the caller where the log starts now.
        final TestProbe<FetchLocalReply> probe = testKit.createTestProbe();
        replica.tell(new FetchLocal(TP, 0, 1 << 20, 0, 0, probe.ref()));
        rejected(probe.receiveMessage(REPLY), ErrorCode.OFFSET_OUT_OF_RANGE);
        assertEquals(4, fetchedRegion(replica, 4, 1).firstOffset());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Offsets and deletion
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldRejectFetchOutsideTheLogWithOffsetOutOfRange()
    {
        final ActorRef<Command> replica = spawn();
        appended(replica, Batches.plain(3, NOW_MS));
        appended(replica, Batches.plain(3, NOW_MS));
        final TestProbe<DeleteRecordsReply> deleteProbe = testKit.createTestProbe();
        replica.tell(new DeleteRecords(TP, 3, deleteProbe.ref()));
        assertEquals(new RecordsDeleted(TP, 3), deleteProbe.receiveMessage(REPLY));

        rejected(fetch(replica, 2, 1024), ErrorCode.OFFSET_OUT_OF_RANGE);
        rejected(fetch(replica, 7, 1024), ErrorCode.OFFSET_OUT_OF_RANGE);
        rejected(fetch(replica, 3, 0), ErrorCode.INVALID_REQUEST);
        assertEquals(3, fetched(replica, 3).logStartOffset());
    }

    @Test
    void shouldListEarliestLatestAndByTimestampOffsets()
    {
        final ActorRef<Command> replica = spawn();
        appended(replica, Batches.plain(3, NOW_MS));          // offsets 0-2, timestamps NOW..NOW+2
        appended(replica, Batches.plain(3, NOW_MS + 100));    // offsets 3-5, timestamps NOW+100..NOW+102

        assertEquals(0, listOffset(replica, OffsetSpec.EARLIEST, 0));
        assertEquals(6, listOffset(replica, OffsetSpec.LATEST, 0));
        assertEquals(0, listOffset(replica, OffsetSpec.BY_TIMESTAMP, NOW_MS - 1000));
        assertEquals(2, listOffset(replica, OffsetSpec.BY_TIMESTAMP, NOW_MS + 2));
        assertEquals(3, listOffset(replica, OffsetSpec.BY_TIMESTAMP, NOW_MS + 50));
        assertEquals(-1, listOffset(replica, OffsetSpec.BY_TIMESTAMP, NOW_MS + 1000));
    }

    @Test
    void shouldDeleteRecordsAndMoveTheLogStart()
    {
        final ActorRef<Command> replica = spawn();
        appended(replica, Batches.plain(4, NOW_MS));
        appended(replica, Batches.plain(4, NOW_MS));
        final TestProbe<DeleteRecordsReply> probe = testKit.createTestProbe();

        replica.tell(new DeleteRecords(TP, 5, probe.ref()));
        assertEquals(new RecordsDeleted(TP, 5), probe.receiveMessage(REPLY));
        assertEquals(5, listOffset(replica, OffsetSpec.EARLIEST, 0));
        assertEquals(5, status(replica).logStartOffset());

        replica.tell(new DeleteRecords(TP, 9, probe.ref()));
        rejected(probe.receiveMessage(REPLY), ErrorCode.OFFSET_OUT_OF_RANGE);

        replica.tell(new DeleteRecords(TP, -1, probe.ref()));
        assertEquals(new RecordsDeleted(TP, 8), probe.receiveMessage(REPLY));
        assertEquals(0, fetched(replica, 8).records().length);
        assertEquals(8, appended(replica, Batches.plain(1, NOW_MS)));
    }

    @Test
    void shouldDeleteExpiredSegmentsWhenTheRetentionTimerFires()
    {
        final AtomicLong clockMs = new AtomicLong(NOW_MS);
        final LogConfig logConfig = LogConfig.defaults().withSegmentBytes(200).withRetentionMs(60_000);
        final ActorRef<Command> replica = testKit.spawn(PartitionReplica.create(new PartitionReplicaSettings(
            TP, dataDir, logConfig, clockMs::get, EPOCH, Duration.ofMinutes(5), 1000, 1 << 20)));
        replicas.add(replica);
        for (int i = 0; i < 3; i++)
        {
            appended(replica, Batches.plain(4, NOW_MS));
        }
        assertEquals(3, status(replica).segmentCount());

        clockMs.addAndGet(120_000);
        manualTime.timePasses(Duration.ofMinutes(5));

        final TestProbe<Status> probe = testKit.createTestProbe();
        final Status status = probe.awaitAssert(REPLY, () ->
        {
            replica.tell(new GetStatus(probe.ref()));
            final Status current = probe.receiveMessage(REPLY);
            assertEquals(1, current.segmentCount(), current::toString);
            return current;
        });
        assertEquals(8, status.logStartOffset());
        assertEquals(12, status.logEndOffset());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Idempotent producers
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void shouldAnswerDuplicateBatchWithOriginalOffsetAndAppendNothing()
    {
        final ActorRef<Command> replica = spawn();
        final byte[] batch = Batches.idempotent(11, (short)0, 0, 3);
        assertEquals(0, appended(replica, batch));
        assertEquals(3, appended(replica, Batches.idempotent(11, (short)0, 3, 2)));

        assertEquals(0, appended(replica, batch));
        final Status status = status(replica);
        assertEquals(5, status.logEndOffset());
        assertEquals(1, status.producerCount());
        assertEquals(5, appended(replica, Batches.idempotent(11, (short)0, 5, 1)));
    }

    @Test
    void shouldRejectSequenceGapWithOutOfOrderSequenceNumber()
    {
        final ActorRef<Command> replica = spawn();
        appended(replica, Batches.idempotent(11, (short)0, 0, 3));
        final Rejected rejected =
            rejected(produce(replica, Batches.idempotent(11, (short)0, 4, 1)), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertTrue(rejected.message().contains("last sequence appended at epoch 0 is 2"), rejected.message());
        assertEquals(3, status(replica).logEndOffset());
    }

    @Test
    void shouldFenceOldProducerEpochWithInvalidProducerEpoch()
    {
        final ActorRef<Command> replica = spawn();
        appended(replica, Batches.idempotent(11, (short)0, 0, 3));
        appended(replica, Batches.idempotent(11, (short)1, 0, 2));
        rejected(produce(replica, Batches.idempotent(11, (short)0, 3, 1)), ErrorCode.INVALID_PRODUCER_EPOCH);
        rejected(produce(replica, Batches.idempotent(11, (short)2, 5, 1)), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertEquals(5, status(replica).logEndOffset());
    }

    @Test
    void shouldReportCorruptionBeforeSequenceProblems()
    {
        final ActorRef<Command> replica = spawn();
        appended(replica, Batches.idempotent(11, (short)0, 0, 3));
        final byte[] corruptGap = Batches.idempotent(11, (short)0, 9, 1);
        corruptGap[corruptGap.length - 1] ^= 1;
        rejected(produce(replica, corruptGap), ErrorCode.CORRUPT_MESSAGE);
    }

    @Test
    void shouldRejectIdempotentBatchSharingAProduceWithOthers()
    {
        final ActorRef<Command> replica = spawn();
        rejected(produce(replica, Batches.concat(Batches.plain(1, NOW_MS), Batches.idempotent(11, (short)0, 0, 1))),
            ErrorCode.INVALID_RECORD);
        assertEquals(0, status(replica).logEndOffset());
    }

    @Test
    void shouldStillDetectDuplicateAfterRestartOnTheSameDirectory()
    {
        final ActorRef<Command> first = spawn();
        final byte[] batch = Batches.idempotent(11, (short)0, 0, 3);
        appended(first, Batches.plain(2, NOW_MS));
        assertEquals(2, appended(first, batch));
        appended(first, Batches.idempotent(22, (short)4, 0, 1));
        stop(first);

        final ActorRef<Command> second = spawn();
        final Status status = status(second);
        assertEquals(6, status.logEndOffset());
        assertEquals(2, status.producerCount());
        assertEquals(2, appended(second, batch));
        rejected(produce(second, Batches.idempotent(22, (short)3, 1, 1)), ErrorCode.INVALID_PRODUCER_EPOCH);
        rejected(produce(second, Batches.idempotent(11, (short)0, 4, 1)), ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
        assertEquals(6, appended(second, Batches.idempotent(11, (short)0, 3, 1)));
        assertEquals(7, status(second).logEndOffset());
    }
}
