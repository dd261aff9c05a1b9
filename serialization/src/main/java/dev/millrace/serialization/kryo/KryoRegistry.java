package dev.millrace.serialization.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Registration;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.serializers.DefaultSerializers;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import java.lang.reflect.Modifier;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The validated table of Kryo class ids: Millrace's built-in JDK and Pekko types plus every class that
 * modules register through configuration. Built once at serializer start; every pooled {@link Kryo} is
 * configured from it, so all instances (and all nodes with the same configuration) agree on ids.
 *
 * <h2>Registering a class</h2>
 * Each module lists its message classes, by binary name, in its own {@code reference.conf}; HOCON merges
 * the objects of all modules:
 * <pre>
 * millrace.serialization.kryo.registrations {
 *   "dev.millrace.broker.TopicProtocol$CreateTopic" = 1001
 *   "dev.millrace.broker.TopicProtocol$TopicCreated" = 1002
 * }
 * </pre>
 * {@link #fromConfig(Config, ClassLoader)} fails fast with a {@link ConfigException.BadValue} naming the key
 * when a class is missing, an id is not an integer, an id is in the reserved range, two classes share an
 * id, a built-in type is registered again, the class name was not quoted (HOCON then splits it at the
 * dots), or an interface/abstract class is registered (only concrete classes ever reach the wire).
 *
 * <h2>Id ranges (wire format: never renumber)</h2>
 * <pre>
 *   0 -    9  Kryo's own: int, String, float, boolean, byte, char, short, long, double, void
 *              (boxed primitives share their primitive's id)
 *  10 -   99  JDK types, see {@link #builtInIds()}
 * 100 -  199  Pekko types: 100 = typed ActorRef (any implementation, see {@link TypedActorRefSerializer})
 * 200 -  999  reserved for future built-ins
 * 1000 -      module registrations (configuration)
 * </pre>
 * A class id is part of the wire and persistent format: changing a class's id, or reusing an id for a
 * different class, breaks every node and every stored event that used it. Retire ids, never reuse them.
 *
 * <p>Threading: immutable after construction; safe to share. {@link #newKryo} builds a fresh, unshared
 * {@link Kryo} on each call.
 */
public final class KryoRegistry {
    /** Configuration path of the class-name-to-id object. */
    public static final String REGISTRATIONS_PATH = "millrace.serialization.kryo.registrations";
    /** Lowest id a module may use; everything below is reserved for Kryo and Millrace built-ins. */
    public static final int FIRST_USER_ID = 1000;
    /** Id of the typed {@link ActorRef} registration, shared by every ActorRef implementation. */
    public static final int TYPED_ACTOR_REF_ID = 100;

    private static final List<BuiltIn> BUILT_INS = List.of(
        new BuiltIn(10, byte[].class, null),
        new BuiltIn(11, int[].class, null),
        new BuiltIn(12, long[].class, null),
        new BuiltIn(13, double[].class, null),
        new BuiltIn(14, String[].class, null),
        new BuiltIn(20, UUID.class, DefaultSerializers.UUIDSerializer::new),
        new BuiltIn(21, Optional.class, null),
        new BuiltIn(22, OptionalInt.class, null),
        new BuiltIn(23, OptionalLong.class, null),
        new BuiltIn(30, Instant.class, null),
        new BuiltIn(31, Duration.class, null),
        new BuiltIn(32, BigInteger.class, null),
        new BuiltIn(33, BigDecimal.class, null),
        new BuiltIn(40, ArrayList.class, null),
        new BuiltIn(41, HashMap.class, null),
        new BuiltIn(42, LinkedHashMap.class, null),
        new BuiltIn(43, HashSet.class, null),
        new BuiltIn(44, LinkedHashSet.class, null),
        new BuiltIn(45, TreeMap.class, null),
        new BuiltIn(46, TreeSet.class, null),
        // java.util.ImmutableCollections: List.of / Set.of / Map.of (and Stream.toList) are hidden classes.
        new BuiltIn(50, List.of(1).getClass(), null),
        new BuiltIn(51, List.of().getClass(), null),
        new BuiltIn(52, Set.of(1).getClass(), null),
        new BuiltIn(53, Set.of().getClass(), null),
        new BuiltIn(54, Map.of(1, 1).getClass(), null),
        new BuiltIn(55, Map.of().getClass(), null),
        new BuiltIn(60, Collections.emptyList().getClass(), null),
        new BuiltIn(61, Collections.emptyMap().getClass(), null),
        new BuiltIn(62, Collections.emptySet().getClass(), null),
        new BuiltIn(63, Collections.singletonList(1).getClass(), null),
        new BuiltIn(64, Collections.singletonMap(1, 1).getClass(), null),
        new BuiltIn(65, Collections.singleton(1).getClass(), null),
        new BuiltIn(66, Arrays.asList(1).getClass(), null));

    private final ClassLoader classLoader;
    private final Map<Class<?>, Integer> registrations;

    private KryoRegistry(final ClassLoader classLoader, final Map<Class<?>, Integer> registrations) {
        this.classLoader = classLoader;
        this.registrations = Collections.unmodifiableMap(registrations);
    }

    /**
     * Reads and validates {@value #REGISTRATIONS_PATH}.
     *
     * @param config      the actor system's configuration (a missing path means no module registrations)
     * @param classLoader loader for the registered classes (the actor system's dynamic-access loader)
     * @return the validated registry
     * @throws ConfigException.BadValue naming the offending key, see the class documentation
     */
    public static KryoRegistry fromConfig(final Config config, final ClassLoader classLoader) {
        final Map<Class<?>, Integer> builtIns = builtInIds();
        final Map<Class<?>, Integer> registered = new LinkedHashMap<>();
        final Map<Integer, String> classNameById = new HashMap<>();
        if (config.hasPath(REGISTRATIONS_PATH)) {
            // Sorted so that the first reported error does not depend on HOCON's map order.
            final Map<String, ConfigValue> entries = new TreeMap<>(config.getObject(REGISTRATIONS_PATH));
            for (final Map.Entry<String, ConfigValue> entry : entries.entrySet()) {
                final String className = entry.getKey();
                final String path = REGISTRATIONS_PATH + ".\"" + className + "\"";
                final int id = validId(path, className, entry.getValue());
                final Class<?> type = load(path, className, classLoader);
                if (builtIns.containsKey(type)) {
                    throw new ConfigException.BadValue(path, className + " is a built-in registration (id "
                        + builtIns.get(type) + "); remove this entry");
                }
                if (type.isInterface() || (Modifier.isAbstract(type.getModifiers()) && !type.isArray() && !type.isEnum())) {
                    throw new ConfigException.BadValue(path, className + " is an interface or abstract class; "
                        + "register each concrete class (each record and enum of a sealed protocol) instead");
                }
                final String previous = classNameById.putIfAbsent(id, className);
                if (previous != null) {
                    throw new ConfigException.BadValue(path, "id " + id + " is already used by " + REGISTRATIONS_PATH
                        + ".\"" + previous + "\"; every class needs its own id");
                }
                registered.put(type, id);
            }
        }
        return new KryoRegistry(classLoader, registered);
    }

    /**
     * @return Millrace's built-in JDK registrations, class to id (ids 10-99), in id order; Kryo's own
     *         0-9 and the typed ActorRef ({@value #TYPED_ACTOR_REF_ID}) are not included
     */
    public static Map<Class<?>, Integer> builtInIds() {
        final Map<Class<?>, Integer> ids = new LinkedHashMap<>();
        for (final BuiltIn builtIn : BUILT_INS) {
            ids.put(builtIn.type, builtIn.id);
        }
        return ids;
    }

    /**
     * @return the module registrations from configuration, class to id (read-only)
     */
    public Map<Class<?>, Integer> registrations() {
        return registrations;
    }

    /**
     * Builds a Kryo with registration required, references off (messages are trees) and every id of this
     * registry.
     *
     * @param actorRefSerializer serializer for typed {@link ActorRef} values
     * @return a new instance, to be confined to one thread at a time
     */
    Kryo newKryo(final Serializer<?> actorRefSerializer) {
        final Kryo kryo = new MillraceKryo();
        kryo.setClassLoader(classLoader);
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        for (final BuiltIn builtIn : BUILT_INS) {
            if (builtIn.serializer == null) {
                kryo.register(builtIn.type, builtIn.id);
            } else {
                kryo.register(builtIn.type, builtIn.serializer.get(), builtIn.id);
            }
        }
        kryo.register(ActorRef.class, actorRefSerializer, TYPED_ACTOR_REF_ID);
        for (final Map.Entry<Class<?>, Integer> entry : registrations.entrySet()) {
            kryo.register(entry.getKey(), entry.getValue());
        }
        return kryo;
    }

    private static int validId(final String path, final String className, final ConfigValue value) {
        if (value.valueType() == ConfigValueType.OBJECT) {
            throw new ConfigException.BadValue(path, "expected an integer id but found an object: quote the class "
                + "name so HOCON does not split it at the dots, e.g. \"" + className + ".Foo\" = 1001");
        }
        if (value.valueType() != ConfigValueType.NUMBER || !(value.unwrapped() instanceof Integer)) {
            throw new ConfigException.BadValue(path, "expected an integer id but found " + value.render());
        }
        final int id = (Integer) value.unwrapped();
        if (id < FIRST_USER_ID) {
            throw new ConfigException.BadValue(path, "id " + id + " is in the reserved range 0-"
                + (FIRST_USER_ID - 1) + " (Kryo and Millrace built-ins); use an id >= " + FIRST_USER_ID);
        }
        return id;
    }

    private static Class<?> load(final String path, final String className, final ClassLoader classLoader) {
        try {
            return Class.forName(className, false, classLoader);
        } catch (final ClassNotFoundException | LinkageError e) {
            throw new ConfigException.BadValue(path, "class " + className + " cannot be loaded (" + e
                + "); use the binary name, with '$' before nested classes", e);
        }
    }

    private static final class BuiltIn {
        final int id;
        final Class<?> type;
        final Supplier<Serializer<?>> serializer;

        BuiltIn(final int id, final Class<?> type, final Supplier<Serializer<?>> serializer) {
            this.id = id;
            this.type = type;
            this.serializer = serializer;
        }
    }

    /**
     * Kryo that reports a missing registration as {@link UnregisteredClassException} and maps every typed
     * {@link ActorRef} implementation onto the single {@value #TYPED_ACTOR_REF_ID} registration.
     */
    private static final class MillraceKryo extends Kryo {
        @Override
        @SuppressWarnings("rawtypes")
        public Registration getRegistration(final Class type) {
            final Registration registration = getClassResolver().getRegistration(type);
            if (registration != null) {
                return registration;
            }
            if (ActorRef.class.isAssignableFrom(type)) {
                // Implementations (ActorRefAdapter, test probes) are internal classes; the wire carries only the path.
                return getClassResolver().getRegistration(ActorRef.class);
            }
            try {
                // Kryo still resolves enum constants with bodies, proxies and EnumSets to their registrations.
                return super.getRegistration(type);
            } catch (final IllegalArgumentException e) {
                throw new UnregisteredClassException(type);
            }
        }
    }
}
