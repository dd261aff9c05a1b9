package dev.millrace.broker.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.NotSerializableException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import dev.millrace.broker.partition.PartitionProtocol.Appended;
import dev.millrace.broker.partition.PartitionProtocol.DeleteRecords;
import dev.millrace.broker.partition.PartitionProtocol.DeleteRecordsReply;
import dev.millrace.broker.partition.PartitionProtocol.ErrorCode;
import dev.millrace.broker.partition.PartitionProtocol.Fetch;
import dev.millrace.broker.partition.PartitionProtocol.FetchLocal;
import dev.millrace.broker.partition.PartitionProtocol.FetchLocalReply;
import dev.millrace.broker.partition.PartitionProtocol.FetchReply;
import dev.millrace.broker.partition.PartitionProtocol.FetchedRegion;
import dev.millrace.broker.partition.PartitionProtocol.Fetched;
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
import dev.millrace.serialization.kryo.KryoPekkoSerializer;
import dev.millrace.serialization.kryo.MillraceMessage;
import org.apache.kafka.common.protocol.Errors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every partition message and reply goes through Pekko serialization (millrace-kryo) and comes back equal, and
 * every class registered in the partition package has a sample here (STYLE.md rule 7).
 */
@Timeout(30)
class PartitionProtocolSerializationTest
{
    private static final String PACKAGE = "dev.millrace.broker.partition";
    private static final TopicPartition TP = new TopicPartition("orders", 7);

    private static ActorTestKit testKit;

    @BeforeAll
    static void startTestKit()
    {
        testKit = ActorTestKit.create("PartitionProtocolSerializationTest");
    }

    @AfterAll
    static void stopTestKit()
    {
        testKit.shutdownTestKit();
    }

    private List<Object> samples()
    {
        final TestProbe<ProduceReply> produceProbe = testKit.createTestProbe();
        final TestProbe<FetchReply> fetchProbe = testKit.createTestProbe();
        final TestProbe<ListOffsetsReply> listProbe = testKit.createTestProbe();
        final TestProbe<DeleteRecordsReply> deleteProbe = testKit.createTestProbe();
        final TestProbe<Status> statusProbe = testKit.createTestProbe();
        final TestProbe<PartitionProtocol.OffsetForLeaderEpochReply> epochProbe = testKit.createTestProbe();
        final TestProbe<PartitionProtocol.DescribeProducersReply> producersProbe = testKit.createTestProbe();
        final TestProbe<PartitionProtocol.ReplicaFetchReply> replicaFetchProbe = testKit.createTestProbe();
        final List<Object> samples = new ArrayList<>(List.of(
            TP,
            new Produce(TP, (short)-1, Batches.idempotent(11, (short)2, 40, 3), produceProbe.ref()),
            new Produce(TP, (short)0, Batches.plain(1, 5), null),
            new Fetch(TP, 12, 1 << 20, 1, 500, fetchProbe.ref()),
            new PartitionProtocol.CancelFetch(TP, fetchProbe.ref()),
            new ListOffsets(TP, OffsetSpec.BY_TIMESTAMP, 1_700_000_000_000L, listProbe.ref()),
            new DeleteRecords(TP, -1, deleteProbe.ref()),
            new GetStatus(statusProbe.ref()),
            new PartitionProtocol.LeaderAndIsr(TP, 2, 5, 9, List.of(2, 3), List.of(1, 2, 3)),
            new PartitionProtocol.ReplicaFetch(TP, 3, 120, 4, 5, 1 << 20, 500, replicaFetchProbe.ref()),
            new PartitionProtocol.ReplicaFetched(TP, 5, 120, Batches.plain(2, 5), 118, 0, 122,
                PartitionProtocol.ReplicaFetched.NOT_DIVERGING, -1),
            new PartitionProtocol.ReplicaFetched(TP, 5, 120, new byte[0], 118, 0, 122, 4, 110),
            new Rejected(TP, ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, "the ISR shrank"),
            new Appended(TP, 42, -1, 3),
            new Fetched(TP, Batches.plain(2, 5), 44, 3),
            new Fetched(TP, new byte[0], 44, 3),
            new OffsetFound(TP, -1, -1),
            new RecordsDeleted(TP, 9),
            new Rejected(TP, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, "a batch is missing"),
            new Status(TP, 5, 3, 44, 44, 2, 4096, 1, 0),
            new PartitionProtocol.OffsetForLeaderEpoch(TP, 3, epochProbe.ref()),
            new PartitionProtocol.EpochEndOffset(TP, 2, 1_000),
            new PartitionProtocol.DescribeProducers(TP, producersProbe.ref()),
            new PartitionProtocol.ActiveProducer(17, (short)2, 41, 99),
            new PartitionProtocol.ProducersDescribed(TP, List.of(
                new PartitionProtocol.ActiveProducer(17, (short)2, 41, 99), new PartitionProtocol.ActiveProducer(18, (short)0, -1, -1))),
            new PartitionProtocol.ProducersDescribed(TP, List.of())));
        // The enums and TopicPartition are not messages themselves: they round-trip inside messages.
        for (final OffsetSpec spec : OffsetSpec.values())
        {
            samples.add(spec);
            samples.add(new ListOffsets(TP, spec, 0, listProbe.ref()));
        }
        for (final ErrorCode code : ErrorCode.values())
        {
            samples.add(code);
            samples.add(new Rejected(TP, code, "because " + code));
        }
        return samples;
    }

