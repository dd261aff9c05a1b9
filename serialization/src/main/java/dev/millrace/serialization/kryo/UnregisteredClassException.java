package dev.millrace.serialization.kryo;

import com.esotericsoftware.kryo.KryoException;

/**
 * Thrown when a class that has no explicit Kryo id is about to be serialized, at the top level or in any
 * field. The message names the class and the configuration entry that registers it.
 *
 * <p>It extends {@link KryoException} so that Kryo's field serializers append the serialization trace
 * (which field of which class held the value) instead of wrapping it: the type survives nesting.
 *
 * <p>Threading: an immutable exception.
 */
public final class UnregisteredClassException extends KryoException {
    private static final long serialVersionUID = 1L;

    private final String unregisteredClassName;

    /**
     * @param unregisteredClass the class that has no registration
     */
    public UnregisteredClassException(final Class<?> unregisteredClass) {
        super(message(unregisteredClass));
        this.unregisteredClassName = unregisteredClass.getName();
    }

    /**
     * @return binary name ({@link Class#getName()}) of the class that has no registration
     */
    public String unregisteredClassName() {
        return unregisteredClassName;
    }

    private static String message(final Class<?> type) {
        return "Class " + type.getName() + " is not registered for Kryo serialization (registration is required). "
            + "Register it with an explicit id in your module's reference.conf: "
            + KryoRegistry.REGISTRATIONS_PATH + " { \"" + type.getName() + "\" = <unused id >= "
            + KryoRegistry.FIRST_USER_ID + "> }";
    }
}
