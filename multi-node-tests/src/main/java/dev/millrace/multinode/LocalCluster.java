package dev.millrace.multinode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * N real Millrace nodes on 127.0.0.1, each in its own JVM, forming one Pekko cluster: a harness for fault tests and
 * for users' own simulations.
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.builder().nodes(3).journal("quorum").start())
 * {
 *     // kafka-clients against cluster.node(1).bootstrapServers() ...
 *     cluster.node(0).kill();          // SIGKILL by pid
 *     cluster.node(0).restart();       // same data directory
 *     cluster.node(0).awaitReady(Duration.ofSeconds(60));
 * }
 * }</pre>
 *
 * <p>Every node gets its own directory under a fresh temporary root ({@code node-<i>/}: {@code node.conf}, {@code
 * data/}, {@code aeron/}, {@code stdout.log}, {@code stderr.log}), its broker id {@code i}, free ports (cluster,
 * Kafka listener, and with the quorum journal {@value NodePorts#VOTER_PORTS} UDP ports for its voter), the same seed
 * node list (node 0 first, so node 0 forms the cluster and is its oldest member until it leaves) and, with the
 * quorum journal, the same voter list with itself as member {@code i}. The child JVMs run {@code BrokerNodeMain}
 * on this JVM's class path. {@link #start} waits, bounded, until every node printed its ready line: it is then an Up
 * member of the one cluster and its broker is registered with the controller. {@link #close} ends every JVM it
 * started by pid (SIGTERM, then SIGKILL) and deletes the root directory.
 *
 * <p>Not thread-safe: drive a cluster from one thread.
 */
public final class LocalCluster implements AutoCloseable
{
    /** Every node binds and advertises this address. */
    public static final String HOST = "127.0.0.1";

    /** The controller singleton's actor path, as Pekko logs it. */
    static final String CONTROLLER_SINGLETON = "/system/singletonManagercontroller/controller]";
    /** What a node logs when it starts the controller because its voter leads ({@code controller-placement = quorum-leader}). */
    static final String CONTROLLER_ON_QUORUM_LEADER = "controller host: this node's quorum voter leads";

    private final Path root;
    private final List<NodeProcess> nodes;

    private LocalCluster(final Path root, final List<NodeProcess> nodes)
    {
        this.root = root;
        this.nodes = List.copyOf(nodes);
    }

    /** A builder with 3 nodes on the quorum journal, every node a voter. */
    public static Builder builder()
    {
        return new Builder();
    }

    /** Node {@code index} (its broker id). */
    public NodeProcess node(final int index)
    {
        return nodes.get(index);
    }

    /** Every node, by index. */
    public List<NodeProcess> nodes()
    {
        return nodes;
    }

    /** The running (or paused) nodes. */
    public List<NodeProcess> aliveNodes()
    {
        return nodes.stream().filter(NodeProcess::isAlive).collect(Collectors.toList());
    }

    /**
     * The running node that hosts the controller singleton (the cluster's oldest member), as its log says: the
     * last one, by index, whose current JVM logged that it started the singleton. Empty while none has.
     */
    public Optional<NodeProcess> controllerNode()
    {
        NodeProcess found = null;
        for (final NodeProcess node : nodes)
        {
            if (node.isAlive() && (node.logged("starting singleton actor", CONTROLLER_SINGLETON) ||
                node.logged(CONTROLLER_ON_QUORUM_LEADER)))
            {
                found = node;
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * Cuts the Pekko traffic between nodes {@code a} and {@code b} (both directions, on both sides): they stop seeing
     * each other's heartbeats and messages, as in a network partition, while the quorum journal's and the Kafka
     * listener's traffic still flow. Needs {@link Builder#networkFaults()}; both nodes must be running.
     */
    public void cut(final int a, final int b)
    {
        node(a).cut(node(b));
        node(b).cut(node(a));
    }

    /** Undoes {@link #cut} between {@code a} and {@code b}. */
    public void heal(final int a, final int b)
    {
        node(a).heal(node(b));
        node(b).heal(node(a));
    }

    /** The temporary root directory holding every node's directory; deleted by {@link #close}. */
    public Path root()
    {
        return root;
    }

    /** Ends every node by pid (SIGTERM, SIGKILL after 15 s) and deletes the root directory. */
    @Override
    public void close()
    {
        RuntimeException failure = null;
        // Every node gets its SIGTERM first, so that they leave together instead of one graceful leave after another.
        for (final NodeProcess node : nodes)
        {
            try
            {
                node.terminate();
            }
            catch (final RuntimeException ex)
            {
                failure = failure == null ? ex : failure;
            }
        }
        for (final NodeProcess node : nodes)
        {
            try
            {
                node.awaitStopped(Duration.ofSeconds(15));
            }
            catch (final RuntimeException ex)
            {
                failure = failure == null ? ex : failure;
            }
        }
        deleteRecursively(root);
        if (failure != null)
        {
            throw failure;
        }
    }

    static void deleteRecursively(final Path dir)
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList()))
            {
                Files.deleteIfExists(path);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete " + dir, ex);
        }
    }

    /** How to start a {@link LocalCluster}. */
    public static final class Builder
    {
        private int size = 3;
        private String journal = "quorum";
        private String extraConfig = "";
        private Duration startTimeout = Duration.ofSeconds(120);
        // Test-sized by default: many nodes share 2 cores in the test suite, and a node lives for seconds.
        private List<String> heapGcAndJit = List.of("-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
        private boolean networkFaults;
        private final List<String> jvmOptions = new ArrayList<>(List.of(
            "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
            "--add-opens", "java.base/jdk.internal.misc=ALL-UNNAMED",
            "--add-opens", "java.base/java.nio=ALL-UNNAMED"));

        private Builder()
        {
        }

        /** How many nodes, >= 1 (default 3). With the quorum journal every node is a voter: use an odd number. */
        public Builder nodes(final int count)
        {
            if (count < 1)
            {
                throw new IllegalArgumentException("nodes must be >= 1 but was " + count);
            }
            this.size = count;
            return this;
        }

        /** {@code quorum} (default; every node is a voter) or {@code embedded} (millrace.broker.node.journal). */
        public Builder journal(final String name)
        {
            if (!"quorum".equals(name) && !"embedded".equals(name))
            {
                throw new IllegalArgumentException("journal must be quorum or embedded but was '" + name + "'");
            }
            this.journal = name;
            return this;
        }

        /** HOCON added to every node's configuration, over the harness's own settings. */
        public Builder config(final String hocon)
        {
            this.extraConfig = Objects.requireNonNull(hocon, "hocon");
            return this;
        }

        /** Options added to every node's JVM command line (after the heap, GC and JIT options and the --add-opens). */
        public Builder jvmOption(final String option)
        {
            jvmOptions.add(Objects.requireNonNull(option, "option"));
            return this;
        }

        /**
         * Replaces the harness's heap, GC and JIT options (default {@code -Xmx256m -XX:+UseSerialGC
         * -XX:TieredStopAtLevel=1}: small and quick to start, for tests), e.g. with a production-like set for a
         * benchmark. The {@code --add-opens} options Aeron needs stay.
         */
        public Builder heapGcAndJitOptions(final List<String> options)
        {
            this.heapGcAndJit = List.copyOf(options);
            return this;
        }

        /**
         * Lets the harness cut the network between nodes ({@link LocalCluster#cut}): every node runs
         * {@link NetworkFaultNodeMain} with {@code pekko.remote.artery.advanced.test-mode = on} (Artery passes every
         * message through its test stages, a small cost). Off by default.
         */
        public Builder networkFaults()
        {
            this.networkFaults = true;
            return this;
        }

        /** How long {@link #start} waits for every node to be ready (default 120 s). */
        public Builder startTimeout(final Duration timeout)
        {
            this.startTimeout = Objects.requireNonNull(timeout, "timeout");
            return this;
        }

        /**
         * Starts every node at once and waits until each is ready. On failure every started JVM is ended and the
         * directories are removed before the exception propagates (its message carries the failing node's stderr).
         */
        public LocalCluster start()
        {
            final Path root;
            try
            {
                root = Files.createTempDirectory("millrace-cluster-");
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot create the cluster's directory", ex);
            }
            final List<NodeProcess> nodes = new ArrayList<>();
            try
            {
                final List<NodePorts> ports = allocatePorts();
                for (int i = 0; i < size; i++)
                {
                    final Path dir = Files.createDirectories(root.resolve("node-" + i));
                    Files.createDirectories(dir.resolve("aeron"));
                    final Path conf = dir.resolve("node.conf");
                    Files.writeString(conf, nodeConfig(i, ports, dir), StandardCharsets.UTF_8);
                    nodes.add(new NodeProcess(i, ports.get(i), dir, conf, allJvmOptions(), networkFaults));
                }
                final LocalCluster started = new LocalCluster(root, nodes);
                for (final NodeProcess node : nodes)
                {
                    node.start();
                }
                final long deadline = System.nanoTime() + startTimeout.toNanos();
                for (final NodeProcess node : nodes)
                {
                    final Duration left = Duration.ofNanos(Math.max(1, deadline - System.nanoTime()));
                    try
                    {
                        node.awaitReady(left);
                    }
                    catch (final IllegalStateException ex)
                    {
                        throw new IllegalStateException(ex.getMessage() + System.lineSeparator() + node.stderrTail(40), ex);
                    }
                }
                return started;
            }
            catch (final IOException | RuntimeException ex)
            {
                try
                {
                    new LocalCluster(root, nodes).close();
                }
                catch (final RuntimeException closing)
                {
                    ex.addSuppressed(closing);
                }
                if (ex instanceof IOException io)
                {
                    throw new UncheckedIOException(io);
                }
                throw (RuntimeException)ex;
            }
        }

        private List<String> allJvmOptions()
        {
            final List<String> all = new ArrayList<>(heapGcAndJit);
            all.addAll(jvmOptions);
            return all;
        }

        private String nodeConfig(final int index, final List<NodePorts> ports, final Path dir)
        {
            final String seeds = ports.stream().map(p -> quote(HOST + ":" + p.cluster())).collect(Collectors.joining(", "));
            final StringBuilder conf = new StringBuilder()
                .append("# Written by dev.millrace.multinode.LocalCluster for node ").append(index).append('\n')
                .append("millrace.broker.node {\n")
                .append("  data-dir = ").append(quote(dir.resolve("data").toString())).append('\n')
                .append("  broker-id = ").append(index).append('\n')
                .append("  host = ").append(quote(HOST)).append('\n')
                .append("  port = ").append(ports.get(index).cluster()).append('\n')
                .append("  advertised-port = ").append(ports.get(index).kafka()).append('\n')
                .append("  seed-nodes = [").append(seeds).append("]\n")
                .append("  journal = ").append(journal).append('\n')
                .append("  start-timeout = ").append(startTimeout.toSeconds()).append("s\n")
                .append("}\n")
                .append("millrace.broker.kafka {\n  enabled = on\n  host = ").append(quote(HOST))
                .append("\n  port = ").append(ports.get(index).kafka()).append("\n}\n")
                // Quick failure handling for tests: a killed node is downed a few seconds after it stops answering.
                // Pekko's default seed-node-timeout (5 s): node 0 is the first seed, and a restarted node 0 that hears
                // from no other seed within it forms a cluster of its own; at 2 s that happened under load (~60 on 2
                // cores) in ReplicatedPartitionsITCase (see docs/multi-node-tests.md).
                .append("pekko.cluster.seed-node-timeout = 5s\n")
                .append("pekko.cluster.split-brain-resolver.stable-after = 3s\n")
                // pekko.cluster.retry-unsuccessful-join-after stays Pekko's 10 s: at 2 s a restarted node 0 rejoined
                // while its old incarnation was Down but not yet removed, printed its ready line, and then served
                // none of its partitions for over 40 s (see docs/multi-node-tests.md).
                .append("pekko.cluster.failure-detector.acceptable-heartbeat-pause = 2s\n");
            if (networkFaults)
            {
                conf.append("pekko.remote.artery.advanced.test-mode = on\n");
            }
            if ("quorum".equals(journal))
            {
                final String voters = ports.stream()
                    .map(p -> quote(ports.indexOf(p) + ":" + HOST + ":" + p.voterBase()))
                    .collect(Collectors.joining(", "));
                conf.append("millrace.persistence.quorum {\n")
                    .append("  voters = [").append(voters).append("]\n")
                    .append("  member-id = ").append(index).append('\n')
                    .append("  term-length = 256k\n")
                    .append("  max-chunk-bytes = 16k\n")
                    .append("  client.host = ").append(quote(HOST)).append('\n')
                    .append("  timeouts.leader-heartbeat = 1s\n")
                    .append("  timeouts.leader-heartbeat-interval = 100ms\n")
                    .append("  timeouts.election = 500ms\n")
                    .append("  timeouts.startup-canvass = 3s\n")
                    .append("}\n");
            }
            return conf.append(extraConfig).append('\n').toString();
        }

        private List<NodePorts> allocatePorts() throws IOException
        {
            final Set<Integer> taken = new HashSet<>();
            final List<NodePorts> ports = new ArrayList<>();
            for (int i = 0; i < size; i++)
            {
                final int cluster = freeTcpPort(taken);
                final int kafka = freeTcpPort(taken);
                final int voter = "quorum".equals(journal) ? freeUdpRange(taken) : -1;
                ports.add(new NodePorts(cluster, kafka, voter));
            }
            return ports;
        }

        private static int freeTcpPort(final Set<Integer> taken) throws IOException
        {
            for (int attempt = 0; attempt < 100; attempt++)
            {
                try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(HOST)))
                {
                    if (taken.add(socket.getLocalPort()))
                    {
                        return socket.getLocalPort();
                    }
                }
            }
            throw new IllegalStateException("no free TCP port found on " + HOST);
        }

        /** The first of {@value NodePorts#VOTER_PORTS} consecutive UDP ports that are free now. */
        private static int freeUdpRange(final Set<Integer> taken)
        {
            for (int attempt = 0; attempt < 200; attempt++)
            {
                final int base = ThreadLocalRandom.current().nextInt(20_000, 60_000);
                boolean free = true;
                for (int port = base; port < base + NodePorts.VOTER_PORTS && free; port++)
                {
                    free = !taken.contains(port) && udpFree(port);
                }
                if (free)
                {
                    for (int port = base; port < base + NodePorts.VOTER_PORTS; port++)
                    {
                        taken.add(port);
                    }
                    return base;
                }
            }
            throw new IllegalStateException("no " + NodePorts.VOTER_PORTS + " consecutive free UDP ports found on " + HOST);
        }

        private static boolean udpFree(final int port)
        {
            try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(HOST, port)))
            {
                return socket.getLocalPort() == port;
            }
            catch (final IOException ex)
            {
                return false;
            }
        }

        private static String quote(final String value)
        {
            return "\"" + value.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        }
    }
}
