package dev.millrace.serialization.kryo;

/**
 * Marker for every Millrace actor message, event and reply that may cross a JVM boundary or be persisted.
 *
 * <p>{@code reference.conf} binds this interface to the {@code millrace-kryo} serializer
 * ({@link KryoPekkoSerializer}), so Pekko picks Kryo for every implementing class. Implementing it is not
 * enough on its own: each concrete class also needs an explicit Kryo id under
 * {@code millrace.serialization.kryo.registrations} (see {@link KryoRegistry}); an unregistered class fails
 * with {@link UnregisteredClassException}.
 *
 * <p>Protocols are sealed interfaces of records ({@code sealed interface Command extends MillraceMessage
 * permits ...}); register each record and enum, never the interface. Do not also implement
 * {@code java.io.Serializable}: that makes the binding ambiguous and Java serialization is disabled.
 *
 * <p>Threading: a marker, no behaviour; implementations should be immutable.
 */
public interface MillraceMessage {
}
