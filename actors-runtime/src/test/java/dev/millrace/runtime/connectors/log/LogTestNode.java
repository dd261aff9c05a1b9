package dev.millrace.runtime.connectors.log;

import com.typesafe.config.ConfigFactory;
import dev.millrace.broker.controller.ControllerProtocol.CreateTopicReply;
import dev.millrace.broker.controller.ControllerProtocol.TopicCreationAccepted;
import dev.millrace.broker.group.GroupCoordinator;
import dev.millrace.broker.group.GroupCoordinator.GroupAck;
import dev.millrace.broker.group.GroupError;
import dev.millrace.broker.group.OffsetAndMetadata;
import dev.millrace.broker.node.Broker;
import dev.millrace.broker.node.BrokerNode;
import dev.millrace.broker.partition.PartitionProtocol;
import dev.millrace.broker.partition.PartitionProtocol.Appended;
import dev.millrace.broker.partition.PartitionProtocol.FetchReply;
import dev.millrace.broker.partition.PartitionProtocol.Fetched;
import dev.millrace.broker.partition.PartitionProtocol.ProduceReply;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import dev.millrace.serialization.batch.RecordBatchBuilder;
import dev.millrace.serialization.batch.RecordBatchReader;
import dev.millrace.serialization.batch.RecordFlyweight;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/**
 * A one-node broker in the test's JVM, with helpers that write and read topics through the Broker facade (the
 * same actor API the connectors use, but written independently of them).
 */
final class LogTestNode implements AutoCloseable
{
    private static final Duration WAIT = Duration.ofSeconds(20);

    /** A record to write or as read. */
    record Entry(String key, String value, long timestampMs)
    {
    }

    private final BrokerNode node;

    LogTestNode(final Path dataDir)
    {
        node = BrokerNode.start(ConfigFactory.parseMap(Map.of(
                "millrace.broker.node.data-dir", dataDir.toString(),
                "millrace.broker.node.port", 0,
                "millrace.broker.node.start-timeout", "30s",
                "millrace.broker.group.initial-rebalance-delay", "0s"))
            .withFallback(ConfigFactory.load()));
    }

    ActorSystem<Void> system()
    {
        return node.system();
    }

    ActorRef<Broker.Command> broker()
    {
        return node.broker();
    }

    void createTopic(final String topic, final int partitions, final Map<String, String> configs)
    {
        final TestProbe<CreateTopicReply> created = TestProbe.create(node.system());
        node.broker().tell(new Broker.CreateTopic(topic, partitions, 1, configs, created.ref()));
        created.expectMessageClass(TopicCreationAccepted.class, WAIT);
    }

    /** Appends the entries to one partition as one batch; returns the base offset. */
    long produce(final String topic, final int partition, final List<Entry> entries)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(1024);
        final RecordBatchBuilder builder = new RecordBatchBuilder().wrap(buffer, 0, Integer.MAX_VALUE);
        for (final Entry entry : entries)
        {
            builder.append(entry.timestampMs(), entry.key() == null ? null : entry.key().getBytes(StandardCharsets.UTF_8),
                entry.value().getBytes(StandardCharsets.UTF_8));
        }
        final byte[] batch = new byte[builder.build()];
        buffer.getBytes(0, batch);
        final TestProbe<ProduceReply> reply = TestProbe.create(node.system());
        node.broker().tell(new Broker.Produce(new PartitionProtocol.Produce(new TopicPartition(topic, partition),
            (short)-1, batch, reply.ref())));
        return assertInstanceOf(Appended.class, reply.receiveMessage(WAIT)).baseOffset();
    }

    /** Every record of a partition up to its high watermark, in offset order. */
    List<Entry> readAll(final String topic, final int partition)
    {
        final List<Entry> entries = new ArrayList<>();
        final RecordBatchReader reader = new RecordBatchReader();
        final TestProbe<FetchReply> reply = TestProbe.create(node.system());
        long position = 0;
        while (true)
        {
            node.broker().tell(new Broker.Fetch(new PartitionProtocol.Fetch(new TopicPartition(topic, partition),
                position, 1 << 20, 0, 0, reply.ref())));
            final Fetched fetched = assertInstanceOf(Fetched.class, reply.receiveMessage(WAIT));
            if (position >= fetched.highWatermark())
            {
                return entries;
            }
            final UnsafeBuffer buffer = new UnsafeBuffer(fetched.records());
            int at = 0;
            while (at < fetched.records().length)
            {
                reader.wrap(buffer, at, fetched.records().length - at, at);
                while (reader.next())
                {
                    final RecordFlyweight record = reader.record();
                    if (record.offset() >= position)
                    {
                        entries.add(new Entry(
                            record.keyLength() < 0 ? null
                                : record.buffer().getStringWithoutLengthUtf8(record.keyOffset(), record.keyLength()),
                            record.buffer().getStringWithoutLengthUtf8(record.valueOffset(), record.valueLength()),
                            record.timestamp()));
                    }
                }
                position = Math.max(position, reader.batch().nextOffset());
                at += reader.batch().sizeInBytes();
            }
        }
    }

    /** Commits an offset for a group with no members (a simple commit). */
    void commit(final String groupId, final String topic, final int partition, final long offset)
    {
        final TestProbe<GroupAck> ack = TestProbe.create(node.system());
        node.broker().tell(new Broker.OffsetCommit(groupId, new GroupCoordinator.OffsetCommit(-1, "", Optional.empty(),
            Map.of(new TopicPartition(topic, partition), OffsetAndMetadata.of(offset)), ack.ref())));
        assertEquals(GroupError.NONE, ack.receiveMessage(WAIT).error());
    }

    @Override
    public void close()
    {
        node.close();
    }
}
