package dev.millrace.benchmarks;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterOptions;
import org.apache.kafka.common.Node;

/**
 * One broker that {@code bench kafka} drives: the name shown in the table, where Kafka clients connect, its node id,
 * the child JVM that runs it and the directory it owns. Closing it stops the JVM by its pid and deletes the directory.
 */
record BrokerUnderTest(String name, String bootstrapServers, int nodeId, ChildJvm jvm, Path dir) implements SystemUnderTest
{
    @Override
    public long cpuNanos()
    {
        return jvm.cpuNanos();
    }

    @Override
    public List<Integer> nodeIds()
    {
        return List.of(nodeId);
    }

    @Override
    public void kill(final int nodeId)
    {
        jvm.kill();
    }

    @Override
    public int controllerId()
    {
        return nodeId;
    }

    @Override
    public void copyLogs(final Path target) throws IOException
    {
        BenchFiles.copyLogs(dir, target, "");
    }

    @Override
    public String describe()
    {
        return "pid " + jvm.pid() + ", " + bootstrapServers;
    }

    /**
     * The heap and GC flags both brokers run with — those of Kafka's own start script ({@code kafka-run-class.sh}) —
     * plus the add-opens that Aeron/Agrona need on Java 17 (the root {@code millrace} script's {@code JVM_OPENS}; they
     * change nothing for Kafka).
     */
    static List<String> jvmFlags(final String heap)
    {
        return List.of(
            "-Xms" + heap, "-Xmx" + heap,
            "-XX:+UseG1GC", "-XX:MaxGCPauseMillis=20", "-XX:InitiatingHeapOccupancyPercent=35",
            "-XX:+ExplicitGCInvokesConcurrent", "-Djava.awt.headless=true",
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/java.nio=ALL-UNNAMED");
    }

    /** A port that was free a moment ago (bound to port 0, then released) for a child that must be told its port. */
    static int freePort() throws IOException
    {
        try (ServerSocket socket = new ServerSocket(0))
        {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    /**
     * Waits until the broker answers a Kafka {@code DescribeCluster} with at least one node, bounded by
     * {@code timeout}; fails at once if the JVM exits first. The Admin client retries the connection itself.
     */
    static void awaitKafkaApi(final String bootstrapServers, final ChildJvm jvm, final Duration timeout)
        throws InterruptedException
    {
        try (Admin admin = admin(bootstrapServers))
        {
            final CompletableFuture<Collection<Node>> nodes = admin
                .describeCluster(new DescribeClusterOptions().timeoutMs((int)timeout.toMillis()))
                .nodes().toCompletionStage().toCompletableFuture();
            CompletableFuture.anyOf(nodes, jvm.awaitExit()).get(timeout.toMillis() + 5_000, TimeUnit.MILLISECONDS);
            if (!jvm.isAlive())
            {
                throw new IllegalStateException(jvm.name() + " exited while starting: " + ChildJvm.tail(jvm.logFile()));
            }
            if (nodes.get().isEmpty())
            {
                throw new IllegalStateException(jvm.name() + " describes a cluster without nodes");
            }
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            throw new IllegalStateException(jvm.name() + " did not answer DescribeCluster within " + timeout + ": " +
                ChildJvm.tail(jvm.logFile()), ex);
        }
    }

    /**
     * Waits until the cluster's Metadata lists {@code count} brokers (every node has joined), polling DescribeCluster
     * every 200 ms, bounded by {@code timeout}.
     */
    static void awaitBrokers(final String bootstrapServers, final int count, final Duration timeout)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        try (Admin admin = admin(bootstrapServers))
        {
            while (System.nanoTime() < deadline)
            {
                try
                {
                    seen = admin.describeCluster().nodes().get(5, TimeUnit.SECONDS).size();
                    if (seen >= count)
                    {
                        return;
                    }
                }
                catch (final ExecutionException | TimeoutException ex)
                {
                    // Not answering yet: ask again until the deadline.
                }
                TimeUnit.MILLISECONDS.sleep(200);
            }
        }
        throw new IllegalStateException("the cluster at " + bootstrapServers + " listed " + seen + " of " + count +
            " brokers after " + timeout);
    }

    /** The broker id DescribeCluster names as the controller (Millrace: the node of the controller singleton). */
    static int describedController(final String bootstrapServers) throws InterruptedException
    {
        try (Admin admin = admin(bootstrapServers))
        {
            final Node controller = admin.describeCluster().controller().get(30, TimeUnit.SECONDS);
            return controller == null || controller.isEmpty() ? -1 : controller.id();
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            throw new IllegalStateException("DescribeCluster at " + bootstrapServers + " failed: " + ex, ex);
        }
    }

    static Admin admin(final String bootstrapServers)
    {
        return Admin.create(Map.of(
            AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
            AdminClientConfig.CLIENT_ID_CONFIG, "bench-admin",
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000));
    }

    @Override
    public void close() throws IOException
    {
        try
        {
            jvm.close();
        }
        finally
        {
            BenchFiles.deleteRecursively(dir);
        }
    }
}
