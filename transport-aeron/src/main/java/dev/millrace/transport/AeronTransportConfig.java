package dev.millrace.transport;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import io.aeron.driver.ThreadingMode;
import io.aeron.logbuffer.LogBufferDescriptor;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The settings of the embedded Aeron media driver, read from {@code millrace.transport.aeron} (every key, its
 * default and its meaning are in this module's {@code reference.conf}) and validated completely when built,
 * in the spirit of Aeron's {@code MediaDriver.Context.conclude()}: a bad value fails start-up with a
 * {@link TransportConfigException} whose message names the full key and the allowed values, before any
 * directory or thread exists.
 * <p>
 * {@code auto} values are resolved here from the {@link Profile}, so the getters always return concrete
 * values. An {@code aeron-dir = auto} is resolved to a fresh per-process name; two {@code AeronTransportConfig}s
 * loaded from the same settings therefore name different directories.
 * <p>
 * Threading: immutable and thread safe once built.
 */
public final class AeronTransportConfig
{
    /** Root of every key of this module. */
    public static final String PREFIX = "millrace.transport.aeron";

    /** Value that means "derive from the profile" (or, for the directory, "generate one"). */
    public static final String AUTO = "auto";

    /** Key of the media driver directory. */
    public static final String AERON_DIR = PREFIX + ".aeron-dir";
    /** Key of the deployment profile. */
    public static final String PROFILE = PREFIX + ".profile";
    /** Key of the driver threading mode. */
    public static final String THREADING_MODE = PREFIX + ".threading-mode";
    /** Key of the conductor's idle strategy (also used by Millrace's Aeron client conductor). */
    public static final String CONDUCTOR_IDLE_STRATEGY = PREFIX + ".idle-strategy.conductor";
    /** Key of the sender's idle strategy ({@code dedicated} mode). */
    public static final String SENDER_IDLE_STRATEGY = PREFIX + ".idle-strategy.sender";
    /** Key of the receiver's idle strategy ({@code dedicated} mode). */
    public static final String RECEIVER_IDLE_STRATEGY = PREFIX + ".idle-strategy.receiver";
    /** Key of the single driver thread's idle strategy ({@code shared} mode). */
    public static final String SHARED_IDLE_STRATEGY = PREFIX + ".idle-strategy.shared";
    /** Key of the sender-plus-receiver thread's idle strategy ({@code shared-network} mode). */
    public static final String SHARED_NETWORK_IDLE_STRATEGY = PREFIX + ".idle-strategy.shared-network";
    /** Key of the park period of the {@code sleeping} strategy. */
    public static final String SLEEPING_PARK_PERIOD = PREFIX + ".idle-strategy.sleeping.park-period";
    /** Key of the spins of the {@code backoff} strategy. */
    public static final String BACKOFF_MAX_SPINS = PREFIX + ".idle-strategy.backoff.max-spins";
    /** Key of the yields of the {@code backoff} strategy. */
    public static final String BACKOFF_MAX_YIELDS = PREFIX + ".idle-strategy.backoff.max-yields";
    /** Key of the first park period of the {@code backoff} strategy. */
    public static final String BACKOFF_MIN_PARK_PERIOD = PREFIX + ".idle-strategy.backoff.min-park-period";
    /** Key of the longest park period of the {@code backoff} strategy. */
    public static final String BACKOFF_MAX_PARK_PERIOD = PREFIX + ".idle-strategy.backoff.max-park-period";
    /** Key of the term length of network publications. */
    public static final String TERM_BUFFER_LENGTH = PREFIX + ".term-buffer-length";
    /** Key of the term length of IPC publications. */
    public static final String IPC_TERM_BUFFER_LENGTH = PREFIX + ".ipc-term-buffer-length";
    /** Key of the driver liveness timeout. */
    public static final String DRIVER_TIMEOUT = PREFIX + ".driver-timeout";
    /** Key of "delete an existing directory at start without checking for a live driver". */
    public static final String DIR_DELETE_ON_START = PREFIX + ".dir-delete-on-start";
    /** Key of "delete the directory at shutdown". */
    public static final String DIR_DELETE_ON_SHUTDOWN = PREFIX + ".dir-delete-on-shutdown";
    /** Key of Artery's {@code idle-cpu-level} written into {@link EmbeddedMediaDriver#arteryConfig()}. */
    public static final String ARTERY_IDLE_CPU_LEVEL = PREFIX + ".artery-idle-cpu-level";

    /** Every key this module reads; anything else under {@link #PREFIX} is rejected as a likely typo. */
    public static final List<String> KEYS = List.of(
        AERON_DIR, PROFILE, THREADING_MODE,
        CONDUCTOR_IDLE_STRATEGY, SENDER_IDLE_STRATEGY, RECEIVER_IDLE_STRATEGY, SHARED_IDLE_STRATEGY,
        SHARED_NETWORK_IDLE_STRATEGY, SLEEPING_PARK_PERIOD, BACKOFF_MAX_SPINS, BACKOFF_MAX_YIELDS,
        BACKOFF_MIN_PARK_PERIOD, BACKOFF_MAX_PARK_PERIOD, TERM_BUFFER_LENGTH, IPC_TERM_BUFFER_LENGTH,
        DRIVER_TIMEOUT, DIR_DELETE_ON_START, DIR_DELETE_ON_SHUTDOWN, ARTERY_IDLE_CPU_LEVEL);

    /** Threading-mode names accepted in configuration, in error-message order. */
    public static final List<String> THREADING_MODE_NAMES = List.of(AUTO, "shared", "shared-network", "dedicated");

    /** Prefix of generated directory names: {@code millrace-aeron-<pid>-<random>}. */
    public static final String GENERATED_DIR_PREFIX = "millrace-aeron-";

    private static final long MAX_DRIVER_TIMEOUT_MS = 3_600_000L;

    /**
     * A deployment profile: the defaults for everything left at {@code auto}.
     */
    public enum Profile
    {
        /**
         * Few cores shared with other work (the default): one driver thread ({@code shared}) that parks when
         * idle, so an idle node costs a few percent of a core; Artery at {@code idle-cpu-level = 1}. Latency
         * is in milliseconds over UDP on a busy machine.
         */
        SMALL_MACHINE("small-machine", ThreadingMode.SHARED,
            IdleStrategies.SLEEPING, IdleStrategies.BACKOFF, IdleStrategies.BACKOFF, IdleStrategies.BACKOFF,
            IdleStrategies.BACKOFF, 1),

        /**
         * Cores reserved for the driver: {@code dedicated} sender, receiver and conductor threads; sender and
         * receiver busy-spin (each takes a whole core, always), the conductor backs off; Artery at
         * {@code idle-cpu-level = 10}. Microsecond latency when the cores are really there.
         */
        LOW_LATENCY("low-latency", ThreadingMode.DEDICATED,
            IdleStrategies.BACKOFF, IdleStrategies.BUSY_SPIN, IdleStrategies.BUSY_SPIN, IdleStrategies.BUSY_SPIN,
            IdleStrategies.BUSY_SPIN, 10);

        private final String configName;
        private final ThreadingMode threadingMode;
        private final String conductorIdleStrategy;
        private final String senderIdleStrategy;
        private final String receiverIdleStrategy;
        private final String sharedIdleStrategy;
        private final String sharedNetworkIdleStrategy;
        private final int arteryIdleCpuLevel;

        Profile(
            final String configName,
            final ThreadingMode threadingMode,
            final String conductorIdleStrategy,
            final String senderIdleStrategy,
            final String receiverIdleStrategy,
            final String sharedIdleStrategy,
            final String sharedNetworkIdleStrategy,
            final int arteryIdleCpuLevel)
        {
            this.configName = configName;
            this.threadingMode = threadingMode;
            this.conductorIdleStrategy = conductorIdleStrategy;
            this.senderIdleStrategy = senderIdleStrategy;
            this.receiverIdleStrategy = receiverIdleStrategy;
            this.sharedIdleStrategy = sharedIdleStrategy;
            this.sharedNetworkIdleStrategy = sharedNetworkIdleStrategy;
            this.arteryIdleCpuLevel = arteryIdleCpuLevel;
        }

        /**
         * @return the name used in configuration, e.g. {@code small-machine}.
         */
        public String configName()
        {
            return configName;
        }

        /**
         * @return the threading mode used when {@code threading-mode = auto}.
         */
        public ThreadingMode threadingMode()
        {
            return threadingMode;
        }

        /**
         * @return Artery's {@code idle-cpu-level} used when {@code artery-idle-cpu-level = auto}.
         */
        public int arteryIdleCpuLevel()
        {
            return arteryIdleCpuLevel;
        }

        /**
         * @return the configuration names of all profiles, in declaration order.
         */
        public static List<String> configNames()
        {
            final List<String> names = new ArrayList<>();
            for (final Profile profile : values())
            {
                names.add(profile.configName);
            }
            return names;
        }
    }

    private final Path aeronDir;
    private final boolean aeronDirGenerated;
    private final Profile profile;
    private final ThreadingMode threadingMode;
    private final String conductorIdleStrategy;
    private final String senderIdleStrategy;
    private final String receiverIdleStrategy;
    private final String sharedIdleStrategy;
    private final String sharedNetworkIdleStrategy;
    private final IdleStrategies.Params idleStrategyParams;
    private final int termBufferLength;
    private final int ipcTermBufferLength;
    private final long driverTimeoutMs;
    private final boolean dirDeleteOnStart;
    private final boolean dirDeleteOnShutdown;
    private final int arteryIdleCpuLevel;

    private AeronTransportConfig(final Config config)
    {
        rejectUnknownKeys(config);

        profile = profile(config);

        final String dir = nonEmptyString(config, AERON_DIR);
        aeronDirGenerated = AUTO.equals(dir);
        aeronDir = aeronDirGenerated ? generateDir() : explicitDir(dir);

        threadingMode = threadingMode(config, profile);
        conductorIdleStrategy = idleStrategy(config, CONDUCTOR_IDLE_STRATEGY, profile.conductorIdleStrategy);
        senderIdleStrategy = idleStrategy(config, SENDER_IDLE_STRATEGY, profile.senderIdleStrategy);
        receiverIdleStrategy = idleStrategy(config, RECEIVER_IDLE_STRATEGY, profile.receiverIdleStrategy);
        sharedIdleStrategy = idleStrategy(config, SHARED_IDLE_STRATEGY, profile.sharedIdleStrategy);
        sharedNetworkIdleStrategy = idleStrategy(
            config, SHARED_NETWORK_IDLE_STRATEGY, profile.sharedNetworkIdleStrategy);

        final long sleepingParkNs = positiveDurationNs(config, SLEEPING_PARK_PERIOD);
        final long maxSpins = nonNegativeLong(config, BACKOFF_MAX_SPINS);
        final long maxYields = nonNegativeLong(config, BACKOFF_MAX_YIELDS);
        final long minParkNs = positiveDurationNs(config, BACKOFF_MIN_PARK_PERIOD);
        final long maxParkNs = positiveDurationNs(config, BACKOFF_MAX_PARK_PERIOD);
        if (maxParkNs < minParkNs)
        {
            throw new TransportConfigException(
                BACKOFF_MAX_PARK_PERIOD,
                maxParkNs + " ns is less than " + BACKOFF_MIN_PARK_PERIOD + " (" + minParkNs + " ns)");
        }
        idleStrategyParams = new IdleStrategies.Params(sleepingParkNs, maxSpins, maxYields, minParkNs, maxParkNs);

        termBufferLength = termLength(config, TERM_BUFFER_LENGTH);
        ipcTermBufferLength = termLength(config, IPC_TERM_BUFFER_LENGTH);

        final long timeoutMs = positiveDurationNs(config, DRIVER_TIMEOUT) / 1_000_000L;
        if (timeoutMs < 1 || timeoutMs > MAX_DRIVER_TIMEOUT_MS)
        {
            throw new TransportConfigException(
                DRIVER_TIMEOUT, "'" + config.getValue(DRIVER_TIMEOUT).unwrapped() + "' is not in [1ms, 1h]");
        }
        driverTimeoutMs = timeoutMs;

        dirDeleteOnStart = bool(config, DIR_DELETE_ON_START);
        dirDeleteOnShutdown = bool(config, DIR_DELETE_ON_SHUTDOWN);
        arteryIdleCpuLevel = arteryIdleCpuLevel(config, profile);
    }

    /**
     * Loads from the application's configuration ({@link ConfigFactory#load()}: {@code application.conf},
     * {@code -D} overrides, every {@code reference.conf}).
     *
     * @return the validated settings.
     * @throws TransportConfigException naming the first invalid key.
     */
    public static AeronTransportConfig load()
    {
        return fromConfig(ConfigFactory.load());
    }

    /**
     * Reads {@code millrace.transport.aeron} from a root configuration; keys it does not set take their
     * defaults from this module's {@code reference.conf}.
     *
     * @param root a root configuration (the one the node's {@code ActorSystem} uses, or a partial one).
     * @return the validated settings.
     * @throws TransportConfigException naming the first invalid key.
     */
    public static AeronTransportConfig fromConfig(final Config root)
    {
        final Config config = root
            .withFallback(ConfigFactory.defaultReference(AeronTransportConfig.class.getClassLoader()))
            .resolve();
        return new AeronTransportConfig(config);
    }

    /**
     * @return absolute path of the media driver directory.
     */
    public Path aeronDir()
    {
        return aeronDir;
    }

    /**
     * @return true when the directory was generated for this process ({@code aeron-dir = auto}): it is then
     *     always deleted at shutdown, whatever {@code dir-delete-on-shutdown} says.
     */
    public boolean aeronDirGenerated()
    {
        return aeronDirGenerated;
    }

    /**
     * @return the deployment profile.
     */
    public Profile profile()
    {
        return profile;
    }

    /**
     * @return the resolved threading mode.
     */
    public ThreadingMode threadingMode()
    {
        return threadingMode;
    }

    /**
     * @return resolved idle-strategy name of the driver conductor and of Millrace's client conductor.
     */
    public String conductorIdleStrategy()
    {
        return conductorIdleStrategy;
    }

    /**
     * @return resolved idle-strategy name of the sender thread.
     */
    public String senderIdleStrategy()
    {
        return senderIdleStrategy;
    }

    /**
     * @return resolved idle-strategy name of the receiver thread.
     */
    public String receiverIdleStrategy()
    {
        return receiverIdleStrategy;
    }

    /**
     * @return resolved idle-strategy name of the single thread of {@code shared} mode.
     */
    public String sharedIdleStrategy()
    {
        return sharedIdleStrategy;
    }

    /**
     * @return resolved idle-strategy name of the sender-plus-receiver thread of {@code shared-network} mode.
     */
    public String sharedNetworkIdleStrategy()
    {
        return sharedNetworkIdleStrategy;
    }

    /**
     * @return parameters of the parking idle strategies.
     */
    public IdleStrategies.Params idleStrategyParams()
    {
        return idleStrategyParams;
    }

    /**
     * @return term length of network publications, a power of two in bytes.
     */
    public int termBufferLength()
    {
        return termBufferLength;
    }

    /**
     * @return term length of IPC publications, a power of two in bytes.
     */
    public int ipcTermBufferLength()
    {
        return ipcTermBufferLength;
    }

    /**
     * @return how long driver and client wait on each other before declaring the other dead, in ms.
     */
    public long driverTimeoutMs()
    {
        return driverTimeoutMs;
    }

    /**
     * @return delete an existing directory at start without checking for a live driver in it.
     */
    public boolean dirDeleteOnStart()
    {
        return dirDeleteOnStart;
    }

    /**
     * @return delete the directory at shutdown (always true in effect for a generated directory).
     */
    public boolean dirDeleteOnShutdown()
    {
        return dirDeleteOnShutdown || aeronDirGenerated;
    }

    /**
     * @return Artery's {@code idle-cpu-level}, 1 to 10.
     */
    public int arteryIdleCpuLevel()
    {
        return arteryIdleCpuLevel;
    }

    @Override
    public String toString()
    {
        return "AeronTransportConfig{" +
            "aeronDir=" + aeronDir +
            (aeronDirGenerated ? " (generated)" : "") +
            ", profile=" + profile.configName +
            ", threadingMode=" + threadingMode +
            ", idle{conductor=" + conductorIdleStrategy +
            ", sender=" + senderIdleStrategy +
            ", receiver=" + receiverIdleStrategy +
            ", shared=" + sharedIdleStrategy +
            ", sharedNetwork=" + sharedNetworkIdleStrategy +
            ", " + idleStrategyParams + "}" +
            ", termBufferLength=" + termBufferLength +
            ", ipcTermBufferLength=" + ipcTermBufferLength +
            ", driverTimeoutMs=" + driverTimeoutMs +
            ", dirDeleteOnStart=" + dirDeleteOnStart +
            ", dirDeleteOnShutdown=" + dirDeleteOnShutdown() +
            ", arteryIdleCpuLevel=" + arteryIdleCpuLevel +
            '}';
    }

    /**
     * The directory a generated {@code aeron-dir} is created in: {@code /dev/shm} when it is a writable
     * directory (memory-backed, as Aeron prefers on Linux), else {@code java.io.tmpdir}.
     *
     * @return the parent directory for generated names.
     */
    public static Path generatedDirParent()
    {
        final Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm))
        {
            return shm;
        }
        return Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
    }

    private static Path generateDir()
    {
        final String name = GENERATED_DIR_PREFIX + ProcessHandle.current().pid() + "-" +
            Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
        return generatedDirParent().resolve(name);
    }

    private static Path explicitDir(final String dir)
    {
        try
        {
            return new File(dir).toPath().toAbsolutePath().normalize();
        }
        catch (final InvalidPathException ex)
        {
            throw new TransportConfigException(AERON_DIR, "'" + dir + "' is not a valid path: " + ex.getReason(), ex);
        }
    }

    private static void rejectUnknownKeys(final Config config)
    {
        if (!config.hasPath(PREFIX))
        {
            throw new TransportConfigException(PREFIX, "missing (is this module's reference.conf on the classpath?)");
        }

        final Set<String> unknown = new TreeSet<>();
        final Config section;
        try
        {
            section = config.getConfig(PREFIX);
        }
        catch (final ConfigException ex)
        {
            throw new TransportConfigException(PREFIX, "must be an object: " + ex.getMessage(), ex);
        }

        for (final Map.Entry<String, ConfigValue> entry : section.entrySet())
        {
            final String key = PREFIX + "." + entry.getKey();
            if (!KEYS.contains(key))
            {
                unknown.add(key);
            }
        }

        if (!unknown.isEmpty())
        {
            final String first = unknown.iterator().next();
            throw new TransportConfigException(
                first, "unknown key (typo?); known keys are " + Collections.unmodifiableList(KEYS));
        }
    }

    private static Profile profile(final Config config)
    {
        final String name = nonEmptyString(config, PROFILE);
        for (final Profile profile : Profile.values())
        {
            if (profile.configName.equals(name))
            {
                return profile;
            }
        }
        throw notOneOf(PROFILE, name, Profile.configNames());
    }

    private static ThreadingMode threadingMode(final Config config, final Profile profile)
    {
        final String name = nonEmptyString(config, THREADING_MODE);
        switch (name)
        {
            case AUTO:
                return profile.threadingMode;
            case "shared":
                return ThreadingMode.SHARED;
            case "shared-network":
                return ThreadingMode.SHARED_NETWORK;
            case "dedicated":
                return ThreadingMode.DEDICATED;
            default:
                throw notOneOf(THREADING_MODE, name, THREADING_MODE_NAMES);
        }
    }

    private static String idleStrategy(final Config config, final String key, final String profileDefault)
    {
        final String name = nonEmptyString(config, key);
        if (AUTO.equals(name))
        {
            return profileDefault;
        }
        if (!IdleStrategies.isKnown(name))
        {
            final List<String> allowed = new ArrayList<>();
            allowed.add(AUTO);
            allowed.addAll(IdleStrategies.NAMES);
            throw notOneOf(key, name, allowed);
        }
        return name;
    }

    private static int arteryIdleCpuLevel(final Config config, final Profile profile)
    {
        final String value = nonEmptyString(config, ARTERY_IDLE_CPU_LEVEL);
        if (AUTO.equals(value))
        {
            return profile.arteryIdleCpuLevel;
        }
        try
        {
            final int level = Integer.parseInt(value);
            if (level >= 1 && level <= 10)
            {
                return level;
            }
        }
        catch (final NumberFormatException ignore)
        {
            // reported below with the allowed values
        }
        throw new TransportConfigException(ARTERY_IDLE_CPU_LEVEL, "'" + value + "' is not 'auto' or an integer in [1, 10]");
    }

    private static int termLength(final Config config, final String key)
    {
        final long length;
        try
        {
            length = config.getBytes(key);
        }
        catch (final ConfigException ex)
        {
            throw new TransportConfigException(key, "expected a size in bytes such as 16m: " + ex.getMessage(), ex);
        }

        final int min = LogBufferDescriptor.TERM_MIN_LENGTH;
        final int max = LogBufferDescriptor.TERM_MAX_LENGTH;
        if (length < min || length > max || Long.bitCount(length) != 1)
        {
            throw new TransportConfigException(
                key, length + " bytes is not a power of two in [" + min + " (64k), " + max + " (1g)]");
        }
        return (int)length;
    }

    private static long positiveDurationNs(final Config config, final String key)
    {
        final Duration duration;
        try
        {
            duration = config.getDuration(key);
        }
        catch (final ConfigException ex)
        {
            throw new TransportConfigException(key, "expected a duration such as 1ms or 10s: " + ex.getMessage(), ex);
        }

        if (duration.isNegative() || duration.isZero())
        {
            throw new TransportConfigException(key, "'" + config.getValue(key).unwrapped() + "' must be > 0");
        }

        try
        {
            return duration.toNanos();
        }
        catch (final ArithmeticException ex)
        {
            throw new TransportConfigException(key, "'" + config.getValue(key).unwrapped() + "' is too long", ex);
        }
    }

    private static long nonNegativeLong(final Config config, final String key)
    {
        final long value;
        try
        {
            value = config.getLong(key);
        }
        catch (final ConfigException ex)
        {
            throw new TransportConfigException(key, "expected an integer >= 0: " + ex.getMessage(), ex);
        }

        if (value < 0)
        {
            throw new TransportConfigException(key, value + " is not an integer >= 0");
        }
        return value;
    }

    private static boolean bool(final Config config, final String key)
    {
        try
        {
            return config.getBoolean(key);
        }
        catch (final ConfigException ex)
        {
            throw new TransportConfigException(key, "expected on/off (true/false): " + ex.getMessage(), ex);
        }
    }

    private static String nonEmptyString(final Config config, final String key)
    {
        final String value;
        try
        {
            value = config.getString(key);
        }
        catch (final ConfigException ex)
        {
            throw new TransportConfigException(key, "expected a string: " + ex.getMessage(), ex);
        }

        if (value.isBlank())
        {
            throw new TransportConfigException(key, "must not be empty");
        }
        return value.trim();
    }

    private static TransportConfigException notOneOf(final String key, final String value, final List<String> allowed)
    {
        return new TransportConfigException(key, "'" + value + "' is not one of " + allowed);
    }
}
