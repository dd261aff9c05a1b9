package dev.millrace.transport;

import com.typesafe.config.ConfigFactory;
import io.aeron.driver.ThreadingMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class AeronTransportConfigTest
{
    private static final String IDLE_NAMES = "[auto, sleeping, backoff, yielding, busy-spin, noop]";

    static AeronTransportConfig config(final String hocon)
    {
        return AeronTransportConfig.fromConfig(ConfigFactory.parseString(hocon));
    }

    @Test
    void shouldDefaultToSmallMachineWithParkingIdleStrategies()
    {
        final AeronTransportConfig config = config("");

        assertEquals(AeronTransportConfig.Profile.SMALL_MACHINE, config.profile());
        assertEquals(ThreadingMode.SHARED, config.threadingMode());
        assertEquals("sleeping", config.conductorIdleStrategy());
        assertEquals("backoff", config.sharedIdleStrategy());
        assertEquals("backoff", config.senderIdleStrategy());
        assertEquals("backoff", config.receiverIdleStrategy());
        assertEquals("backoff", config.sharedNetworkIdleStrategy());
        assertEquals(IdleStrategies.Params.DEFAULTS, config.idleStrategyParams());
        assertEquals(16 * 1024 * 1024, config.termBufferLength());
        assertEquals(16 * 1024 * 1024, config.ipcTermBufferLength());
        assertEquals(10_000, config.driverTimeoutMs());
        assertFalse(config.dirDeleteOnStart());
        assertTrue(config.dirDeleteOnShutdown());
        assertEquals(1, config.arteryIdleCpuLevel());
    }

    @Test
    void shouldDefaultLowLatencyToDedicatedBusySpinningThreads()
    {
        final AeronTransportConfig config = config("millrace.transport.aeron.profile = low-latency");

        assertEquals(AeronTransportConfig.Profile.LOW_LATENCY, config.profile());
        assertEquals(ThreadingMode.DEDICATED, config.threadingMode());
        assertEquals("busy-spin", config.senderIdleStrategy());
        assertEquals("busy-spin", config.receiverIdleStrategy());
        assertEquals("busy-spin", config.sharedIdleStrategy());
        assertEquals("backoff", config.conductorIdleStrategy());
        assertEquals(10, config.arteryIdleCpuLevel());
    }

    @Test
    void shouldLetExplicitValuesOverrideTheProfile()
    {
        final AeronTransportConfig config = config(
            "millrace.transport.aeron { aeron-dir = \"/tmp/millrace-explicit\", profile = low-latency, " +
            "threading-mode = shared-network, " +
            "idle-strategy.shared-network = yielding, idle-strategy.conductor = sleeping, " +
            "idle-strategy.sleeping.park-period = 2ms, idle-strategy.backoff { max-spins = 1, max-yields = 2, " +
            "min-park-period = 10us, max-park-period = 5ms }, artery-idle-cpu-level = 3, " +
            "term-buffer-length = 64k, ipc-term-buffer-length = 1g, driver-timeout = 3s, " +
            "dir-delete-on-start = on, dir-delete-on-shutdown = off }");

        assertEquals(ThreadingMode.SHARED_NETWORK, config.threadingMode());
        assertEquals("yielding", config.sharedNetworkIdleStrategy());
        assertEquals("sleeping", config.conductorIdleStrategy());
        assertEquals(new IdleStrategies.Params(2_000_000, 1, 2, 10_000, 5_000_000), config.idleStrategyParams());
        assertEquals(3, config.arteryIdleCpuLevel());
        assertEquals(64 * 1024, config.termBufferLength());
        assertEquals(1024 * 1024 * 1024, config.ipcTermBufferLength());
        assertEquals(3_000, config.driverTimeoutMs());
        assertTrue(config.dirDeleteOnStart());
        assertFalse(config.dirDeleteOnShutdown());
    }

    @Test
    void shouldLoadTheApplicationConfigurationWithReferenceDefaults()
    {
        final AeronTransportConfig config = AeronTransportConfig.load();

        assertEquals(AeronTransportConfig.Profile.SMALL_MACHINE, config.profile());
        assertTrue(config.aeronDirGenerated());
    }

    @Test
    void shouldGenerateAUniquePerProcessDirectory()
    {
        final AeronTransportConfig first = config("");
        final AeronTransportConfig second = config("");

        assertTrue(first.aeronDirGenerated());
        assertNotEquals(first.aeronDir(), second.aeronDir());
        assertEquals(AeronTransportConfig.generatedDirParent(), first.aeronDir().getParent());
        final String name = first.aeronDir().getFileName().toString();
        assertTrue(name.startsWith("millrace-aeron-" + ProcessHandle.current().pid() + "-"), name);
        assertTrue(first.dirDeleteOnShutdown(), "a generated directory is always deleted");
    }

    @Test
    void shouldPreferDevShmForGeneratedDirectories()
    {
        final Path shm = Path.of("/dev/shm");
        if (shm.toFile().isDirectory() && shm.toFile().canWrite())
        {
            assertEquals(shm, AeronTransportConfig.generatedDirParent());
        }
        else
        {
            assertEquals(Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath(),
                AeronTransportConfig.generatedDirParent());
        }
    }

    @Test
    void shouldUseAnExplicitDirectoryAsAnAbsolutePath()
    {
        final AeronTransportConfig config = config("millrace.transport.aeron.aeron-dir = \"some/relative/dir\"");

        assertFalse(config.aeronDirGenerated());
        assertTrue(config.aeronDir().isAbsolute());
        assertTrue(config.aeronDir().endsWith(Path.of("some/relative/dir")));
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(delimiter = '|', textBlock = """
        profile                            | fast      | 'fast' is not one of [small-machine, low-latency]
        threading-mode                     | invoker   | 'invoker' is not one of [auto, shared, shared-network, dedicated]
        idle-strategy.conductor            | spinny    | 'spinny' is not one of IDLE
        idle-strategy.sender               | spinny    | 'spinny' is not one of IDLE
        idle-strategy.receiver             | spinny    | 'spinny' is not one of IDLE
        idle-strategy.shared               | spinny    | 'spinny' is not one of IDLE
        idle-strategy.shared-network       | spinny    | 'spinny' is not one of IDLE
        idle-strategy.sleeping.park-period | 0ms       | must be > 0
        idle-strategy.sleeping.park-period | soon      | expected a duration
        idle-strategy.backoff.max-spins    | -1        | -1 is not an integer >= 0
        idle-strategy.backoff.max-spins    | many      | expected an integer >= 0
        idle-strategy.backoff.max-yields   | -2        | -2 is not an integer >= 0
        idle-strategy.backoff.min-park-period | -1us   | must be > 0
        idle-strategy.backoff.max-park-period | 1ns    | 1 ns is less than millrace.transport.aeron.idle-strategy.backoff.min-park-period
        term-buffer-length                 | 100000    | 100000 bytes is not a power of two in [65536 (64k), 1073741824 (1g)]
        term-buffer-length                 | 32k       | 32768 bytes is not a power of two
        term-buffer-length                 | 2g        | 2147483648 bytes is not a power of two
        term-buffer-length                 | big       | expected a size in bytes
        ipc-term-buffer-length             | 3m        | 3145728 bytes is not a power of two
        driver-timeout                     | 0s        | must be > 0
        driver-timeout                     | 2h        | is not in [1ms, 1h]
        driver-timeout                     | 10us      | is not in [1ms, 1h]
        driver-timeout                     | never     | expected a duration
        dir-delete-on-start                | maybe     | expected on/off
        dir-delete-on-shutdown             | maybe     | expected on/off
        artery-idle-cpu-level              | 0         | '0' is not 'auto' or an integer in [1, 10]
        artery-idle-cpu-level              | 11        | '11' is not 'auto' or an integer in [1, 10]
        artery-idle-cpu-level              | high      | 'high' is not 'auto' or an integer in [1, 10]
        aeron-dir                          | '" "'     | must not be empty
        """)
    void shouldRejectBadValueNamingTheKey(final String key, final String value, final String problem)
    {
        final String fullKey = AeronTransportConfig.PREFIX + "." + key;
        final TransportConfigException ex = assertThrows(
            TransportConfigException.class, () -> config(fullKey + " = " + value));

        assertEquals(fullKey, ex.key());
        final String expected = fullKey + ": " + problem.replace("IDLE", IDLE_NAMES);
        assertTrue(ex.getMessage().startsWith(fullKey + ": "), ex.getMessage());
        assertTrue(ex.getMessage().contains(problem.replace("IDLE", IDLE_NAMES)),
            () -> "expected '" + expected + "' in '" + ex.getMessage() + "'");
    }

    @Test
    void shouldNameTheProfileKeyAndAllowedValuesExactly()
    {
        final TransportConfigException ex = assertThrows(
            TransportConfigException.class, () -> config("millrace.transport.aeron.profile = fast"));

        assertEquals(
            "millrace.transport.aeron.profile: 'fast' is not one of [small-machine, low-latency]", ex.getMessage());
    }

    @Test
    void shouldRejectUnknownKeysAsTypos()
    {
        final TransportConfigException ex = assertThrows(
            TransportConfigException.class, () -> config("millrace.transport.aeron.idel-strategy.shared = backoff"));

        assertEquals("millrace.transport.aeron.idel-strategy.shared", ex.key());
        assertTrue(ex.getMessage().contains("unknown key"), ex.getMessage());
    }

    @Test
    void shouldRejectASectionThatIsNotAnObject()
    {
        final TransportConfigException ex = assertThrows(
            TransportConfigException.class, () -> config("millrace.transport.aeron = 42"));

        assertEquals("millrace.transport.aeron", ex.key());
    }

    @Test
    void shouldDocumentEveryKeyInReferenceConf()
    {
        final com.typesafe.config.Config reference = ConfigFactory.defaultReference();
        for (final String key : AeronTransportConfig.KEYS)
        {
            assertTrue(reference.hasPath(key), key);
        }
        assertEquals(AeronTransportConfig.KEYS.size(), reference.getConfig(AeronTransportConfig.PREFIX).entrySet().size());
    }
}
