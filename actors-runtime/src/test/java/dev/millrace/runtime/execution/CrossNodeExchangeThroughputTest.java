package dev.millrace.runtime.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.typesafe.config.ConfigFactory;
import dev.millrace.runtime.api.JobBuilder;
import dev.millrace.runtime.api.SinkFunction;
import dev.millrace.runtime.exchange.BufferCodec;
import dev.millrace.runtime.execution.CrossNodeExchangeTest.Reading;
import dev.millrace.runtime.graph.JobGraph;
import dev.millrace.runtime.graph.JobVertex;
import dev.millrace.transport.AeronTransportConfig;
import dev.millrace.transport.EmbeddedMediaDriver;
import dev.millrace.transport.IdleStrategies;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Publication;
import io.aeron.Subscription;
import java.net.DatagramSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * A rough figure, not a benchmark: records per second through one exchange channel (512-element buffers of small
 * records, default credit), producer on node A, consumer on node A (buffers by reference) or on node B (encoded,
 * over Artery TCP or Artery Aeron UDP on loopback), two actor systems in this JVM; and, for scale, the same encoded
 * buffers through a bare Aeron UDP publication between two threads (no actors, no credit): the ceiling a direct
 * Aeron data path could reach. Run on demand with
 * {@code -Dmillrace.exchange-throughput=true -Dtest=CrossNodeExchangeThroughputTest}.
 */
@EnabledIfSystemProperty(named = "millrace.exchange-throughput", matches = "true")
class CrossNodeExchangeThroughputTest
{
    private static final int RECORDS = 2_000_000;
    private static final int BUFFER_RECORDS = 512;
    private static final Duration WAIT = Duration.ofSeconds(240);
    private static final int STREAM_ID = 6400;

    @TempDir
    Path tempDir;

    @Test
    @Timeout(value = 900, unit = TimeUnit.SECONDS)
    void shouldReportLocalAndRemoteRates() throws Exception
    {
        try (TwoNodeCluster cluster = new TwoNodeCluster(Duration.ofSeconds(30)))
        {
            for (int round = 0; round < 2; round++)
            {
                run(cluster, cluster.nodeA(), "local (by reference)");
                run(cluster, cluster.nodeB(), "Artery TCP");
            }
        }
        try (EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(driverConfig("artery")))
        {
            try (TwoNodeCluster cluster = new TwoNodeCluster(Duration.ofSeconds(30), driver.arteryConfig()))
            {
                for (int round = 0; round < 2; round++)
                {
                    run(cluster, cluster.nodeB(), "Artery Aeron UDP");
                }
            }
        }
        try (EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(driverConfig("bare")))
        {
            for (int round = 0; round < 2; round++)
            {
                bareAeron(driver);
            }
        }
    }

    private AeronTransportConfig driverConfig(final String name)
    {
        return AeronTransportConfig.fromConfig(ConfigFactory.parseString("millrace.transport.aeron { aeron-dir = \""
            + tempDir.resolve(name) + "\", term-buffer-length = 4m, ipc-term-buffer-length = 4m }")
            .withFallback(ConfigFactory.load()));
    }

    private static void run(final TwoNodeCluster cluster, final ActorTestKit consumerNode, final String label)
    {
        final AtomicLong consumed = new AtomicLong();
        final SinkFunction<Reading> count = (reading, timestamp) -> consumed.incrementAndGet();
        final JobBuilder job = JobBuilder.create().setParallelism(1);
        job.fromGenerator(RECORDS, i -> new Reading("key-" + (i % 1000), i)).rebalance().sinkTo(count);
        final JobGraph graph = job.build("throughput");
        final int source = graph.vertices().stream().filter(JobVertex::isSource).findFirst().orElseThrow().id();
        final ExchangeMetrics metrics = new ExchangeMetrics(graph.vertices().size());
        final RuntimeSettings settings = RuntimeSettings.fromConfig(cluster.nodeA().system().settings().config());
        final TestProbe<JobMaster.Command> master = cluster.nodeA().createTestProbe();
        final List<List<ActorRef<OperatorInstance.Command>>> instances = new ArrayList<>(List.of(List.of(), List.of()));
        final long startNs = System.nanoTime();
        instances.set(source, List.of(cluster.spawn(cluster.nodeA(), graph, source, 0, settings, metrics,
            master.ref())));
        instances.set(1 - source, List.of(cluster.spawn(consumerNode, graph, 1 - source, 0, settings, metrics,
            master.ref())));
        TwoNodeCluster.start(instances);
        for (final JobMaster.Command report : master.receiveSeveralMessages(2, WAIT))
        {
            assertInstanceOf(JobMaster.InstanceFinished.class, report, report::toString);
        }
        final double seconds = (System.nanoTime() - startNs) / 1e9;
        assertEquals(RECORDS, consumed.get());
        System.out.printf("exchange %-22s %,d records in %.2f s: %,.0f records/s; %d buffers, %d encoded, %.1f bytes "
                + "per record, %.1f MB/s encoded, producer blocked %d ms%n", label, RECORDS, seconds, RECORDS / seconds,
            metrics.buffersSent(), metrics.encodedBuffers(),
            metrics.encodedBuffers() == 0 ? 0.0 : (double) metrics.encodedBytes() / RECORDS,
            metrics.encodedBytes() / 1e6 / seconds, metrics.blockedNanos(source) / 1_000_000);
    }

