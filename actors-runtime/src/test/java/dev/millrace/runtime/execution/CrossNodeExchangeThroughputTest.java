package dev.millrace.runtime.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.millrace.runtime.api.JobBuilder;
import dev.millrace.runtime.api.SinkFunction;
import dev.millrace.runtime.execution.CrossNodeExchangeTest.Reading;
import dev.millrace.runtime.graph.JobGraph;
import dev.millrace.runtime.graph.JobVertex;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A rough figure, not a benchmark: records per second through one exchange channel, producer on node A, consumer
 * on node A (buffers by reference) or node B (encoded, over Artery TCP on loopback), two actor systems in this JVM.
 * Run on demand with {@code -Dmillrace.exchange-throughput=true -Dtest=CrossNodeExchangeThroughputTest}.
 */
@EnabledIfSystemProperty(named = "millrace.exchange-throughput", matches = "true")
class CrossNodeExchangeThroughputTest
{
    private static final int RECORDS = 2_000_000;
    private static final Duration WAIT = Duration.ofSeconds(240);

    @Test
    @Timeout(value = 600, unit = TimeUnit.SECONDS)
    void shouldReportLocalAndRemoteRates()
    {
        try (TwoNodeCluster cluster = new TwoNodeCluster(Duration.ofSeconds(30)))
        {
            for (int round = 0; round < 2; round++)
            {
                run(cluster, cluster.nodeA(), "local (by reference)");
                run(cluster, cluster.nodeB(), "remote (Artery TCP)");
            }
        }
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
}
