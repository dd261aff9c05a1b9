package dev.millrace.transport;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.aeron.Aeron;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.exceptions.ActiveDriverException;
import io.aeron.exceptions.DriverTimeoutException;
import org.agrona.CloseHelper;
import org.agrona.IoUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The node's Aeron media driver, embedded in the JVM, and Millrace's own {@link Aeron} client connected to it.
 * <p>
 * One driver serves the whole node: Artery ({@link #arteryConfig()} points Pekko remoting at it with its own
 * embedded driver off), Millrace's bulk data channels ({@link #aeron()}), and later Aeron Archive and Cluster
 * ({@link #aeronDirectoryName()}).
 * <p>
 * <b>One driver per directory per JVM.</b> {@link #launch(AeronTransportConfig)} refuses a directory that an
 * {@code EmbeddedMediaDriver} of this JVM already serves (share that instance instead), and Aeron itself refuses
 * a directory in which a driver of another process is alive (unless {@code dir-delete-on-start = on}). Drivers
 * in different directories coexist, which is how tests run several nodes in one JVM. There is no reference
 * counting: the code that launched the driver owns it and closes it.
 * <p>
 * <b>Start is all-or-nothing.</b> A failed start (missing {@code --add-opens}, a directory that cannot be
 * created, an active driver in the directory, a client that cannot connect) releases whatever it created —
 * driver and client threads are stopped and the directory is removed if this start created it — and throws a
 * {@link TransportStartException} that says what to do. The JVM flags are checked before anything is created,
 * because without them Aeron fails with an {@link Error} half-way through its start. All driver and client
 * threads are daemon threads, so even a leak could not keep the JVM alive.
 * <p>
 * <b>Shutdown</b> ({@link #close()}): the client, then the driver (their threads are joined), then the directory
 * is deleted (always for a generated one, else when {@code dir-delete-on-shutdown = on}). Generated directories
 * that processes killed without a shutdown left behind are removed at the next start of a driver with a generated
 * directory on the same machine (see {@link StaleAeronDirectories} for when a directory counts as stale).
 * <p>
 * Threading: {@link #launch(AeronTransportConfig)} and {@link #close()} may be called from any thread;
 * {@link #close()} is idempotent. The {@link Aeron} client is thread safe.
 */
public final class EmbeddedMediaDriver implements AutoCloseable
{
    /** Name prefix of the threads created for the driver and client (Aeron renames them to their role names). */
    public static final String THREAD_NAME_PREFIX = "millrace-aeron-";

    /** The flags every JVM that starts a driver or client needs on Java 17 (see shared/STACK.md). */
    public static final String REQUIRED_JVM_FLAGS =
        "--add-opens java.base/sun.nio.ch=ALL-UNNAMED --add-opens java.base/jdk.internal.misc=ALL-UNNAMED";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMediaDriver.class);
    private static final List<String> REQUIRED_OPEN_PACKAGES = List.of("jdk.internal.misc", "sun.nio.ch");
    private static final Set<Path> ACTIVE_DIRS = ConcurrentHashMap.newKeySet();

    private final AeronTransportConfig config;
    private final Path dir;
    private final MediaDriver driver;
    private final Aeron aeron;
    private final DriverThreadFactory threads;
    private final AtomicBoolean closed = new AtomicBoolean();

    private EmbeddedMediaDriver(
        final AeronTransportConfig config,
        final MediaDriver driver,
        final Aeron aeron,
        final DriverThreadFactory threads)
    {
        this.config = config;
        this.dir = config.aeronDir();
        this.driver = driver;
        this.aeron = aeron;
        this.threads = threads;
    }

    /**
     * Starts a driver and connects a client to it, as {@code config} says.
     *
     * @param config validated settings, e.g. {@link AeronTransportConfig#load()}.
     * @return the running driver; close it to stop it.
     * @throws TransportStartException if it cannot start; nothing is left behind.
     */
    public static EmbeddedMediaDriver launch(final AeronTransportConfig config)
    {
        return launch(config, (driver) -> {});
    }

    /**
     * {@link #launch(AeronTransportConfig)} with a hook run between driver start and client connect, where
     * tests inject failures to check that a start failing with running driver threads cleans up.
     */
    static EmbeddedMediaDriver launch(final AeronTransportConfig config, final Consumer<MediaDriver> afterDriverStart)
    {
        checkJvmFlags();

        final Path dir = config.aeronDir();
        if (!ACTIVE_DIRS.add(dir))
        {
            throw new TransportStartException(
                "an embedded Aeron media driver is already running in this JVM in " + dir +
                "; share that EmbeddedMediaDriver (one per JVM) or set " + AeronTransportConfig.AERON_DIR +
                " to another directory (or 'auto')", null);
        }

        if (config.aeronDirGenerated())
        {
            StaleAeronDirectories.sweep(dir.getParent(), config.driverTimeoutMs(), System.currentTimeMillis());
        }

        final boolean existedBefore = Files.exists(dir, LinkOption.NOFOLLOW_LINKS);
        final DriverThreadFactory threads = new DriverThreadFactory();
        MediaDriver.Context driverContext = null;
        MediaDriver driver = null;
        Aeron aeron = null;
        try
        {
            if (existedBefore && !Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS))
            {
                throw new TransportStartException(
                    AeronTransportConfig.AERON_DIR + ": " + dir + " exists and is not a directory; point " +
                    AeronTransportConfig.AERON_DIR + " at a directory (or 'auto')", null);
            }

            driverContext = driverContext(config, threads);
            driver = MediaDriver.launch(driverContext);
            afterDriverStart.accept(driver);
            aeron = Aeron.connect(clientContext(config, threads));

            final EmbeddedMediaDriver embedded = new EmbeddedMediaDriver(config, driver, aeron, threads);
            LOG.info("Aeron media driver started: {}", config);
            return embedded;
        }
        catch (final Throwable ex)
        {
            CloseHelper.quietClose(aeron);
            CloseHelper.quietClose(driver);
            if (null != driverContext)
            {
                // Aeron closes its context only when the start fails with an Exception, not with an Error.
                CloseHelper.quietClose(driverContext::close);
            }
            threads.awaitTermination(config.driverTimeoutMs());
            if (!existedBefore)
            {
                IoUtil.delete(dir.toFile(), true);
            }
            ACTIVE_DIRS.remove(dir);

            if (ex instanceof TransportStartException)
            {
                throw (TransportStartException)ex;
            }
            if (ex instanceof VirtualMachineError)
            {
                throw (VirtualMachineError)ex;
            }
            throw new TransportStartException(startFailureMessage(dir, ex), ex);
        }
    }

    /**
     * @return the directory Artery, Aeron Archive and Aeron Cluster must use to share this driver.
     */
    public String aeronDirectoryName()
    {
        return dir.toString();
    }

    /**
     * @return the directory as a path.
     */
    public Path aeronDir()
    {
        return dir;
    }

    /**
     * @return Millrace's own client of this driver, for publications and subscriptions; closed by {@link #close()}.
     */
    public Aeron aeron()
    {
        return aeron;
    }

    /**
     * @return the settings this driver runs with.
     */
    public AeronTransportConfig config()
    {
        return config;
    }

    /**
     * @return the threads created for the driver and client, for tests and diagnostics.
     */
    List<Thread> threads()
    {
        return threads.created();
    }

    /**
     * @return true until {@link #close()} is called.
     */
    public boolean isRunning()
    {
        return !closed.get();
    }

    /**
     * The Pekko settings that make Artery use this driver: put them in front of the node's configuration
     * ({@code arteryConfig().withFallback(config)}) before the {@code ActorSystem} is created. The node still
     * sets {@code pekko.actor.provider = cluster} and the canonical host and port itself.
     *
     * @return {@code pekko.remote.artery.transport = aeron-udp}, {@code advanced.aeron.embedded-media-driver = off},
     *     {@code advanced.aeron.aeron-dir} = this directory, {@code advanced.aeron.idle-cpu-level} from the profile.
     */
    public Config arteryConfig()
    {
        final Map<String, Object> settings = new LinkedHashMap<>();
        settings.put("pekko.remote.artery.transport", "aeron-udp");
        settings.put("pekko.remote.artery.advanced.aeron.embedded-media-driver", Boolean.FALSE);
        settings.put("pekko.remote.artery.advanced.aeron.aeron-dir", dir.toString());
        settings.put("pekko.remote.artery.advanced.aeron.idle-cpu-level", config.arteryIdleCpuLevel());
        return ConfigFactory.parseMap(settings, "EmbeddedMediaDriver.arteryConfig() for " + dir);
    }

    /**
     * Closes the client, then the driver, waits for their threads, then deletes the directory (generated, or
     * {@code dir-delete-on-shutdown = on}). Idempotent.
     */
    @Override
    public void close()
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }

        try
        {
            CloseHelper.closeAll(aeron, driver);
        }
        catch (final Exception ex)
        {
            LOG.warn("error while closing the Aeron media driver in {}", dir, ex);
        }
        finally
        {
            threads.awaitTermination(config.driverTimeoutMs());
            if (config.dirDeleteOnShutdown())
            {
                IoUtil.delete(dir.toFile(), true);
            }
            ACTIVE_DIRS.remove(dir);
            LOG.info("Aeron media driver stopped: {}", dir);
        }
    }

    @Override
    public String toString()
    {
        return "EmbeddedMediaDriver{dir=" + dir + ", running=" + isRunning() + '}';
    }

    /**
     * Fails fast, before Aeron is touched, when the JVM lacks the {@code --add-opens} flags Aeron needs: without
     * them Aeron throws an {@link IllegalAccessError} from a static initialiser half-way through its start.
     *
     * @throws TransportStartException naming the missing flags.
     */
    static void checkJvmFlags()
    {
        final Module javaBase = Object.class.getModule();
        final Module agrona = org.agrona.BufferUtil.class.getModule();
        final StringBuilder missing = new StringBuilder();
        for (final String pkg : REQUIRED_OPEN_PACKAGES)
        {
            if (!javaBase.isOpen(pkg, agrona))
            {
                missing.append(missing.length() == 0 ? "" : " ").append("--add-opens java.base/").append(pkg)
                    .append('=').append(agrona.isNamed() ? agrona.getName() : "ALL-UNNAMED");
            }
        }

        if (missing.length() > 0)
        {
            throw new TransportStartException(
                "the Aeron media driver cannot start in this JVM: add the JVM flags " + missing +
                " (every JVM that runs a media driver or an Aeron client needs " + REQUIRED_JVM_FLAGS + ")", null);
        }
    }

    private static MediaDriver.Context driverContext(
        final AeronTransportConfig config, final DriverThreadFactory threads)
    {
        final IdleStrategies.Params params = config.idleStrategyParams();
        final Path dir = config.aeronDir();
        return new MediaDriver.Context()
            .aeronDirectoryName(dir.toString())
            .threadingMode(config.threadingMode())
            .conductorIdleStrategy(IdleStrategies.create(config.conductorIdleStrategy(), params))
            .senderIdleStrategy(IdleStrategies.create(config.senderIdleStrategy(), params))
            .receiverIdleStrategy(IdleStrategies.create(config.receiverIdleStrategy(), params))
            .sharedIdleStrategy(IdleStrategies.create(config.sharedIdleStrategy(), params))
            .sharedNetworkIdleStrategy(IdleStrategies.create(config.sharedNetworkIdleStrategy(), params))
            .asyncExecutorIdleStrategy(IdleStrategies.create(config.conductorIdleStrategy(), params))
            .conductorThreadFactory(threads)
            .senderThreadFactory(threads)
            .receiverThreadFactory(threads)
            .sharedThreadFactory(threads)
            .sharedNetworkThreadFactory(threads)
            .asyncExecutorThreadFactory(threads)
            .publicationTermBufferLength(config.termBufferLength())
            .ipcTermBufferLength(config.ipcTermBufferLength())
            .driverTimeoutMs(config.driverTimeoutMs())
            .dirDeleteOnStart(config.dirDeleteOnStart())
            // The directory is deleted by us, so that a failed start never deletes a directory it did not create.
            .dirDeleteOnShutdown(false)
            .warnIfDirectoryExists(false)
            .printConfigurationOnStart(false)
            .errorHandler((throwable) -> LOG.error("Aeron media driver error in {}", dir, throwable));
    }

    private static Aeron.Context clientContext(final AeronTransportConfig config, final DriverThreadFactory threads)
    {
        final Path dir = config.aeronDir();
        return new Aeron.Context()
            .aeronDirectoryName(dir.toString())
            .clientName("millrace")
            .driverTimeoutMs(config.driverTimeoutMs())
            .idleStrategy(IdleStrategies.create(config.conductorIdleStrategy(), config.idleStrategyParams()))
            .threadFactory(threads)
            .errorHandler((throwable) -> LOG.error("Aeron client error in {}", dir, throwable));
    }

    private static String startFailureMessage(final Path dir, final Throwable ex)
    {
        final String prefix = "the embedded Aeron media driver failed to start in " + dir + ": " + ex + "; ";
        if (ex instanceof ActiveDriverException)
        {
            return prefix + "another media driver is active in that directory; stop it, or set " +
                AeronTransportConfig.AERON_DIR + " to another directory (or 'auto')";
        }
        if (ex instanceof DriverTimeoutException)
        {
            return prefix + "the driver did not answer its client within " + AeronTransportConfig.DRIVER_TIMEOUT +
                "; is the machine overloaded?";
        }
        if (ex instanceof LinkageError)
        {
            return prefix + "check the JVM flags (" + REQUIRED_JVM_FLAGS + ") and that one Aeron/Agrona version " +
                "is on the class path";
        }
        return prefix + "check that " + AeronTransportConfig.AERON_DIR + " names a directory this process can " +
            "create and write, on a file system with free space";
    }

    /**
     * Creates the driver's and client's threads as daemons and remembers them, so a failed start or a close can
     * wait for every one of them to end.
     */
    static final class DriverThreadFactory implements ThreadFactory
    {
        private final List<Thread> created = new CopyOnWriteArrayList<>();
        private final AtomicInteger count = new AtomicInteger();

        @Override
        public Thread newThread(final Runnable runnable)
        {
            final Thread thread = new Thread(runnable, THREAD_NAME_PREFIX + count.incrementAndGet());
            thread.setDaemon(true);
            created.add(thread);
            return thread;
        }

        List<Thread> created()
        {
            return created;
        }

        /**
         * Joins every created thread, interrupting those still alive half-way through the timeout.
         *
         * @param timeoutMs overall bound.
         */
        void awaitTermination(final long timeoutMs)
        {
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            final long interruptAtNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs / 2);
            boolean interrupted = false;
            for (final Thread thread : created)
            {
                while (thread.isAlive())
                {
                    final long nowNs = System.nanoTime();
                    if (nowNs - deadlineNs >= 0)
                    {
                        LOG.warn("Aeron thread {} did not stop within {} ms", thread.getName(), timeoutMs);
                        break;
                    }
                    if (nowNs - interruptAtNs >= 0)
                    {
                        thread.interrupt();
                    }
                    try
                    {
                        thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNs - nowNs) / 4));
                    }
                    catch (final InterruptedException ex)
                    {
                        interrupted = true;
                    }
                }
            }
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
    }
}
