package dev.millrace.broker.node;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.millrace.transport.AeronTransportConfig;
import dev.millrace.transport.EmbeddedMediaDriver;

/**
 * The node's one Aeron media driver (transport-aeron's {@link EmbeddedMediaDriver}), launched only when the node
 * needs Aeron: the quorum journal ({@code journal = quorum}: voter and client) or Artery over Aeron
 * ({@code transport = aeron-udp}). Everything Aeron on the node runs on it; nothing else launches a driver.
 *
 * <p>The driver's settings are {@code millrace.transport.aeron} (transport-aeron's {@code reference.conf}): by default
 * a generated directory {@code millrace-aeron-<pid>-<random>} under {@code /dev/shm}, unique even for several nodes
 * in one JVM, and the small-machine profile (one driver thread that parks when idle, Artery
 * {@code idle-cpu-level = 1}). It is launched before the actor system and closed after it has terminated, because
 * Artery's and the quorum's publications live in it.
 *
 * <p>Threading: static helpers, called by {@link BrokerNode#start} on its thread.
 */
final class NodeMediaDriver
{
    /** {@code transport} value that selects Artery over Aeron UDP on the node's driver. */
    static final String AERON_UDP = "aeron-udp";

    private NodeMediaDriver()
    {
    }

    /** Whether the node needs a media driver with these settings. */
    static boolean needed(final BrokerNodeSettings settings)
    {
        return settings.quorumJournal() || AERON_UDP.equals(settings.transport());
    }

    /**
     * Launches the node's driver when it needs one.
     *
     * @param config the whole configuration ({@code millrace.transport.aeron} is read from it)
     * @throws dev.millrace.transport.TransportConfigException naming the key of a bad transport setting
     * @throws dev.millrace.transport.TransportStartException when the driver cannot start (nothing left behind)
     */
    static Optional<EmbeddedMediaDriver> launchIfNeeded(final BrokerNodeSettings settings, final Config config)
    {
        if (!needed(settings))
        {
            return Optional.empty();
        }
        return Optional.of(EmbeddedMediaDriver.launch(AeronTransportConfig.fromConfig(config)));
    }

    /**
     * Keeps the JVM from exiting (SIGTERM: Pekko's Coordinated Shutdown runs in a JVM shutdown hook) before the driver
     * is closed after the actor system has terminated, so that its directory is removed: a JVM shutdown hook that
     * waits, bounded, for {@code stopped}. It is removed again once the node has stopped without a JVM exit.
     *
     * @param stopped completes when the system has terminated and the driver is closed
     * @param timeout longest wait in the hook
     */
    static void closeBeforeJvmExit(final CompletionStage<?> stopped, final Duration timeout)
    {
        final Thread hook = new Thread(() ->
        {
            try
            {
                stopped.toCompletableFuture().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
            catch (final ExecutionException | TimeoutException ex)
            {
                // Exiting anyway: the next driver start sweeps a generated directory left behind.
            }
        }, "millrace-node-driver-close");
        try
        {
            Runtime.getRuntime().addShutdownHook(hook);
        }
        catch (final IllegalStateException ex)
        {
            return; // The JVM is already exiting.
        }
        stopped.whenComplete((done, failure) ->
        {
            try
            {
                Runtime.getRuntime().removeShutdownHook(hook);
            }
            catch (final IllegalStateException ex)
            {
                // The JVM is exiting: the hook runs and returns at once.
            }
        });
    }

    /**
     * What the node sets so that everything uses its driver: the quorum's voter and client
     * ({@code millrace.persistence.quorum.aeron-dir}) and, with {@code transport = aeron-udp}, Artery
     * ({@link EmbeddedMediaDriver#arteryConfig()}: its own embedded driver off, the driver's directory, the profile's
     * {@code idle-cpu-level}).
     */
    static Config nodeConfig(final BrokerNodeSettings settings, final EmbeddedMediaDriver driver)
    {
        Config config = ConfigFactory.empty();
        if (settings.quorumJournal())
        {
            config = config.withValue("millrace.persistence.quorum.aeron-dir",
                ConfigValueFactory.fromAnyRef(driver.aeronDirectoryName()));
        }
        if (AERON_UDP.equals(settings.transport()))
        {
            config = driver.arteryConfig().withFallback(config);
        }
        return config;
    }
}
