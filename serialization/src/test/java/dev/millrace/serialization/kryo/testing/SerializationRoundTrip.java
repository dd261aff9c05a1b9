package dev.millrace.serialization.kryo.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.millrace.serialization.kryo.KryoPekkoSerializer;
import dev.millrace.serialization.kryo.MillraceMessage;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.Serializers;

/**
 * Test helper: forces every message through Pekko serialization and back (STYLE.md rule 7).
 *
 * <p>Each round trip goes through the actor system's {@link SerializationExtension}, exactly as remoting
 * and persistence do: find the serializer bound to the message's class, assert it is the Kryo one
 * ({@link KryoPekkoSerializer#IDENTIFIER}), serialize, deserialize by serializer id and manifest, and assert
 * the copy {@code equals} the original (records compare component-wise; array components compare by
 * identity, so keep arrays out of messages or compare the returned copy yourself).
 *
 * <p>{@link #assertEveryRegisteredMessageHasASample} makes adding a message without a sample fail: it
 * lists every class registered under {@code millrace.serialization.kryo.registrations} that implements
 * {@link MillraceMessage} and lies in the given package, and requires a sample of each.
 *
 * <p>Typical module test:
 * <pre>
 * SerializationRoundTrip.of(testKit.system()).assertAllRoundTrip("dev.millrace.broker", List.of(
 *     new CreateTopic("t", 3, probe.ref()), GetTopics.INSTANCE, ...));
 * </pre>
 *
 * <p>Threading: holds only the actor system's thread-safe serialization extension; usable from any thread.
 */
public final class SerializationRoundTrip {
    private final Serialization serialization;

    private SerializationRoundTrip(final Serialization serialization) {
        this.serialization = serialization;
    }

    /**
     * @param system the actor system whose configuration (bindings and registrations) is under test
     * @return a helper bound to that system's serialization extension
     */
    public static SerializationRoundTrip of(final ActorSystem<?> system) {
        return new SerializationRoundTrip(SerializationExtension.get(system));
    }

    /**
     * Serializes and deserializes one message, asserting the Kryo serializer is chosen and the copy is equal.
     *
     * @param message the sample
     * @param <T>     its type
     * @return the deserialized copy
     */
    @SuppressWarnings("unchecked")
    public <T> T roundTrip(final T message) {
        final Serializer serializer = kryoSerializerFor(message);
        final byte[] bytes = serializer.toBinary(message);
        final String manifest = Serializers.manifestFor(serializer, message);
        final Object copy = serialization.deserialize(bytes, serializer.identifier(), manifest).get();
        assertEquals(message, copy, () -> "round trip through millrace-kryo changed " + message.getClass().getName());
        return (T) copy;
    }

    /**
     * Round-trips every sample.
     *
     * @param samples one or more instances of each message type
     */
    public void assertRoundTrips(final Collection<?> samples) {
        for (final Object sample : samples) {
            roundTrip(sample);
        }
    }

    /**
     * Asserts there is a sample of every registered {@link MillraceMessage} class whose name starts with
     * {@code packagePrefix} (pass the module's root package; other modules' messages are their concern).
     *
     * @param packagePrefix e.g. {@code "dev.millrace.broker"}
     * @param samples       the samples the module round-trips
     */
    public void assertEveryRegisteredMessageHasASample(final String packagePrefix, final Collection<?> samples) {
        final Set<Class<?>> sampled = new HashSet<>();
        for (final Object sample : samples) {
            // An enum constant with a body is an anonymous subclass; count it as its enum.
            sampled.add(sample instanceof Enum<?> e ? e.getDeclaringClass() : sample.getClass());
        }
        final List<String> missing = new ArrayList<>();
        for (final Class<?> registered : registeredMessages().keySet()) {
            if (registered.getName().startsWith(packagePrefix) && !sampled.contains(registered)) {
                missing.add(registered.getName());
            }
        }
        assertTrue(missing.isEmpty(), () -> "registered messages without a round-trip sample: " + missing);
    }

    /**
     * Both checks: every registered message in the package has a sample, and every sample round-trips.
     *
     * @param packagePrefix e.g. {@code "dev.millrace.broker"}
     * @param samples       one or more instances of each message type
     */
    public void assertAllRoundTrip(final String packagePrefix, final Collection<?> samples) {
        assertEveryRegisteredMessageHasASample(packagePrefix, samples);
        assertRoundTrips(samples);
    }

    /**
     * @return registered classes that implement {@link MillraceMessage}, with their Kryo ids
     */
    public Map<Class<?>, Integer> registeredMessages() {
        final Map<Class<?>, Integer> messages = new java.util.LinkedHashMap<>();
        for (final Map.Entry<Class<?>, Integer> entry : kryo().settings().registry().registrations().entrySet()) {
            if (MillraceMessage.class.isAssignableFrom(entry.getKey())) {
                messages.put(entry.getKey(), entry.getValue());
            }
        }
        return messages;
    }

    private KryoPekkoSerializer kryo() {
        final scala.Option<Serializer> serializer =
            serialization.serializerByIdentity().get(KryoPekkoSerializer.IDENTIFIER);
        if (serializer.isEmpty()) {
            fail("millrace-kryo (" + KryoPekkoSerializer.IDENTIFIER + ") is not configured in this actor system");
        }
        return (KryoPekkoSerializer) serializer.get();
    }

    private Serializer kryoSerializerFor(final Object message) {
        final Serializer serializer = serialization.findSerializerFor(message);
        if (!(serializer instanceof KryoPekkoSerializer)) {
            fail(message.getClass().getName() + " is serialized by " + serializer.getClass().getName() + " ("
                + serializer.identifier() + "), not millrace-kryo: does it implement MillraceMessage?");
        }
        return serializer;
    }
}
