package dev.millrace.runtime.state;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

/**
 * What is particular to the RocksDB backend: its own directory per instance, removed on close; a column family
 * per state; its memory settings from configuration, with precise errors for bad values.
 */
@Timeout(60)
class RocksDbKeyedStateBackendTest
{
    @TempDir
    Path directory;

    private RocksDbKeyedStateBackend open(final int subtask)
    {
        return new RocksDbKeyedStateBackend(new StateBackendParameters("op/with spaces", subtask, 8,
            new KeyGroupRange(0, 7), System::currentTimeMillis), new RocksDbStateOptions(directory, 1 << 20, 1 << 20, 2));
    }

    @Test
    void eachInstanceShouldHaveItsOwnDirectoryAndAColumnFamilyPerStateAndRemoveItOnClose() throws Exception
    {
        final RocksDbKeyedStateBackend first = open(0);
        final RocksDbKeyedStateBackend second = open(1);
        assertFalse(first.directory().equals(second.directory()));
        assertEquals(directory, first.directory().getParent());
        assertTrue(first.directory().getFileName().toString().startsWith("millrace-state-op_with_spaces-0-"),
            first.directory().toString());
        first.getValueState(new ValueStateDescriptor<>("a", String.class));
        first.getMapState(new MapStateDescriptor<>("b", String.class, String.class));
        first.getListState(new ListStateDescriptor<>("c", String.class));
        first.setCurrentKey("k");
        first.getValueState(new ValueStateDescriptor<>("a", String.class)).update("x");
        first.close();
        second.close();
        first.close();
        assertFalse(Files.exists(first.directory()), "closing deletes the directory");
        assertFalse(Files.exists(second.directory()));
        assertThrows(IllegalStateException.class,
            () -> first.getValueState(new ValueStateDescriptor<>("d", String.class)), "closed");
    }

    @Test
    void theDatabaseShouldHoldOneColumnFamilyPerState() throws Exception
    {
        final RocksDbKeyedStateBackend backend = open(0);
        try
        {
            backend.getValueState(new ValueStateDescriptor<>("a", String.class));
            backend.getMapState(new MapStateDescriptor<>("b", String.class, String.class));
            backend.getListState(new ListStateDescriptor<>("c", String.class));
            final Set<String> families;
            try (Options options = new Options())
            {
                families = RocksDB.listColumnFamilies(options, backend.directory().toString()).stream()
                    .map(name -> new String(name, StandardCharsets.UTF_8)).collect(Collectors.toSet());
            }
            assertEquals(Set.of("default", "a", "b", "c"), families);
        }
        finally
        {
            backend.close();
        }
    }

    @Test
    void listAppendsShouldNotNeedARead()
    {
        final RocksDbKeyedStateBackend backend = open(0);
        try
        {
            final ListState<String> list = backend.getListState(new ListStateDescriptor<>("l", String.class));
            backend.setCurrentKey("k");
            list.add("a");
            list.addAll(List.of("b", "c"));
            list.add("d");
            assertEquals(List.of("a", "b", "c", "d"), list.get());
            list.update(List.of("z"));
            list.add("y");
            assertEquals(List.of("z", "y"), list.get());
        }
        finally
        {
            backend.close();
        }
    }

    @Test
    void optionsShouldComeFromConfigurationWithPreciseErrors()
    {
        final RocksDbStateOptions defaults = RocksDbStateOptions.fromConfig(ConfigFactory.load());
        assertEquals(8L << 20, defaults.blockCacheBytes());
        assertEquals(4L << 20, defaults.writeBufferBytes());
        assertEquals(2, defaults.maxWriteBufferNumber());
        assertEquals(Path.of(System.getProperty("java.io.tmpdir")), defaults.directory());
        final RocksDbStateOptions set = RocksDbStateOptions.fromConfig(ConfigFactory.parseString(
            "millrace.runtime.state.rocksdb { directory = \"/tmp/x\", block-cache-size = 64 MiB, "
                + "write-buffer-size = 16 MiB, max-write-buffer-number = 3 }").withFallback(ConfigFactory.load()));
        assertEquals(new RocksDbStateOptions(Path.of("/tmp/x"), 64L << 20, 16L << 20, 3), set);
        final ConfigException.BadValue bad = assertThrows(ConfigException.BadValue.class,
            () -> RocksDbStateOptions.fromConfig(ConfigFactory.parseString(
                "millrace.runtime.state.rocksdb.write-buffer-size = 1 KiB").withFallback(ConfigFactory.load())));
        assertTrue(bad.getMessage().contains("millrace.runtime.state.rocksdb.write-buffer-size"), bad.getMessage());
        assertTrue(StateBackends.rocksDb().withConfig(ConfigFactory.load()).describe().contains("8388608"));
    }
}
