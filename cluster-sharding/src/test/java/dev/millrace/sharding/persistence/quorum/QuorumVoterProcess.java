package dev.millrace.sharding.persistence.quorum;

import com.typesafe.config.ConfigFactory;
import dev.millrace.transport.EmbeddedMediaDriver;
import io.aeron.cluster.service.Cluster;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A voter in its own JVM, for {@link QuorumKillLeaderITCase}: {@code QuorumVoterProcess <member-id> <dir>
 * <voter>...}. Like a node, it runs on one transport-aeron {@link EmbeddedMediaDriver}. Prints {@code READY <id>} once started and {@code ROLE <role>} whenever its role changes; stops
 * cleanly when its standard input closes (the parent went away), or dies with {@code kill -9}.
 */
public final class QuorumVoterProcess
{
    private QuorumVoterProcess()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final int memberId = Integer.parseInt(args[0]);
        final Map<String, Object> settings = new java.util.HashMap<>(Map.of(
            "voters", Arrays.asList(args).subList(2, args.length),
            "member-id", memberId,
            "dir", args[1],
            "term-length", "256k",
            "max-chunk-bytes", "16k"));
        settings.put("timeouts.leader-heartbeat", "1s");
        settings.put("timeouts.leader-heartbeat-interval", "100ms");
        settings.put("timeouts.election", "500ms");
        settings.put("timeouts.startup-canvass", "3s");
        final QuorumConfig config = QuorumConfig.fromRoot(ConfigFactory.parseMap(Map.of(QuorumConfig.PATH, settings))
            .withFallback(ConfigFactory.load()).resolve());
        final ScheduledExecutorService reporter = Executors.newSingleThreadScheduledExecutor();
        try (EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(QuorumTestCluster.testDriverConfig());
             QuorumVoter voter = QuorumVoter.start(config, driver.aeronDirectoryName()))
        {
            System.out.println("READY " + memberId);
            System.out.flush();
            final AtomicReference<Cluster.Role> reported = new AtomicReference<>();
            reporter.scheduleAtFixedRate(
                () ->
                {
                    final Cluster.Role role = voter.role();
                    if (reported.getAndSet(role) != role)
                    {
                        System.out.println("ROLE " + role);
                        System.out.flush();
                    }
                },
                0, 20, TimeUnit.MILLISECONDS);
            final InputStream in = System.in;
            while (in.read() != -1)
            {
                // Only end of input matters.
            }
        }
        finally
        {
            reporter.shutdownNow();
        }
    }
}
