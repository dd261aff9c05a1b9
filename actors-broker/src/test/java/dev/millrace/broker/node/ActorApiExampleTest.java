package dev.millrace.broker.node;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.typesafe.config.ConfigFactory;
import dev.millrace.broker.controller.ControllerProtocol.CreateTopicReply;
import dev.millrace.broker.controller.ControllerProtocol.TopicCreationAccepted;
import dev.millrace.broker.group.CommittedOffset;
import dev.millrace.broker.group.GroupCoordinator;
import dev.millrace.broker.group.GroupCoordinator.GroupAck;
import dev.millrace.broker.group.GroupCoordinator.GroupDescription;
import dev.millrace.broker.group.GroupCoordinator.JoinGroupResponse;
import dev.millrace.broker.group.GroupCoordinator.JoinedMember;
import dev.millrace.broker.group.GroupCoordinator.OffsetFetchResponse;
import dev.millrace.broker.group.GroupCoordinator.SyncGroupResponse;
import dev.millrace.broker.group.GroupError;
import dev.millrace.broker.group.GroupState;
import dev.millrace.broker.group.MemberProtocol;
import dev.millrace.broker.group.OffsetAndMetadata;
import dev.millrace.broker.partition.PartitionProtocol;
import dev.millrace.broker.partition.PartitionProtocol.Appended;
import dev.millrace.broker.partition.PartitionProtocol.FetchReply;
import dev.millrace.broker.partition.PartitionProtocol.Fetched;
import dev.millrace.broker.partition.PartitionProtocol.ProduceReply;
import dev.millrace.broker.partition.PartitionProtocol.Rejected;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import dev.millrace.serialization.batch.RecordBatchBuilder;
import dev.millrace.serialization.batch.RecordBatchReader;
import dev.millrace.serialization.batch.RecordFlyweight;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The two examples of {@code docs/actor-api.md}, compiled and run: {@link ExampleProducer} produces records through
 * the {@link Broker} facade, {@link ExampleConsumer} consumes them as a member of a consumer group (JoinGroup,
 * SyncGroup, a Fetch loop, OffsetCommit, a Heartbeat timer). Keep the doc and this file in step.
 */
class ActorApiExampleTest
{
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final String TOPIC = "orders";

