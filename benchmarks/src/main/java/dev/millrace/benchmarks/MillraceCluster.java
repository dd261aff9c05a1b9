package dev.millrace.benchmarks;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

import dev.millrace.multinode.LocalCluster;
import dev.millrace.multinode.NodeProcess;

/**
 * The system under test as a cluster: {@code nodes} Millrace broker nodes started by the multi-node harness
 * ({@link LocalCluster}: real JVMs on 127.0.0.1, each its own directories and ports, every node a voter of the quorum
 * journal) with the benchmark's heap and GC flags instead of the harness's test-sized ones, and the
 * {@link #FAST_FAILOVER_PROFILE}.
 */
final class MillraceCluster implements SystemUnderTest
{
    /**
     * The nodes' fast-failover profile ({@code millrace.broker.node.failover-profile = fast}, actors-broker's
     * {@code FailoverProfile}): a killed node is fenced about 1.5 s after its last heartbeat, downed about 1 s later,
     * and the controller singleton starts elsewhere 100 ms after the downed node is removed. It replaces the
     * harness's test timing (failure detection 2 s, {@code stable-after} 3 s).
     */
    static final String FAST_FAILOVER_PROFILE = "millrace.broker.node.failover-profile = fast";

    /**
     * The controller follows the quorum journal's Raft leadership ({@code controller-placement = quorum-leader}):
     * after a kill of its node it runs again as soon as Raft has a new leader, without waiting for Pekko's downing.
     */
    static final String CONTROLLER_ON_QUORUM_LEADER = "millrace.broker.node.controller-placement = quorum-leader";

    private final LocalCluster cluster;

    private MillraceCluster(final LocalCluster cluster)
    {
        this.cluster = cluster;
    }

    /** @param verboseLogs Pekko at INFO (cluster membership, downing, singleton hand-over) instead of WARNING. */
    static MillraceCluster start(
        final int count, final List<String> jvmFlags, final boolean verboseLogs, final Duration timeout)
        throws InterruptedException
    {
        final LocalCluster cluster = LocalCluster.builder()
            .nodes(count)
            .heapGcAndJitOptions(jvmFlags)
            .config(String.join("\n",
                "pekko.loglevel = " + (verboseLogs ? "INFO" : "WARNING"),
                FAST_FAILOVER_PROFILE,
                CONTROLLER_ON_QUORUM_LEADER,
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

    /** The node of the controller singleton, as DescribeCluster names it (the controller's own published id). */
    @Override
    public int controllerId() throws InterruptedException
    {
        return BrokerUnderTest.describedController(bootstrapServers());
    }

    @Override
    public void copyLogs(final Path target) throws IOException
    {
        for (final NodeProcess node : cluster.nodes())
        {
            BenchFiles.copyLogs(node.dir(), target, "millrace-" + node.brokerId() + "-");
        }
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
