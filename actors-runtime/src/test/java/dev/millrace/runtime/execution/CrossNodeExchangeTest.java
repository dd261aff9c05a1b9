package dev.millrace.runtime.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.millrace.runtime.api.CollectingSink;
import dev.millrace.runtime.api.Collector;
import dev.millrace.runtime.api.JobBuilder;
import dev.millrace.runtime.api.KeyedProcessFunction;
import dev.millrace.runtime.api.RuntimeContext;
import dev.millrace.runtime.api.SinkFunction;
import dev.millrace.runtime.graph.JobGraph;
import dev.millrace.runtime.graph.JobVertex;
import dev.millrace.runtime.time.WatermarkStrategy;
import dev.millrace.runtime.time.Watermarks;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Exchanges between instances on two nodes ({@link TwoNodeCluster}): two actor systems in this JVM joined into
 * one Pekko cluster over Artery TCP on 127.0.0.1, the producer (and the "job master", a probe) on node A, consumers on node B. Every
 * message between the nodes goes through real remoting and Kryo: user records in encoded buffers, watermarks,
 * end of input, credits and failures.
 */
@Timeout(90)
class CrossNodeExchangeTest
{
    private static final Duration WAIT = Duration.ofSeconds(45);

    private TwoNodeCluster cluster;
    private ActorTestKit nodeA;
    private ActorTestKit nodeB;

    /** A user type that only Kryo's class-name encoding can carry: no registration anywhere. */
    record Reading(String key, long value)
    {
    }

    @BeforeEach
    void startCluster()
    {
        cluster = new TwoNodeCluster(WAIT);
        nodeA = cluster.nodeA();
        nodeB = cluster.nodeB();
    }

    @AfterEach
    void stopCluster()
    {
        cluster.close();
    }

    @Test
    void shouldMoveRecordsWatermarksAndEndOfInputAcrossNodes()
    {
        final int records = 20_000;
        final CollectingSink<String> sink = new CollectingSink<>();
        final JobBuilder job = JobBuilder.create().setParallelism(2);
        job.fromGenerator(records, i -> new Reading("k" + (i % 13), i)).setParallelism(1)
            .assignTimestampsAndWatermarks(WatermarkStrategy.<Reading>forMonotonousTimestamps()
                .withTimestampAssigner((reading, previous) -> reading.value())).setParallelism(1)
            .keyBy(Reading::key)
            .process(TimerPerRecord::new)
            .sinkTo(sink);
        final JobGraph graph = job.build("across-nodes");
        final int source = sourceVertex(graph);
        final int consumer = 1 - source;
        final ExchangeMetrics metrics = new ExchangeMetrics(graph.vertices().size());
        final RuntimeSettings settings = RuntimeSettings.fromConfig(nodeA.system().settings().config());
        final TestProbe<JobMaster.Command> master = nodeA.createTestProbe();

        // Node A: the source and consumer subtask 0 (a local channel); node B: consumer subtask 1 (remote).
        final List<List<ActorRef<OperatorInstance.Command>>> instances = new ArrayList<>(List.of(List.of(), List.of()));
        instances.set(source, List.of(spawn(nodeA, graph, source, 0, settings, metrics, master.ref())));
        instances.set(consumer, List.of(spawn(nodeA, graph, consumer, 0, settings, metrics, master.ref()),
            spawn(nodeB, graph, consumer, 1, settings, metrics, master.ref())));
        start(instances);

        final Set<String> finished = new HashSet<>();
        for (final JobMaster.Command report : master.receiveSeveralMessages(3, WAIT))
        {
            final JobMaster.InstanceFinished done = assertInstanceOf(JobMaster.InstanceFinished.class, report,
                report::toString);
            finished.add(done.vertexId() + "/" + done.subtask());
        }
        assertEquals(Set.of(source + "/0", consumer + "/0", consumer + "/1"), finished);

        final List<String> results = sink.results();
        final List<String> seen = results.stream().filter(line -> line.startsWith("r ")).map(line -> line.substring(4))
            .sorted().collect(Collectors.toList());
        final List<String> expected = LongStream.range(0, records).mapToObj(i -> "k" + (i % 13) + " " + i).sorted()
            .collect(Collectors.toList());
        assertEquals(expected, seen, "every record exactly once");
        final List<String> timers = results.stream().filter(line -> line.startsWith("t ")).map(line -> line.split(" "))
            .map(parts -> parts[2] + " " + parts[3]).sorted().collect(Collectors.toList());
        assertEquals(expected, timers, "every record's event-time timer fired once: watermarks arrived");
        final long remoteRecords = results.stream().filter(line -> line.startsWith("r 1 ")).count();
        assertTrue(remoteRecords > 0 && remoteRecords < records, "both subtasks got keys: " + remoteRecords);
        final long remoteMidStreamTimers = results.stream().filter(line -> line.startsWith("t 1 "))
            .filter(line -> Long.parseLong(line.split(" ")[4]) < Watermarks.END_OF_TIME).count();
        assertTrue(remoteMidStreamTimers > 0, "watermarks before the end of input crossed to node B");
        assertEquals(records, metrics.recordsSent());
        assertTrue(metrics.encodedBuffers() > 0 && metrics.encodedBuffers() < metrics.buffersSent(),
            "buffers to node B encoded (" + metrics.encodedBuffers() + "), to subtask 0 by reference (of "
                + metrics.buffersSent() + ")");
        assertEquals(0, metrics.buffersInFlight(), "every buffer sent was reported consumed");
    }