    @TempDir
    Path dataDir;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void shouldConsumeWithAGroupWhatTheProducerProducedAndCommitTheOffsets()
    {
        try (BrokerNode node = BrokerNode.start(
            ConfigFactory.parseMap(Map.of("millrace.broker.group.initial-rebalance-delay", "0s"))
                .withFallback(BrokerNodeTest.nodeConfig(dataDir))))
        {
            final ActorRef<Broker.Command> broker = node.broker();
            final TestProbe<CreateTopicReply> created = TestProbe.create(node.system());
            broker.tell(new Broker.CreateTopic(TOPIC, 2, 1, Map.of(), created.ref()));
            created.expectMessageClass(TopicCreationAccepted.class, WAIT);

            final TestProbe<Long> offsets = TestProbe.create(node.system());
            for (int p = 0; p < 2; p++)
            {
                final ActorRef<ExampleProducer.Command> producer = node.system().systemActorOf(
                    ExampleProducer.create(broker, new TopicPartition(TOPIC, p)), "producer-" + p, Props.empty());
                for (int i = 0; i < 3; i++)
                {
                    producer.tell(new ExampleProducer.Send("k" + i, "p" + p + "-v" + i, offsets.ref()));
                    assertEquals(i, offsets.receiveMessage(WAIT));
                }
            }

            final TestProbe<String> consumed = TestProbe.create(node.system());
            final ActorRef<ExampleConsumer.Command> consumer = node.system().systemActorOf(
                ExampleConsumer.create(broker, "billing", TOPIC, 2, consumed.ref()), "consumer", Props.empty());
            final Set<String> values = new HashSet<>();
            for (int i = 0; i < 6; i++)
            {
                values.add(consumed.receiveMessage(WAIT));
            }
            assertEquals(Set.of("p0-v0", "p0-v1", "p0-v2", "p1-v0", "p1-v1", "p1-v2"), values);

            final TestProbe<OffsetFetchResponse> committed = TestProbe.create(node.system());
            final TestProbe<GroupDescription> described = TestProbe.create(node.system());
            committed.awaitAssert(WAIT, () ->
            {
                broker.tell(new Broker.OffsetFetch("billing",
                    new GroupCoordinator.OffsetFetch(Optional.empty(), committed.ref())));
                final Map<TopicPartition, CommittedOffset> found = committed.receiveMessage(WAIT).offsets();
                assertEquals(3, found.get(new TopicPartition(TOPIC, 0)).offset());
                assertEquals(3, found.get(new TopicPartition(TOPIC, 1)).offset());
                broker.tell(new Broker.DescribeGroup("billing", described.ref()));
                final GroupDescription description = described.receiveMessage(WAIT);
                assertEquals(GroupState.STABLE, description.state());
                assertEquals(1, description.members().size());
                assertEquals(0, description.totalLag());
                return null;
            });

            consumer.tell(ExampleConsumer.Stop.INSTANCE);
            consumed.expectTerminated(consumer, WAIT);
            described.awaitAssert(WAIT, () ->
            {
                broker.tell(new Broker.DescribeGroup("billing", described.ref()));
                assertEquals(GroupState.EMPTY, described.receiveMessage(WAIT).state());
                return null;
            });
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // docs/actor-api.md, example 1

    /** Produces one record per {@link Send} to one partition through the Broker facade. */
    public static final class ExampleProducer extends AbstractBehavior<ExampleProducer.Command>
    {
        public sealed interface Command permits Send, ProduceResult
        {
        }

        /** @param replyTo receives the record's offset, or -1 when it was not appended */
        public record Send(String key, String value, ActorRef<Long> replyTo) implements Command
        {
        }

        private record ProduceResult(ProduceReply reply, Throwable failure, Send send) implements Command
        {
        }

        private final ActorRef<Broker.Command> broker;
        private final TopicPartition partition;
        private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64 * 1024]);
        private final RecordBatchBuilder builder = new RecordBatchBuilder();

        private ExampleProducer(
            final ActorContext<Command> context, final ActorRef<Broker.Command> broker, final TopicPartition partition)
        {
            super(context);
            this.broker = broker;
            this.partition = partition;
        }

        public static Behavior<Command> create(final ActorRef<Broker.Command> broker, final TopicPartition partition)
        {
            return Behaviors.setup(context -> new ExampleProducer(context, broker, partition));
        }

        @Override
        public Receive<Command> createReceive()
        {
            return newReceiveBuilder()
                .onMessage(Send.class, this::onSend)
                .onMessage(ProduceResult.class, this::onProduceResult)
                .build();
        }

        private Behavior<Command> onSend(final Send send)
        {
            builder.wrap(buffer, 0, buffer.capacity());
            if (!builder.append(System.currentTimeMillis(), send.key().getBytes(StandardCharsets.UTF_8),
                send.value().getBytes(StandardCharsets.UTF_8)))
            {
                send.replyTo().tell(-1L);
                return this;
            }
            final byte[] batch = new byte[builder.build()];
            buffer.getBytes(0, batch);
            getContext().ask(
                ProduceReply.class, broker, Duration.ofSeconds(10),
                replyTo -> new Broker.Produce(new PartitionProtocol.Produce(partition, (short)1, batch, replyTo)),
                (reply, failure) -> new ProduceResult(reply, failure, send));
            return this;
        }

        private Behavior<Command> onProduceResult(final ProduceResult result)
        {
            if (result.reply() instanceof Appended appended)
            {
                result.send().replyTo().tell(appended.baseOffset());
            }
            else if (result.reply() instanceof Rejected rejected)
            {
                // e.g. MESSAGE_TOO_LARGE, or NOT_LEADER_OR_FOLLOWER (retriable): the message says what to do.
                getContext().getLog().warn("not appended: {} {}", rejected.error(), rejected.message());
                result.send().replyTo().tell(-1L);
            }
            else
            {
                getContext().getLog().warn("no reply from the broker", result.failure());
                result.send().replyTo().tell(-1L);
            }
            return this;
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // docs/actor-api.md, example 2

    /**
     * A consumer group member: joins, takes the partitions the leader assigns (the leader deals the topic's
     * partitions out round-robin), fetches from the committed offsets, sends each record's value to
     * {@code records}, commits after each fetch and heartbeats every 3 s.
     */
    public static final class ExampleConsumer extends AbstractBehavior<ExampleConsumer.Command>
    {
        public sealed interface Command
            permits Stop, Joined, Synced, OffsetsFetched, FetchResult, FetchAgain, Acked, HeartbeatTick
        {
        }

        /** Leave the group and stop. */
        public enum Stop implements Command
        {
            INSTANCE
        }

        private record Joined(JoinGroupResponse reply, Throwable failure) implements Command
        {
        }

        private record Synced(SyncGroupResponse reply, Throwable failure) implements Command
        {
        }

        private record OffsetsFetched(OffsetFetchResponse reply, Throwable failure, int generation) implements Command
        {
        }

        private record FetchResult(FetchReply reply, Throwable failure, TopicPartition partition, int generation)
            implements Command
        {
        }

        private record FetchAgain(TopicPartition partition, int generation) implements Command
        {
        }

        private record Acked(GroupAck reply, Throwable failure, int generation) implements Command
        {
        }

        private enum HeartbeatTick implements Command
        {
            INSTANCE
        }

        private static final Duration ASK_TIMEOUT = Duration.ofSeconds(30);
        private static final int SESSION_TIMEOUT_MS = 10_000;

        private final ActorRef<Broker.Command> broker;
        private final String groupId;
        private final String topic;
        private final int partitionCount;
        private final ActorRef<String> records;
        private final TimerScheduler<Command> timers;
        private final RecordBatchReader reader = new RecordBatchReader();
        private final Map<TopicPartition, Long> positions = new HashMap<>();
        private String memberId = "";
        private int generation = -1;

        private ExampleConsumer(
            final ActorContext<Command> context, final TimerScheduler<Command> timers, final ActorRef<Broker.Command> broker,
            final String groupId, final String topic, final int partitionCount, final ActorRef<String> records)
        {
            super(context);
            this.timers = timers;
            this.broker = broker;
            this.groupId = groupId;
            this.topic = topic;
            this.partitionCount = partitionCount;
            this.records = records;
            join();
        }

        public static Behavior<Command> create(
            final ActorRef<Broker.Command> broker, final String groupId, final String topic, final int partitionCount,
            final ActorRef<String> records)
        {
            return Behaviors.setup(context -> Behaviors.withTimers(
                timers -> new ExampleConsumer(context, timers, broker, groupId, topic, partitionCount, records)));
        }

        @Override
        public Receive<Command> createReceive()
        {
            return newReceiveBuilder()
                .onMessage(Joined.class, this::onJoined)
                .onMessage(Synced.class, this::onSynced)
                .onMessage(OffsetsFetched.class, this::onOffsetsFetched)
                .onMessage(FetchResult.class, this::onFetchResult)
                .onMessage(Acked.class, this::onAcked)
                .onMessage(HeartbeatTick.class, this::onHeartbeatTick)
                .onMessage(FetchAgain.class, this::onFetchAgain)
                .onMessage(Stop.class, this::onStop)
                .build();
        }

        private void join()
        {
            generation = -1;
            positions.clear();
            timers.cancel(HeartbeatTick.INSTANCE);
            final List<MemberProtocol> protocols = List.of(
                new MemberProtocol("round-robin", topic.getBytes(StandardCharsets.UTF_8)));
            getContext().ask(
                JoinGroupResponse.class, broker, ASK_TIMEOUT,
                replyTo -> new Broker.JoinGroup(groupId, new GroupCoordinator.JoinGroup(memberId, Optional.empty(),
                    "example", "localhost", "consumer", protocols, SESSION_TIMEOUT_MS, SESSION_TIMEOUT_MS, replyTo)),
                Joined::new);
        }

        private Behavior<Command> onJoined(final Joined joined)
        {
            final JoinGroupResponse reply = joined.reply();
            if (reply == null || reply.error() == GroupError.UNKNOWN_MEMBER_ID)
            {
                memberId = "";
                join();
                return this;
            }
            if (reply.error() != GroupError.NONE)
            {
                // Not retriable (e.g. INVALID_SESSION_TIMEOUT, INCONSISTENT_GROUP_PROTOCOL): the message says why.
                getContext().getLog().error("cannot join group {}: {} {}", groupId, reply.error(), reply.message());
                return Behaviors.stopped();
            }
            memberId = reply.memberId();
            generation = reply.generationId();
            final Map<String, byte[]> assignments = new HashMap<>();
            if (reply.isLeader())
            {
                // The leader deals the partitions out; the coordinator does not read the assignment bytes.
                final List<JoinedMember> members = reply.members();
                final Map<String, StringBuilder> dealt = new HashMap<>();
                for (int p = 0; p < partitionCount; p++)
                {
                    dealt.computeIfAbsent(members.get(p % members.size()).memberId(), id -> new StringBuilder())
                        .append(p).append(',');
                }
                for (final JoinedMember member : members)
                {
                    assignments.put(member.memberId(),
                        dealt.getOrDefault(member.memberId(), new StringBuilder()).toString().getBytes(StandardCharsets.UTF_8));
                }
            }
            getContext().ask(
                SyncGroupResponse.class, broker, ASK_TIMEOUT,
                replyTo -> new Broker.SyncGroup(groupId,
                    new GroupCoordinator.SyncGroup(generation, memberId, Optional.empty(), assignments, replyTo)),
                Synced::new);
            return this;
        }

        private Behavior<Command> onSynced(final Synced synced)
        {
            if (synced.reply() == null || synced.reply().error() != GroupError.NONE)
            {
                join();
                return this;
            }
            final List<TopicPartition> assigned = new ArrayList<>();
            for (final String p : new String(synced.reply().assignment(), StandardCharsets.UTF_8).split(","))
            {
                if (!p.isEmpty())
                {
                    assigned.add(new TopicPartition(topic, Integer.parseInt(p)));
                }
            }
            timers.startTimerWithFixedDelay(HeartbeatTick.INSTANCE, Duration.ofMillis(SESSION_TIMEOUT_MS / 3));
            final int current = generation;
            getContext().ask(
                OffsetFetchResponse.class, broker, ASK_TIMEOUT,
                replyTo -> new Broker.OffsetFetch(groupId,
                    new GroupCoordinator.OffsetFetch(Optional.of(assigned), replyTo)),
                (reply, failure) -> new OffsetsFetched(reply, failure, current));
            for (final TopicPartition partition : assigned)
            {
                positions.put(partition, -1L);
            }
            return this;
        }

        private Behavior<Command> onOffsetsFetched(final OffsetsFetched fetched)
        {
            if (fetched.generation() != generation)
            {
                return this;
            }
            if (fetched.reply() == null)
            {
                join();
                return this;
            }
            for (final TopicPartition partition : List.copyOf(positions.keySet()))
            {
                final CommittedOffset committed = fetched.reply().offsets().get(partition);
                positions.put(partition, committed == null ? 0L : committed.offset());
                fetch(partition);
            }
            return this;
        }

        private void fetch(final TopicPartition partition)
        {
            final long position = positions.get(partition);
            final int current = generation;
            getContext().ask(
                FetchReply.class, broker, ASK_TIMEOUT,
                replyTo -> new Broker.Fetch(new PartitionProtocol.Fetch(partition, position, 1 << 20, 1, 500, replyTo)),
                (reply, failure) -> new FetchResult(reply, failure, partition, current));
        }

        private Behavior<Command> onFetchResult(final FetchResult result)
        {
            final TopicPartition partition = result.partition();
            if (result.generation() != generation || !positions.containsKey(partition))
            {
                return this;
            }
            if (result.reply() instanceof Fetched fetched)
            {
                final int current = generation;
                final long before = positions.get(partition);
                final long after = deliver(fetched.records(), before);
                positions.put(partition, after);
                if (after > before)
                {
                    getContext().ask(
                        GroupAck.class, broker, ASK_TIMEOUT,
                        replyTo -> new Broker.OffsetCommit(groupId, new GroupCoordinator.OffsetCommit(generation, memberId,
                            Optional.empty(), Map.of(partition, OffsetAndMetadata.of(after)), replyTo)),
                        (reply, failure) -> new Acked(reply, failure, current));
                }
            }
            else
            {
                // Rejected (e.g. NOT_LEADER_OR_FOLLOWER while a replica restarts) or no reply: try again in a second.
                getContext().getLog().warn("fetch from {} failed: {}", partition,
                    result.reply() instanceof Rejected rejected ? rejected.message() : result.failure());
                timers.startSingleTimer(partition, new FetchAgain(partition, generation), Duration.ofSeconds(1));
                return this;
            }
            fetch(partition);
            return this;
        }

        private Behavior<Command> onFetchAgain(final FetchAgain again)
        {
            if (again.generation() == generation && positions.containsKey(again.partition()))
            {
                fetch(again.partition());
            }
            return this;
        }

        /** Sends each record at or after {@code position} to {@code records}; returns the next position. */
        private long deliver(final byte[] batches, final long position)
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(batches);
            long next = position;
            int at = 0;
            while (at < batches.length)
            {
                reader.wrap(buffer, at, batches.length - at, at);
                while (reader.next())
                {
                    final RecordFlyweight record = reader.record();
                    if (record.offset() >= next)
                    {
                        records.tell(record.buffer().getStringWithoutLengthUtf8(record.valueOffset(), record.valueLength()));
                    }
                }
                next = Math.max(next, reader.batch().nextOffset());
                at += reader.batch().sizeInBytes();
            }
            return next;
        }

        private Behavior<Command> onHeartbeatTick(final HeartbeatTick tick)
        {
            final int current = generation;
            getContext().ask(
                GroupAck.class, broker, ASK_TIMEOUT,
                replyTo -> new Broker.Heartbeat(groupId,
                    new GroupCoordinator.Heartbeat(generation, memberId, Optional.empty(), replyTo)),
                (reply, failure) -> new Acked(reply, failure, current));
            return this;
        }

        private Behavior<Command> onAcked(final Acked acked)
        {
            final GroupAck ack = acked.reply();
            if (acked.generation() == generation && ack != null && (ack.error() == GroupError.REBALANCE_IN_PROGRESS
                || ack.error() == GroupError.ILLEGAL_GENERATION || ack.error() == GroupError.UNKNOWN_MEMBER_ID))
            {
                // The group is rebalancing (or forgot us): rejoin, and fetch again once assigned. Replies to commands
                // of an older generation are ignored, so that one rebalance causes one rejoin.
                memberId = ack.error() == GroupError.UNKNOWN_MEMBER_ID ? "" : memberId;
                join();
            }
            return this;
        }

        private Behavior<Command> onStop(final Stop stop)
        {
            // Leaving now lets the others take over the partitions at once, not after the session timeout.
            broker.tell(new Broker.LeaveGroup(groupId,
                new GroupCoordinator.LeaveGroup(memberId, Optional.empty(), getContext().getSystem().ignoreRef())));
            return Behaviors.stopped();
        }
    }
}
