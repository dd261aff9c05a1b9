package dev.millrace.serialization.kryo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class KryoRegistryTest {
    private static final String PRIMITIVES = "dev.millrace.serialization.kryo.TestProtocol$Primitives";
    private static final String PARTITION = "dev.millrace.serialization.kryo.TestProtocol$Partition";

    private static KryoRegistry registry(final String registrations) {
        final Config config = ConfigFactory.parseString(
            "millrace.serialization.kryo.registrations { " + registrations + " }");
        return KryoRegistry.fromConfig(config, KryoRegistryTest.class.getClassLoader());
    }

    private static ConfigException.BadValue failure(final String registrations) {
        return assertThrows(ConfigException.BadValue.class, () -> registry(registrations));
    }

    @Test
    void shouldReadRegistrationsWithTheirIds() {
        final KryoRegistry registry = registry("\"" + PRIMITIVES + "\" = 1000, \"" + PARTITION + "\" = 1001");
        assertEquals(Map.of(TestProtocol.Primitives.class, 1000, TestProtocol.Partition.class, 1001),
            registry.registrations());
    }

    @Test
    void shouldFailAtStartWhenTwoClassesShareAnIdNamingBothKeys() {
        final ConfigException.BadValue error = failure("\"" + PRIMITIVES + "\" = 1000, \"" + PARTITION + "\" = 1000");
        assertTrue(error.getMessage().contains("registrations.\"" + PRIMITIVES + "\""), error.getMessage());
        assertTrue(error.getMessage().contains("registrations.\"" + PARTITION + "\""), error.getMessage());
        assertTrue(error.getMessage().contains("id 1000 is already used"), error.getMessage());
    }

    @Test
    void shouldFailAtStartWhenARegisteredClassIsMissing() {
        final ConfigException.BadValue error = failure("\"com.example.Missing\" = 1000");
        assertTrue(error.getMessage().contains("registrations.\"com.example.Missing\""), error.getMessage());
        assertTrue(error.getMessage().contains("cannot be loaded"), error.getMessage());
    }

    @Test
    void shouldFailAtStartWhenAnIdIsInTheRangeReservedForKryoAndBuiltIns() {
        for (final int reserved : List.of(0, 1, 9, 20, 100, 999)) {
            final ConfigException.BadValue error = failure("\"" + PRIMITIVES + "\" = " + reserved);
            assertTrue(error.getMessage().contains("reserved range"), error.getMessage());
            assertTrue(error.getMessage().contains(PRIMITIVES), error.getMessage());
        }
    }

    @Test
    void shouldFailAtStartWhenABuiltInClassIsRegisteredAgain() {
        final ConfigException.BadValue error = failure("\"java.util.UUID\" = 1000");
        assertTrue(error.getMessage().contains("built-in registration (id 20)"), error.getMessage());
    }

    @Test
    void shouldFailAtStartWhenTheClassNameIsNotQuoted() {
        final ConfigException.BadValue error = failure("dev.millrace.Foo = 1000");
        assertTrue(error.getMessage().contains("quote the class name"), error.getMessage());
    }

    @Test
    void shouldFailAtStartWhenTheIdIsNotAnInteger() {
        final ConfigException.BadValue error = failure("\"" + PRIMITIVES + "\" = \"first\"");
        assertTrue(error.getMessage().contains("expected an integer id"), error.getMessage());
    }

    @Test
    void shouldFailAtStartWhenAnInterfaceIsRegisteredInsteadOfItsRecords() {
        final ConfigException.BadValue error = failure("\"dev.millrace.serialization.kryo.TestProtocol$TopicCommand\" = 1000");
        assertTrue(error.getMessage().contains("register each concrete class"), error.getMessage());
    }

    @Test
    void shouldFailAtStartWhenTheMaxBufferIsSmallerThanTheInitialBuffer() {
        final Config config = ConfigFactory.parseString("millrace.serialization.kryo.max-buffer-size = 1 KiB")
            .withFallback(ConfigFactory.defaultReference());
        final ConfigException.BadValue error = assertThrows(ConfigException.BadValue.class,
            () -> KryoSettings.fromConfig(config, getClass().getClassLoader()));
        assertTrue(error.getMessage().contains(KryoSettings.MAX_BUFFER_SIZE), error.getMessage());
    }

    @Test
    void shouldAcceptAMissingRegistrationsSection() {
        assertTrue(KryoRegistry.fromConfig(ConfigFactory.empty(), getClass().getClassLoader())
            .registrations().isEmpty());
    }

    @Test
    void shouldKeepBuiltInIdsStableBecauseTheyArePartOfTheWireFormat() {
        final Map<Class<?>, Integer> ids = KryoRegistry.builtInIds();
        assertEquals(10, ids.get(byte[].class));
        assertEquals(20, ids.get(UUID.class));
        assertEquals(21, ids.get(java.util.Optional.class));
        assertEquals(30, ids.get(java.time.Instant.class));
        assertEquals(40, ids.get(java.util.ArrayList.class));
        assertEquals(50, ids.get(List.of(1).getClass()));
        assertEquals(55, ids.get(Map.of().getClass()));
        assertEquals(33, ids.size());
        assertTrue(ids.values().stream().allMatch(id -> id >= 10 && id < 100));
        assertEquals(100, KryoRegistry.TYPED_ACTOR_REF_ID);
    }
}