    @Test
    void shouldReportARemoteFailureToTheMasterWithItsCauseText()
    {
        final JobBuilder job = JobBuilder.create().setParallelism(1);
        job.fromGenerator(10_000, i -> new Reading("k" + (i % 3), i))
            .rebalance()
            .sinkTo(new PoisonSink());
        final JobGraph graph = job.build("remote-failure");
        final int source = sourceVertex(graph);
        final int consumer = 1 - source;
        final ExchangeMetrics metrics = new ExchangeMetrics(graph.vertices().size());
        final RuntimeSettings settings = RuntimeSettings.fromConfig(nodeA.system().settings().config());
        final TestProbe<JobMaster.Command> master = nodeA.createTestProbe();
        final List<List<ActorRef<OperatorInstance.Command>>> instances = new ArrayList<>(List.of(List.of(), List.of()));
        final ActorRef<OperatorInstance.Command> producer = spawn(nodeA, graph, source, 0, settings, metrics,
            master.ref());
        instances.set(source, List.of(producer));
        instances.set(consumer, List.of(spawn(nodeB, graph, consumer, 0, settings, metrics, master.ref())));
        start(instances);

        final JobMaster.InstanceFailed failed = master.expectMessageClass(JobMaster.InstanceFailed.class, WAIT);
        assertEquals(consumer, failed.vertexId());
        assertEquals(IllegalStateException.class.getName(), failed.cause().className());
        assertEquals("record 5000 is poison", failed.cause().message());
        assertTrue(failed.cause().stackTrace().contains(PoisonSink.class.getName() + ".invoke"),
            failed.cause().stackTrace());
        // It came over the wire: the master gets the text, not the node B exception object.
        final RemoteInstanceException remote = assertInstanceOf(RemoteInstanceException.class,
            failed.cause().toThrowable());
        assertEquals("java.lang.IllegalStateException: record 5000 is poison", remote.toString());
        producer.tell(OperatorInstance.Cancel.INSTANCE);
    }