    /** The same buffers, encoded, offered on a UDP publication and decoded by a polling thread. */
    private static void bareAeron(final EmbeddedMediaDriver driver) throws Exception
    {
        final String channel = "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort();
        final AtomicLong received = new AtomicLong();
        try (Subscription subscription = driver.aeron().addSubscription(channel, STREAM_ID);
            ExclusivePublication publication = driver.aeron().addExclusivePublication(channel, STREAM_ID))
        {
            final IdleStrategy connect = IdleStrategies.create(IdleStrategies.BACKOFF, IdleStrategies.Params.DEFAULTS);
            final long connectDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!publication.isConnected() || !subscription.isConnected())
            {
                if (System.nanoTime() > connectDeadline)
                {
                    throw new AssertionError("publication never connected on " + channel);
                }
                connect.idle();
            }
            final Thread consumer = new Thread(() ->
            {
                final BufferCodec codec = new BufferCodec(Reading.class.getClassLoader(), 1 << 20);
                final IdleStrategy idle = IdleStrategies.create(IdleStrategies.BACKOFF, IdleStrategies.Params.DEFAULTS);
                final FragmentAssembler assembler = new FragmentAssembler((buffer, offset, length, header) ->
                {
                    final byte[] bytes = new byte[length];
                    buffer.getBytes(offset, bytes);
                    received.addAndGet(codec.decode(bytes).recordCount());
                });
                final long deadline = System.nanoTime() + WAIT.toNanos();
                while (received.get() < RECORDS && System.nanoTime() < deadline)
                {
                    idle.idle(subscription.poll(assembler, 64));
                }
            }, "bare-aeron-consumer");
            final long startNs = System.nanoTime();
            consumer.start();
            final BufferCodec codec = new BufferCodec(Reading.class.getClassLoader(), 1 << 20);
            final IdleStrategy idle = IdleStrategies.create(IdleStrategies.BACKOFF, IdleStrategies.Params.DEFAULTS);
            final UnsafeBuffer frame = new UnsafeBuffer(new byte[0]);
            long bytesSent = 0;
            for (long i = 0; i < RECORDS; )
            {
                final Buffer buffer = new Buffer(BUFFER_RECORDS);
                for (; i < RECORDS && !buffer.isFull(); i++)
                {
                    buffer.add(Buffer.RECORD, new Reading("key-" + (i % 1000), i), i);
                }
                final byte[] bytes = codec.encode(buffer);
                bytesSent += bytes.length;
                frame.wrap(bytes);
                long result;
                idle.reset();
                while ((result = publication.offer(frame, 0, bytes.length)) < 0)
                {
                    if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED)
                    {
                        throw new AssertionError("offer failed: " + Publication.errorString(result));
                    }
                    idle.idle();
                }
            }
            consumer.join(WAIT.toMillis());
            final double seconds = (System.nanoTime() - startNs) / 1e9;
            assertEquals(RECORDS, received.get());
            System.out.printf("exchange %-22s %,d records in %.2f s: %,.0f records/s; %.1f bytes per record, %.1f MB/s"
                + "%n", "bare Aeron UDP", RECORDS, seconds, RECORDS / seconds, (double) bytesSent / RECORDS,
                bytesSent / 1e6 / seconds);
        }
    }

    private static int freeUdpPort() throws Exception
    {
        try (DatagramSocket socket = new DatagramSocket(0))
        {
            return socket.getLocalPort();
        }
    }
}
