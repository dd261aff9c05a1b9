package dev.millrace.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.Uuid;

/**
 * The reference cluster: {@code nodes} real Apache Kafka brokers in KRaft mode, each both broker and controller (a
 * static quorum of all of them, {@code controller.quorum.voters}), each a child JVM in its own directory on the class
 * path {@code kafka-broker-lib/}, like {@link KafkaBroker} for one node. The internal topics get replication factor
 * {@code min(nodes, 3)} and {@code min.insync.replicas} 2 when there are 3 or more nodes; everything else is Kafka's
 * default, {@code broker.session.timeout.ms} (9 s) included — it decides how soon a killed broker is fenced and its
 * partitions get new leaders.
 */
final class KafkaCluster implements SystemUnderTest
{
    private final Map<Integer, ChildJvm> nodes;
    private final String bootstrapServers;
    private final Path dir;

    private KafkaCluster(final Map<Integer, ChildJvm> nodes, final String bootstrapServers, final Path dir)
    {
        this.nodes = nodes;
        this.bootstrapServers = bootstrapServers;
        this.dir = dir;
    }

    static KafkaCluster start(
        final Path dir, final Path libDir, final int count, final List<String> jvmFlags, final boolean verboseLogs,
        final Duration timeout)
        throws IOException, InterruptedException
    {
        KafkaBroker.checkLib(libDir);
        Files.createDirectories(dir);
        final int[] ports = new int[count];
        final int[] controllerPorts = new int[count];
        for (int i = 0; i < count; i++)
        {
            ports[i] = BrokerUnderTest.freePort();
            controllerPorts[i] = BrokerUnderTest.freePort();
        }
        final StringBuilder voters = new StringBuilder();
        for (int i = 0; i < count; i++)
        {
            voters.append(i == 0 ? "" : ",").append(i + 1).append("@127.0.0.1:").append(controllerPorts[i]);
        }
        final int replication = Math.min(count, 3);
        final int minInsync = count >= 3 ? 2 : 1;
        final String clusterId = Uuid.randomUuid().toString();
        final String classPath = libDir.toAbsolutePath() + "/*";
        final Map<Integer, ChildJvm> started = new LinkedHashMap<>();
        final KafkaCluster cluster = new KafkaCluster(started,
            java.util.Arrays.stream(ports).mapToObj(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")), dir);
        try
        {
            for (int i = 0; i < count; i++)
            {
                final int nodeId = i + 1;
                final Path nodeDir = Files.createDirectories(dir.resolve("node-" + nodeId));
                final Path serverProperties = nodeDir.resolve("server.properties");
                Files.writeString(serverProperties, String.join("\n",
                    "process.roles=broker,controller",
                    "node.id=" + nodeId,
                    "controller.quorum.voters=" + voters,
                    "listeners=PLAINTEXT://127.0.0.1:" + ports[i] + ",CONTROLLER://127.0.0.1:" + controllerPorts[i],
                    "advertised.listeners=PLAINTEXT://127.0.0.1:" + ports[i],
                    "controller.listener.names=CONTROLLER",
                    "inter.broker.listener.name=PLAINTEXT",
                    "listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
                    "log.dirs=" + nodeDir.resolve("data").toAbsolutePath(),
                    "offsets.topic.replication.factor=" + replication,
                    "transaction.state.log.replication.factor=" + replication,
                    "transaction.state.log.min.isr=" + minInsync,
                    "share.coordinator.state.topic.replication.factor=" + replication,
                    "share.coordinator.state.topic.min.isr=" + minInsync,
                    "file.delete.delay.ms=1000",
                    ""));
                final Path log4j = KafkaBroker.writeLog4j(nodeDir);
                if (verboseLogs)
                {
                    // The active controller's decisions (fencing, leader elections) for a failover's timeline.
                    Files.writeString(log4j, String.join("\n",
                        "logger.controller.name = org.apache.kafka.controller",
                        "logger.controller.level = info",
                        "logger.statechange.name = state.change.logger",
                        "logger.statechange.level = info",
                        ""), java.nio.file.StandardOpenOption.APPEND);
                }
                ChildJvm.run("kafka-storage-format-" + nodeId, nodeDir,
                    List.of("-Xmx256m", "-Dlog4j2.configurationFile=" + log4j.toAbsolutePath()), classPath,
                    "kafka.tools.StorageTool", List.of("format", "-t", clusterId, "-c", serverProperties.toString()),
                    nodeDir.resolve("format.out"), timeout);
                final List<String> flags = new ArrayList<>(jvmFlags);
                flags.add("-Dlog4j2.configurationFile=" + log4j.toAbsolutePath());
                started.put(nodeId, ChildJvm.start(KafkaBroker.NAME + " broker " + nodeId, nodeDir, flags, classPath,
                    "kafka.Kafka", List.of(serverProperties.toString()), nodeDir.resolve("kafka.out"), null));
            }
            for (final ChildJvm jvm : started.values())
            {
                BrokerUnderTest.awaitKafkaApi(cluster.bootstrapServers, jvm, timeout);
            }
            BrokerUnderTest.awaitBrokers(cluster.bootstrapServers, count, timeout);
        }
        catch (final IOException | RuntimeException | InterruptedException ex)
        {
            cluster.close();
            throw ex;
        }
        return cluster;
    }

    @Override
    public String name()
    {
        return KafkaBroker.NAME;
    }

    @Override
    public String bootstrapServers()
    {
        return bootstrapServers;
    }

    @Override
    public long cpuNanos()
    {
        return nodes.values().stream().mapToLong(ChildJvm::cpuNanos).filter(ns -> ns >= 0).sum();
    }

    @Override
    public List<Integer> nodeIds()
    {
        return List.copyOf(nodes.keySet());
    }

    @Override
    public void kill(final int nodeId)
    {
        final ChildJvm jvm = nodes.get(nodeId);
        if (jvm == null)
        {
            throw new IllegalArgumentException("no Kafka node " + nodeId + " (nodes: " + nodes.keySet() + ")");
        }
        jvm.kill();
    }

    /** The KRaft quorum's leader: the active controller, which fences a broker whose session expires. */
    @Override
    public int controllerId() throws InterruptedException
    {
        try (Admin admin = BrokerUnderTest.admin(bootstrapServers))
        {
            return admin.describeMetadataQuorum().quorumInfo().get(30, TimeUnit.SECONDS).leaderId();
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            throw new IllegalStateException("DescribeQuorum at " + bootstrapServers + " failed: " + ex, ex);
        }
    }

    @Override
    public void copyLogs(final Path target) throws IOException
    {
        for (final int nodeId : nodes.keySet())
        {
            BenchFiles.copyLogs(dir.resolve("node-" + nodeId), target, "kafka-" + nodeId + "-");
        }
    }

    @Override
    public String describe()
    {
        return nodes.size() + " nodes, pids " + nodes.values().stream().map(j -> Long.toString(j.pid()))
            .collect(Collectors.joining(",")) + ", " + bootstrapServers;
    }

    @Override
    public void close() throws IOException
    {
        try
        {
            nodes.values().forEach(ChildJvm::close);
        }
        finally
        {
            BenchFiles.deleteRecursively(dir);
        }
    }
}