    @Test
    void shouldRoundTripEveryMessageThroughKryo()
    {
        final Serialization serialization = SerializationExtension.get(testKit.system());
        for (final Object sample : samples())
        {
            if (!(sample instanceof MillraceMessage))
            {
                continue;
            }
            final Serializer serializer = serialization.findSerializerFor(sample);
            assertInstanceOf(KryoPekkoSerializer.class, serializer, () -> sample.getClass() + " is not bound to Kryo");
            final byte[] bytes = serializer.toBinary(sample);
            final Object copy =
                serialization.deserialize(bytes, serializer.identifier(), Serializers.manifestFor(serializer, sample)).get();
            assertEquals(sample, copy, () -> "round trip changed " + sample);
        }
    }

    @Test
    void shouldHaveASampleOfEveryRegisteredPartitionClassWithinItsIdBlock()
    {
        final Serialization serialization = SerializationExtension.get(testKit.system());
        final KryoPekkoSerializer kryo =
            (KryoPekkoSerializer)serialization.serializerByIdentity().get(KryoPekkoSerializer.IDENTIFIER).get();
        final Set<Class<?>> sampled = new HashSet<>();
        for (final Object sample : samples())
        {
            sampled.add(sample instanceof Enum<?> e ? e.getDeclaringClass() : sample.getClass());
        }
        final List<String> missing = new ArrayList<>();
        int registered = 0;
        for (final Map.Entry<Class<?>, Integer> entry : kryo.settings().registry().registrations().entrySet())
        {
            if (entry.getKey().getName().startsWith(PACKAGE))
            {
                registered++;
                final int id = entry.getValue();
                // 5210-5219: the messages the Kafka listener added, in the block it was given.
                assertTrue(id >= 2000 && id <= 2999 || id >= 5210 && id <= 5219,
                    () -> entry.getKey() + " has id " + id + " outside 2000-2999 and 5210-5219");
                if (!sampled.contains(entry.getKey()))
                {
                    missing.add(entry.getKey().getName());
                }
            }
        }
        assertTrue(missing.isEmpty(), () -> "registered without a round-trip sample: " + missing);
        assertEquals(sampled.size(), registered, "every sampled class is registered");
    }

    /**
     * The local-only fetch has no serializer (not a MillraceMessage, Java serialization off): a remote send fails in
     * the sender's transport with this exception, logged, instead of shipping a file channel.
     */
    @Test
    void shouldRefuseToSerializeTheLocalOnlyFetchAndItsReply()
    {
        final Serialization serialization = SerializationExtension.get(testKit.system());
        final TestProbe<FetchLocalReply> probe = testKit.createTestProbe();
        final List<Object> localOnly = List.of(
            new FetchLocal(TP, 0, 1 << 20, 1, 500, probe.ref()),
            new FetchedRegion(TP, null, 0, 0, -1, 0, 0, 0));
        for (final Object message : localOnly)
        {
            assertFalse(message instanceof MillraceMessage, message::toString);
            final NotSerializableException refused =
                assertThrows(NotSerializableException.class, () -> serialization.serialize(message).get());
            assertTrue(refused.getMessage().contains(message.getClass().getName()), refused::getMessage);
        }
    }

    @Test
    void shouldMirrorKafkaErrorNamesAndCodes()
    {
        for (final ErrorCode code : ErrorCode.values())
        {
            assertEquals(Errors.valueOf(code.name()).code(), code.kafkaCode(), code::name);
        }
    }
}
