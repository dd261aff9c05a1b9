package dev.millrace.serialization.kryo;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

/**
 * Settings of the {@code millrace-kryo} serializer, read from {@code millrace.serialization.kryo} and
 * validated at actor-system start (every key and its default are in this module's
 * {@code reference.conf}).
 *
 * <p>Threading: immutable.
 *
 * @param initialBufferSizeBytes starting size of each pooled output buffer
 * @param maxBufferSizeBytes     largest serialized message; larger messages fail
 * @param poolSize               most idle Kryo instances kept; more are created under contention and dropped
 * @param registry               the validated class-id table
 */
public record KryoSettings(int initialBufferSizeBytes, int maxBufferSizeBytes, int poolSize, KryoRegistry registry) {
    /** Root path of these settings. */
    public static final String ROOT = "millrace.serialization.kryo";
    /** Key of {@link #initialBufferSizeBytes()}. */
    public static final String INITIAL_BUFFER_SIZE = ROOT + ".initial-buffer-size";
    /** Key of {@link #maxBufferSizeBytes()}. */
    public static final String MAX_BUFFER_SIZE = ROOT + ".max-buffer-size";
    /** Key of {@link #poolSize()}. */
    public static final String POOL_SIZE = ROOT + ".pool-size";

    /**
     * @param config      the actor system's configuration
     * @param classLoader loader for registered classes
     * @return validated settings
     * @throws ConfigException naming the key that is missing or invalid
     */
    public static KryoSettings fromConfig(final Config config, final ClassLoader classLoader) {
        return new KryoSettings(bytes(config, INITIAL_BUFFER_SIZE), bytes(config, MAX_BUFFER_SIZE),
            config.getInt(POOL_SIZE), KryoRegistry.fromConfig(config, classLoader));
    }

    /**
     * Validates the values, naming the configuration key of an invalid one.
     *
     * @throws ConfigException.BadValue if a value is out of range
     */
    public KryoSettings {
        if (initialBufferSizeBytes < 16) {
            throw new ConfigException.BadValue(INITIAL_BUFFER_SIZE, "must be at least 16 bytes, was "
                + initialBufferSizeBytes);
        }
        if (maxBufferSizeBytes < initialBufferSizeBytes) {
            throw new ConfigException.BadValue(MAX_BUFFER_SIZE, "must be >= " + INITIAL_BUFFER_SIZE + " ("
                + initialBufferSizeBytes + " bytes), was " + maxBufferSizeBytes);
        }
        if (poolSize < 1) {
            throw new ConfigException.BadValue(POOL_SIZE, "must be at least 1, was " + poolSize);
        }
        java.util.Objects.requireNonNull(registry, "registry");
    }

    private static int bytes(final Config config, final String path) {
        final long value = config.getBytes(path);
        if (value > Integer.MAX_VALUE - 8) {
            throw new ConfigException.BadValue(path, "must be below 2 GiB, was " + value);
        }
        return (int) value;
    }
}
