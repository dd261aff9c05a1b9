package dev.millrace.broker.node;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.millrace.broker.controller.ControllerProtocol;
import dev.millrace.broker.controller.ControllerProtocol.AlterTopicConfigsReply;
import dev.millrace.broker.controller.ControllerProtocol.AllocateProducerIdsReply;
import dev.millrace.broker.controller.ControllerProtocol.CreateTopicReply;
import dev.millrace.broker.controller.ControllerProtocol.DescribeTopicReply;
import dev.millrace.broker.controller.ControllerProtocol.ProducerIdBlock;
import dev.millrace.broker.controller.ControllerProtocol.TopicConfigsAccepted;
import dev.millrace.broker.controller.ControllerProtocol.TopicDescription;
import dev.millrace.broker.controller.ControllerProtocol.TopicCreationAccepted;
import dev.millrace.broker.controller.ControllerProtocol.TopicListing;
import dev.millrace.broker.group.CommittedOffset;
import dev.millrace.broker.group.GroupCoordinator;
import dev.millrace.broker.group.GroupCoordinator.GroupAck;
import dev.millrace.broker.group.GroupCoordinator.OffsetFetchResponse;
import dev.millrace.broker.group.GroupError;
import dev.millrace.broker.group.OffsetAndMetadata;
import dev.millrace.broker.partition.PartitionProtocol;
import dev.millrace.broker.partition.PartitionProtocol.Appended;
import dev.millrace.broker.partition.PartitionProtocol.FetchReply;
import dev.millrace.broker.partition.PartitionProtocol.Fetched;
import dev.millrace.broker.partition.PartitionProtocol.ProduceReply;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import dev.millrace.serialization.batch.RecordBatchFlyweight;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every batch a node acknowledged (acks = 1), the topic itself and its altered configs, a group's committed offsets
 * and the producer-id blocks handed out survive a {@code kill -9} of the node's JVM, also one that hits while hundreds
 * of produce requests are in flight to a topic with {@code fsync-on-ack}.
 *
 * <p>Starts {@link BrokerNodeMain} in a real child JVM ({@code -D} options for the data directory and port 0), waits
 * for its "millrace node started" line, and talks to its {@link Broker} over Artery from a small client actor system
 * in this JVM (remote provider, Kryo-serialized messages). It creates a topic, produces batches to every partition,
 * commits offsets for a group, allocates a producer-id block and alters a topic config, kills the child with SIGKILL,
 * starts a new child on the same data directory, and fetches every partition back: byte for byte the acknowledged
 * batches; the committed offsets, the altered config and the group are still there, and a new producer-id block
 * starts after the old one. Finally it stops the second child with SIGTERM, which must end the JVM
 * through Coordinated Shutdown.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class NodeKillDashNineITCase
{
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final int START_WAIT_SECONDS = 60;
    private static final String EOF = "\u0000EOF";
    private static final Pattern ADDRESS = Pattern.compile(" at (pekko://\\S+), data in ");
    private static final String TOPIC = "payments";
    private static final int PARTITIONS = 3;
    private static final int BATCHES_PER_PARTITION = 10;
    private static final String GROUP = "reconciliation";
    private static final Map<String, String> CREATED = Map.of("fsync-on-ack", "true");
    private static final Map<String, String> ALTERED = Map.of("retention.ms", "86400000");
    /** Batches sent to partition 0 back to back, without waiting, while the node is killed. */
    private static final int STREAMED_BATCHES = 400;
    /** Acknowledgements of the stream received before the kill. */
    private static final int STREAMED_ACKS_BEFORE_KILL = 100;

    @TempDir
    Path dataDir;

    @Test
    void shouldKeepEveryAcknowledgedBatchAcrossKillDashNine() throws Exception
    {
        final ActorTestKit client = ActorTestKit.create("client", clientConfig());
        try
        {
            final List<List<byte[]>> stored = new ArrayList<>();
            final Map<TopicPartition, OffsetAndMetadata> committed = new HashMap<>();
            final ProducerIdBlock firstBlock;
            final List<byte[]> streamBatches = new ArrayList<>();
            int streamAcked = 0;
            final ChildNode first = ChildNode.start(dataDir, "first");
            try
            {
                final ActorRef<Broker.Command> broker = first.broker(client);
                final TestProbe<CreateTopicReply> created = client.createTestProbe();
                broker.tell(new Broker.CreateTopic(TOPIC, PARTITIONS, 1, CREATED, created.ref()));
                created.expectMessageClass(TopicCreationAccepted.class, WAIT);
                for (int p = 0; p < PARTITIONS; p++)
                {
                    final TopicPartition tp = new TopicPartition(TOPIC, p);
                    final List<byte[]> batches = new ArrayList<>();
                    final TestProbe<ProduceReply> produced = client.createTestProbe();
                    for (int b = 0; b < BATCHES_PER_PARTITION; b++)
                    {
                        final byte[] batch = NodeBatches.batch("p" + p + "b" + b, 1 + b % 4, 1_000L * b);
                        broker.tell(new Broker.Produce(new PartitionProtocol.Produce(tp, (short)1, batch, produced.ref())));
                        final Appended appended = assertInstanceOf(Appended.class, produced.receiveMessage(WAIT));
                        batches.add(NodeBatches.stored(batch, appended.baseOffset(), 0));
                    }
                    stored.add(batches);
                    committed.put(tp, new OffsetAndMetadata(3L + p, -1, "before kill " + p));
                }

                final TestProbe<GroupAck> ack = client.createTestProbe();
                broker.tell(new Broker.OffsetCommit(GROUP, new GroupCoordinator.OffsetCommit(
                    -1, "", Optional.empty(), committed, ack.ref())));
                assertEquals(GroupError.NONE, ack.receiveMessage(WAIT).error());

                final TestProbe<AllocateProducerIdsReply> ids = client.createTestProbe();
                broker.tell(new Broker.AllocateProducerIds(ControllerProtocol.DEFAULT, ids.ref()));
                firstBlock = ids.expectMessageClass(ProducerIdBlock.class, WAIT);

                final TestProbe<AlterTopicConfigsReply> altered = client.createTestProbe();
                broker.tell(new Broker.AlterConfigs(TOPIC, ALTERED, List.of(), altered.ref()));
                altered.expectMessageClass(TopicConfigsAccepted.class, WAIT);

                // Mid-stream: many produce requests in flight to partition 0 when the JVM dies.
                final TopicPartition tp = new TopicPartition(TOPIC, 0);
                final TestProbe<ProduceReply> streamed = client.createTestProbe();
                for (int b = 0; b < STREAMED_BATCHES; b++)
                {
                    final byte[] batch = NodeBatches.batch("stream" + b, 1 + b % 3, 5_000_000L + b);
                    streamBatches.add(batch);
                    broker.tell(new Broker.Produce(new PartitionProtocol.Produce(tp, (short)1, batch, streamed.ref())));
                }
                long expectedOffset = -1;
                for (int a = 0; a < STREAMED_ACKS_BEFORE_KILL; a++)
                {
                    final Appended appended = assertInstanceOf(Appended.class, streamed.receiveMessage(WAIT));
                    if (expectedOffset >= 0)
                    {
                        assertEquals(expectedOffset, appended.baseOffset(), "acks come in order");
                    }
                    expectedOffset = appended.baseOffset() + 1 + a % 3;
                    streamAcked++;
                }
            }
            finally
            {
                first.kill();
            }

            final ChildNode second = ChildNode.start(dataDir, "second");
            try
            {
                final ActorRef<Broker.Command> broker = second.broker(client);
                final TestProbe<TopicListing> listed = client.createTestProbe();
                broker.tell(new Broker.ListTopics(listed.ref()));
                assertEquals(List.of(TOPIC), listed.expectMessageClass(TopicListing.class, WAIT).names());
                for (int p = 1; p < PARTITIONS; p++)
                {
                    final TestProbe<FetchReply> fetched = client.createTestProbe();
                    broker.tell(new Broker.Fetch(new PartitionProtocol.Fetch(
                        new TopicPartition(TOPIC, p), 0, 1 << 20, 0, 0, fetched.ref())));
                    final Fetched reply = assertInstanceOf(Fetched.class, fetched.receiveMessage(WAIT));
                    assertArrayEquals(NodeBatches.concat(stored.get(p).toArray(byte[][]::new)), reply.records(),
                        "partition " + p);
                }
                assertStreamSurvived(client, broker, stored.get(0), streamBatches, streamAcked);

                final TestProbe<OffsetFetchResponse> offsets = client.createTestProbe();
                broker.tell(new Broker.OffsetFetch(GROUP, new GroupCoordinator.OffsetFetch(Optional.empty(), offsets.ref())));
                final Map<TopicPartition, CommittedOffset> recovered = offsets.receiveMessage(WAIT).offsets();
                assertEquals(committed.keySet(), recovered.keySet());
                committed.forEach((tp, offset) ->
                {
                    assertEquals(offset.offset(), recovered.get(tp).offset(), tp.toString());
                    assertEquals(offset.metadata(), recovered.get(tp).metadata(), tp.toString());
                });
                final TestProbe<GroupDirectory.GroupListing> groups = client.createTestProbe();
                broker.tell(new Broker.ListGroups(groups.ref()));
                assertEquals(List.of(GROUP), groups.receiveMessage(WAIT).groupIds());

                final TestProbe<AllocateProducerIdsReply> ids = client.createTestProbe();
                broker.tell(new Broker.AllocateProducerIds(ControllerProtocol.DEFAULT, ids.ref()));
                final ProducerIdBlock secondBlock = ids.expectMessageClass(ProducerIdBlock.class, WAIT);
                assertTrue(secondBlock.firstProducerId() > firstBlock.lastProducerId(),
                    "block " + secondBlock + " overlaps " + firstBlock);

                final TestProbe<DescribeTopicReply> described = client.createTestProbe();
                broker.tell(new Broker.DescribeTopic(TOPIC, described.ref()));
                final Map<String, String> configs = new HashMap<>(CREATED);
                configs.putAll(ALTERED);
                assertEquals(configs, described.expectMessageClass(TopicDescription.class, WAIT).topic().configs());

                second.terminate();
            }
            finally
            {
                second.kill();
            }
        }
        finally
        {
            client.shutdownTestKit();
        }
    }

    /**
     * Partition 0 holds its first batches, then the streamed batches in the order sent: every acknowledged one, and
     * after them possibly some that were written but not yet acknowledged at the kill — never a gap, a duplicate or
     * a torn batch.
     */
    private static void assertStreamSurvived(
        final ActorTestKit client, final ActorRef<Broker.Command> broker, final List<byte[]> before,
        final List<byte[]> streamBatches, final int acked)
    {
        final TestProbe<FetchReply> fetched = client.createTestProbe();
        broker.tell(new Broker.Fetch(new PartitionProtocol.Fetch(
            new TopicPartition(TOPIC, 0), 0, 8 << 20, 0, 0, fetched.ref())));
        final byte[] records = assertInstanceOf(Fetched.class, fetched.receiveMessage(WAIT)).records();

        final List<byte[]> expected = new ArrayList<>(before);
        long nextOffset = 0;
        for (final byte[] batch : before)
        {
            nextOffset += new RecordBatchFlyweight().wrap(new UnsafeBuffer(batch), 0).lastOffsetDelta() + 1;
        }
        int survived = -1;
        for (int n = 0; n <= streamBatches.size(); n++)
        {
            if (NodeBatches.concat(expected.toArray(byte[][]::new)).length == records.length)
            {
                survived = n;
                break;
            }
            if (n == streamBatches.size())
            {
                break;
            }
            final byte[] batch = streamBatches.get(n);
            expected.add(NodeBatches.stored(batch, nextOffset, 0));
            nextOffset += new RecordBatchFlyweight().wrap(new UnsafeBuffer(batch), 0).lastOffsetDelta() + 1;
        }
        assertTrue(survived >= acked, "partition 0 holds " + records.length + " bytes: not a whole prefix of the " +
            "stream with at least the " + acked + " acknowledged batches (found " + survived + ")");
        assertArrayEquals(NodeBatches.concat(expected.toArray(byte[][]::new)), records, "partition 0 after the kill");
    }

    private static Config clientConfig()
    {
        return ConfigFactory.parseMap(Map.of(
                "pekko.actor.provider", "remote",
                "pekko.remote.artery.transport", "tcp",
                "pekko.remote.artery.canonical.hostname", "127.0.0.1",
                "pekko.remote.artery.canonical.port", 0))
            .withFallback(ConfigFactory.load());
    }

    /** A {@link BrokerNodeMain} in a child JVM: our own process, stopped only by its handle. */
    private record ChildNode(Process process, String address, Path stderr)
    {
        static ChildNode start(final Path dataDir, final String name) throws IOException, InterruptedException
        {
            final Path stderr = dataDir.resolve(name + "-stderr.log");
            final String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            final List<String> command = List.of(
                java,
                "-Xmx256m",
                "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
                "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
                "-Dmillrace.broker.node.data-dir=" + dataDir.resolve("node"),
                "-Dmillrace.broker.node.port=0",
                "-cp", System.getProperty("java.class.path"),
                BrokerNodeMain.class.getName());
            final Process process = new ProcessBuilder(command)
                .redirectError(stderr.toFile())
                .redirectInput(ProcessBuilder.Redirect.PIPE)
                .start();
            final BlockingQueue<String> lines = drain(process, name);
            final long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(START_WAIT_SECONDS);
            while (true)
            {
                final long remainingNs = deadlineNs - System.nanoTime();
                final String line = remainingNs > 0 ? lines.poll(remainingNs, TimeUnit.NANOSECONDS) : null;
                if (line == null || line.equals(EOF))
                {
                    process.destroyForcibly();
                    fail("node " + name + " did not start within " + START_WAIT_SECONDS + " s; stderr:\n" + tail(stderr));
                }
                if (line.startsWith(BrokerNodeMain.STARTED))
                {
                    final Matcher matcher = ADDRESS.matcher(line);
                    assertTrue(matcher.find(), "no address in: " + line);
                    return new ChildNode(process, matcher.group(1), stderr);
                }
            }
        }

        ActorRef<Broker.Command> broker(final ActorTestKit client)
        {
            return ActorRefResolver.get(client.system()).resolveActorRef(address + BrokerNode.BROKER_PATH);
        }

        /** SIGTERM: Coordinated Shutdown must end the JVM. */
        void terminate() throws InterruptedException
        {
            process.destroy();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "node did not stop within 30 s of SIGTERM");
            final int exit = process.exitValue();
            assertTrue(exit == 143 || exit == 0, "exit value " + exit + "; stderr:\n" + tail(stderr));
        }

        /** SIGKILL: no shutdown hooks, no log or RocksDB close. */
        void kill() throws InterruptedException
        {
            process.destroyForcibly();
            assertTrue(process.waitFor(30, TimeUnit.SECONDS), "node did not die within 30 s of SIGKILL");
        }
    }

    private static BlockingQueue<String> drain(final Process child, final String name)
    {
        final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
        final Thread reader = new Thread(
            () ->
            {
                try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)))
                {
                    String line;
                    while ((line = in.readLine()) != null)
                    {
                        lines.add(line);
                    }
                }
                catch (final IOException ignored)
                {
                    // The stream closes when the child dies.
                }
                lines.add(EOF);
            },
            "node-" + name + "-stdout");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }

    private static String tail(final Path log)
    {
        try
        {
            final List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", all.subList(Math.max(0, all.size() - 40), all.size()));
        }
        catch (final IOException ex)
        {
            return "<unreadable: " + ex + ">";
        }
    }
}