    @Test
    void shouldBoundBuffersInFlightByCreditWithASlowRemoteConsumer()
    {
        final int records = 20_000;
        final int credits = 3;
        final int bufferRecords = 64;
        final AtomicLong produced = new AtomicLong();
        final AtomicLong consumed = new AtomicLong();
        final AtomicLong maxLead = new AtomicLong();
        final SinkFunction<Reading> slowSink = (reading, timestamp) ->
        {
            // ~20 µs of work per record: far slower than the generator.
            LockSupport.parkNanos(20_000);
            final long done = consumed.incrementAndGet();
            maxLead.accumulateAndGet(produced.get() - done, Math::max);
        };
        final JobBuilder job = JobBuilder.create().setParallelism(1);
        job.fromGenerator(records, i ->
            {
                produced.incrementAndGet();
                return new Reading("k", i);
            })
            .rebalance()
            .sinkTo(slowSink);
        final JobGraph graph = job.build("slow-remote-consumer");
        final int source = sourceVertex(graph);
        final int consumer = 1 - source;
        final ExchangeMetrics metrics = new ExchangeMetrics(graph.vertices().size());
        final RuntimeSettings settings = new RuntimeSettings(bufferRecords, credits, 8);
        final TestProbe<JobMaster.Command> master = nodeA.createTestProbe();
        final List<List<ActorRef<OperatorInstance.Command>>> instances = new ArrayList<>(List.of(List.of(), List.of()));
        instances.set(source, List.of(spawn(nodeA, graph, source, 0, settings, metrics, master.ref())));
        instances.set(consumer, List.of(spawn(nodeB, graph, consumer, 0, settings, metrics, master.ref())));
        start(instances);

        for (final JobMaster.Command report : master.receiveSeveralMessages(2, WAIT))
        {
            assertInstanceOf(JobMaster.InstanceFinished.class, report, report::toString);
        }
        assertEquals(records, consumed.get());
        assertTrue(metrics.maxBuffersInFlight() >= 1, "buffers were sent");
        assertTrue(metrics.maxBuffersInFlight() <= credits,
            "one channel: in flight " + metrics.maxBuffersInFlight() + " > credit " + credits);
        // Ahead by at most the credit, the buffers held back and one source turn: far less than the input.
        final long leadBound = (credits + 2L) * bufferRecords + (long) bufferRecords * settings.buffersPerTurn();
        assertTrue(maxLead.get() <= leadBound, "source ran ahead by " + maxLead.get() + " > " + leadBound);
        assertTrue(leadBound < records / 10, "the bound must be meaningful for this input size");
        assertTrue(metrics.blockedNanos(source) > 0, "the producer on node A waited for node B's credit");
        assertEquals(metrics.buffersSent(), metrics.encodedBuffers(), "every buffer went to node B encoded");
        System.out.printf("slow remote consumer: %d records, max buffers in flight %d (credit %d), max source lead "
                + "%d records (bound %d), producer blocked %d ms%n", records, metrics.maxBuffersInFlight(), credits,
            maxLead.get(), leadBound, metrics.blockedNanos(source) / 1_000_000);
    }

    private static int sourceVertex(final JobGraph graph)
    {
        assertEquals(2, graph.vertices().size(), graph.describe());
        return graph.vertices().stream().filter(JobVertex::isSource).findFirst().orElseThrow().id();
    }

    private ActorRef<OperatorInstance.Command> spawn(final ActorTestKit node, final JobGraph graph, final int vertexId,
        final int subtask, final RuntimeSettings settings, final ExchangeMetrics metrics,
        final ActorRef<JobMaster.Command> masterOnA)
    {
        return cluster.spawn(node, graph, vertexId, subtask, settings, metrics, masterOnA);
    }

    private static void start(final List<List<ActorRef<OperatorInstance.Command>>> instances)
    {
        TwoNodeCluster.start(instances);
    }

    /** Emits each record with its subtask, and fires an event-time timer at each record's timestamp. */
    static final class TimerPerRecord extends KeyedProcessFunction<String, Reading, String>
    {
        private int subtask;

        @Override
        public void open(final RuntimeContext context)
        {
            subtask = context.subtaskIndex();
        }

        @Override
        public void processElement(final Reading reading, final Context<String> context, final Collector<String> out)
        {
            out.collect("r " + subtask + " " + reading.key() + " " + reading.value());
            context.timerService().registerEventTimeTimer(reading.value());
        }

        @Override
        public void onTimer(final long timestampMs, final OnTimerContext<String> context, final Collector<String> out)
        {
            out.collect("t " + subtask + " " + context.getCurrentKey() + " " + timestampMs + " "
                + context.timerService().currentWatermark());
        }
    }

    /** Fails on record 5000. */
    static final class PoisonSink implements SinkFunction<Reading>
    {
        @Override
        public void invoke(final Reading reading, final long timestampMs)
        {
            if (reading.value() == 5000)
            {
                throw new IllegalStateException("record 5000 is poison");
            }
        }
    }
}
