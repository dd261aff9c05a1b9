package dev.millrace.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import dev.millrace.multinode.LocalCluster;
import dev.millrace.multinode.NodeProcess;

/**
 * The system under test as a cluster: {@code nodes} Millrace broker nodes started by the multi-node harness
 * ({@link LocalCluster}: real JVMs on 127.0.0.1, each its own directories and ports, every node a voter of the quorum
 * journal) with the benchmark's heap and GC flags instead of the harness's test-sized ones, and a fast-failover
 * profile: heartbeats every 250 ms, a node unreachable (fenced: it leads nothing) after about 1 s of silence, downed
 * 1.5 s later.
 */
final class MillraceCluster implements SystemUnderTest
{
    private final LocalCluster cluster;

    private MillraceCluster(final LocalCluster cluster)
    {
        this.cluster = cluster;
    }

    static MillraceCluster start(final int count, final List<String> jvmFlags, final Duration timeout)
        throws InterruptedException
    {
        final LocalCluster cluster = LocalCluster.builder()
            .nodes(count)
            .heapGcAndJitOptions(jvmFlags)
            .config(String.join("\n",
                "pekko.loglevel = WARNING",
                // The fast-failover profile: a silent node is unreachable after about a second, which fences it
                // (its partitions get new leaders), and downed after another second and a half.
                "pekko.cluster.failure-detector.heartbeat-interval = 250ms",
                "pekko.cluster.failure-detector.acceptable-heartbeat-pause = 1s",
                "pekko.cluster.split-brain-resolver.stable-after = 1500ms",
                ""))
            .startTimeout(timeout)
            .start();
        final MillraceCluster started = new MillraceCluster(cluster);
        try
        {
            BrokerUnderTest.awaitBrokers(started.bootstrapServers(), count, timeout);
        }
        catch (final RuntimeException | InterruptedException ex)
        {
            cluster.close();
            throw ex;
        }
        return started;
    }

    @Override
    public String name()
    {
        return MillraceNode.NAME;
    }

    @Override
    public String bootstrapServers()
    {
        return cluster.nodes().stream().map(node -> LocalCluster.HOST + ":" + node.ports().kafka())
            .collect(Collectors.joining(","));
    }

    @Override
    public long cpuNanos()
    {
        return cluster.nodes().stream()
            .mapToLong(node -> ProcessHandle.of(node.pid())
                .flatMap(handle -> handle.info().totalCpuDuration()).map(Duration::toNanos).orElse(0L))
            .sum();
    }

    @Override
    public List<Integer> nodeIds()
    {
        return cluster.nodes().stream().map(NodeProcess::brokerId).toList();
    }

    @Override
    public void kill(final int nodeId)
    {
        cluster.node(nodeId).kill();
    }

    @Override
    public String describe()
    {
        return cluster.nodes().size() + " nodes, pids " + cluster.nodes().stream().map(n -> Long.toString(n.pid()))
            .collect(Collectors.joining(",")) + ", " + bootstrapServers() + ", dir " + cluster.root();
    }

    @Override
    public void close()
    {
        cluster.close();
    }
}
