package dev.millrace.broker.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import com.typesafe.config.ConfigFactory;
import dev.millrace.broker.log.LogConfig;
import dev.millrace.broker.partition.PartitionProtocol.ActiveProducer;
import dev.millrace.broker.partition.PartitionProtocol.Appended;
import dev.millrace.broker.partition.PartitionProtocol.Command;
import dev.millrace.broker.partition.PartitionProtocol.DescribeProducers;
import dev.millrace.broker.partition.PartitionProtocol.DescribeProducersReply;
import dev.millrace.broker.partition.PartitionProtocol.EpochEndOffset;
import dev.millrace.broker.partition.PartitionProtocol.ErrorCode;
import dev.millrace.broker.partition.PartitionProtocol.OffsetForLeaderEpoch;
import dev.millrace.broker.partition.PartitionProtocol.OffsetForLeaderEpochReply;
import dev.millrace.broker.partition.PartitionProtocol.Produce;
import dev.millrace.broker.partition.PartitionProtocol.ProduceReply;
import dev.millrace.broker.partition.PartitionProtocol.ProducersDescribed;
import dev.millrace.broker.partition.PartitionProtocol.Rejected;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** OffsetForLeaderEpoch and DescribeProducers, answered by a replica whose log holds batches of two leader epochs. */
@Timeout(30)
class PartitionEpochAndProducersTest
{
    private static final TopicPartition TP = new TopicPartition("epochs", 0);
    private static final Duration REPLY = Duration.ofSeconds(5);

    private static ActorTestKit testKit;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void startTestKit()
    {
        testKit = ActorTestKit.create("PartitionEpochAndProducersTest", ConfigFactory.parseString(
            "pekko.loglevel = WARNING\npekko.actor.serialize-messages = on"));
    }

    @AfterAll
    static void stopTestKit()
    {
        testKit.shutdownTestKit();
    }

    private ActorRef<Command> spawn(final int leaderEpoch)
    {
        return testKit.spawn(PartitionReplica.create(new PartitionReplicaSettings(
            TP, dataDir, LogConfig.defaults(), System::currentTimeMillis, leaderEpoch, Duration.ofHours(1), 100, 1 << 20)));
    }

    @Test
    void shouldAnswerTheEndOffsetOfEachLeaderEpochByKafkasRules()
    {
        // Epoch 2: offsets 0-9; then, restarted at epoch 4: offsets 10-14.
        final ActorRef<Command> first = spawn(2);
        append(first, Batches.plain(10, 1_000));
        assertEquals(new EpochEndOffset(TP, 2, 10), endOffset(first, 2), "current epoch ends at the log end");
        testKit.stop(first, REPLY);
        final ActorRef<Command> replica = spawn(4);
        assertEquals(new EpochEndOffset(TP, 4, 10), endOffset(replica, 4), "current epoch, nothing appended with it yet");
        append(replica, Batches.plain(5, 1_000));

        assertEquals(new EpochEndOffset(TP, 4, 15), endOffset(replica, 4));
        assertEquals(new EpochEndOffset(TP, 2, 10), endOffset(replica, 2));
        assertEquals(new EpochEndOffset(TP, 2, 10), endOffset(replica, 3), "an epoch the log lacks: the one below it");
        assertEquals(new EpochEndOffset(TP, 1, 0), endOffset(replica, 1), "below the first epoch: the first's start");
        assertEquals(new EpochEndOffset(TP, -1, -1), endOffset(replica, 5), "above the current epoch: unknown");

        final TestProbe<OffsetForLeaderEpochReply> probe = testKit.createTestProbe();
        replica.tell(new OffsetForLeaderEpoch(new TopicPartition("other", 0), 4, probe.ref()));
        assertEquals(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
            assertInstanceOf(Rejected.class, probe.receiveMessage(REPLY)).error());
        testKit.stop(replica, REPLY);
    }

    @Test
    void shouldDescribeTheIdempotentProducersWithTheirEpochAndLastSequence()
    {
        final ActorRef<Command> replica = spawn(0);
        assertEquals(List.of(), producers(replica));
        append(replica, Batches.idempotent(9, (short)1, 0, 3));
        append(replica, Batches.idempotent(9, (short)1, 3, 2));
        assertEquals(List.of(new ActiveProducer(9, (short)1, 4, 4)), producers(replica));
        append(replica, Batches.idempotent(7, (short)3, 0, 2));
        // Sorted by producer id.
        assertEquals(List.of(new ActiveProducer(7, (short)3, 1, 6), new ActiveProducer(9, (short)1, 4, 4)),
            producers(replica));
        testKit.stop(replica, REPLY);
    }

    private static void append(final ActorRef<Command> replica, final byte[] records)
    {
        final TestProbe<ProduceReply> probe = testKit.createTestProbe();
        replica.tell(new Produce(TP, (short)1, records, probe.ref()));
        final ProduceReply reply = probe.receiveMessage(REPLY);
        assertTrue(reply instanceof Appended, () -> "expected Appended but got " + reply);
    }

    private static EpochEndOffset endOffset(final ActorRef<Command> replica, final int epoch)
    {
        final TestProbe<OffsetForLeaderEpochReply> probe = testKit.createTestProbe();
        replica.tell(new OffsetForLeaderEpoch(TP, epoch, probe.ref()));
        return assertInstanceOf(EpochEndOffset.class, probe.receiveMessage(REPLY));
    }

    private static List<ActiveProducer> producers(final ActorRef<Command> replica)
    {
        final TestProbe<DescribeProducersReply> probe = testKit.createTestProbe();
        replica.tell(new DescribeProducers(TP, probe.ref()));
        return assertInstanceOf(ProducersDescribed.class, probe.receiveMessage(REPLY)).producers();
    }
}
