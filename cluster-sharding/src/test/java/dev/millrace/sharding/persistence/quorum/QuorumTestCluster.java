package dev.millrace.sharding.persistence.quorum;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.millrace.transport.AeronTransportConfig;
import dev.millrace.transport.EmbeddedMediaDriver;
import io.aeron.cluster.service.Cluster;
import org.agrona.CloseHelper;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Three voters in this JVM on loopback, each with its own directory under {@code root} and, as on a node, running on
 * a transport-aeron {@link EmbeddedMediaDriver} of its own (a generated directory, closed after the voter), on free
 * UDP ports, with low-CPU idle strategies, small terms and short timeouts. Voters can be stopped and
 * started again one by one (same directory, same ports). {@link #close()} stops them all; the directories are the
 * caller's (a JUnit {@code @TempDir}).
 */
final class QuorumTestCluster implements AutoCloseable
{
    static final String JOURNAL_ID = "millrace.persistence.quorum.journal";
    static final String SNAPSHOT_ID = "millrace.persistence.quorum.snapshot";
    static final int VOTERS = 3;

    private final Path root;
    private final List<String> voters;
    private final Map<String, Object> overrides;
    private final QuorumVoter[] running = new QuorumVoter[VOTERS];
    private final EmbeddedMediaDriver[] drivers = new EmbeddedMediaDriver[VOTERS];

    QuorumTestCluster(final Path root, final Map<String, Object> overrides)
    {
        this.root = root;
        this.voters = freeVoters();
        this.overrides = overrides;
    }

    static QuorumTestCluster start(final Path root)
    {
        return start(root, Map.of());
    }

    static QuorumTestCluster start(final Path root, final Map<String, Object> overrides)
    {
        final QuorumTestCluster cluster = new QuorumTestCluster(root, overrides);
        try
        {
            for (int id = 0; id < VOTERS; id++)
            {
                cluster.startVoter(id);
            }
            return cluster;
        }
        catch (final RuntimeException ex)
        {
            cluster.close();
            throw ex;
        }
    }

    /**
     * @return the quorum block with the voters and fast test timeouts, as a client node (no voter) sees it.
     */
    Config clientConfig()
    {
        final Map<String, Object> settings = new HashMap<>();
        settings.put("voters", voters);
        settings.put("member-id", -1);
        settings.put("term-length", "256k");
        settings.put("max-chunk-bytes", "16k");
        settings.put("timeouts.leader-heartbeat", "1s");
        settings.put("timeouts.leader-heartbeat-interval", "100ms");
        settings.put("timeouts.election", "500ms");
        settings.put("timeouts.startup-canvass", "2s");
        settings.put("timeouts.session", "10s");
        settings.put("client.request-timeout", "5s");
        settings.putAll(overrides);
        return ConfigFactory.parseMap(Map.of(QuorumConfig.PATH, settings));
    }

    /**
     * @return a whole actor-system configuration using the quorum plugins as defaults.
     */
    Config systemConfig()
    {
        return clientConfig().withFallback(ConfigFactory.parseString(String.join("\n",
            "pekko.loglevel = WARNING",
            "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]",
            "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"",
            "pekko.persistence.journal.plugin = \"" + JOURNAL_ID + "\"",
            "pekko.persistence.snapshot-store.plugin = \"" + SNAPSHOT_ID + "\"",
            "pekko.actor.testkit.typed.single-expect-default = 10s",
            "pekko.actor.testkit.typed.default-timeout = 10s",
            "pekko.coordinated-shutdown.exit-jvm = off")));
    }

    QuorumConfig voterConfig(final int id)
    {
        final Config voter = ConfigFactory.parseMap(Map.of(
            QuorumConfig.PATH + ".member-id", id,
            QuorumConfig.PATH + ".dir", root.resolve("voter-" + id).toString()));
        return QuorumConfig.fromRoot(voter.withFallback(clientConfig()).withFallback(ConfigFactory.load()).resolve());
    }

    void startVoter(final int id)
    {
        if (running[id] == null)
        {
            final EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(testDriverConfig());
            try
            {
                running[id] = QuorumVoter.start(voterConfig(id), driver.aeronDirectoryName());
                drivers[id] = driver;
            }
            catch (final RuntimeException ex)
            {
                driver.close();
                throw ex;
            }
        }
    }

    void stopVoter(final int id)
    {
        final QuorumVoter voter = running[id];
        final EmbeddedMediaDriver driver = drivers[id];
        running[id] = null;
        drivers[id] = null;
        // The voter runs on the driver: it stops first.
        CloseHelper.closeAll(voter, driver);
    }

    /**
     * A node-like driver for one test voter: generated directory, small terms, parking idle strategies.
     */
    static AeronTransportConfig testDriverConfig()
    {
        return AeronTransportConfig.fromConfig(ConfigFactory.parseString(
            "millrace.transport.aeron { term-buffer-length = 256k, ipc-term-buffer-length = 256k, " +
            "idle-strategy.backoff.max-park-period = 100us }").withFallback(ConfigFactory.load()));
    }

    QuorumVoter voter(final int id)
    {
        return running[id];
    }

    /**
     * Waits, bounded, for one running voter to lead.
     *
     * @return its id.
     */
    int awaitLeader(final Duration timeout)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0)
        {
            for (int id = 0; id < VOTERS; id++)
            {
                if (running[id] != null && running[id].role() == Cluster.Role.LEADER)
                {
                    return id;
                }
            }
            pause();
        }
        throw new AssertionError("no leader among the running voters within " + timeout);
    }

    /**
     * Waits, bounded, until none of the voters this harness runs is a candidate any more: one leads, or all follow
     * a leader elsewhere (e.g. a voter run by a node's actor system).
     */
    void awaitLeaderOrNode(final Duration timeout)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0)
        {
            boolean settled = true;
            for (int id = 0; id < VOTERS; id++)
            {
                if (running[id] != null && running[id].role() == Cluster.Role.CANDIDATE)
                {
                    settled = false;
                }
            }
            if (settled)
            {
                return;
            }
            pause();
        }
        throw new AssertionError("the voters did not settle within " + timeout);
    }

    private static void pause()
    {
        try
        {
            Thread.sleep(20);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    @Override
    public void close()
    {
        for (int id = 0; id < VOTERS; id++)
        {
            stopVoter(id);
        }
    }

    private static List<String> freeVoters()
    {
        for (int attempt = 0; attempt < 50; attempt++)
        {
            final int base = ThreadLocalRandom.current().nextInt(20_000, 60_000);
            if (portsFree(base, VOTERS * 10))
            {
                final List<String> list = new ArrayList<>();
                for (int id = 0; id < VOTERS; id++)
                {
                    list.add(id + ":127.0.0.1:" + (base + id * 10));
                }
                return list;
            }
        }
        throw new IllegalStateException("no free range of UDP ports found");
    }

    private static boolean portsFree(final int base, final int count)
    {
        for (int port = base; port < base + count; port++)
        {
            try (DatagramSocket socket = new DatagramSocket(null))
            {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            }
            catch (final IOException ex)
            {
                return false;
            }
        }
        return true;
    }
}
