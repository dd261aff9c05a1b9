package dev.millrace.sharding.persistence.embedded;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Keys and validated values of one embedded plugin's configuration block (journal or snapshot store).
 * <p>
 * Validation happens once, when the plugin actor is constructed, so a bad setting stops the plugin (and the
 * persistent actors that need it) with a message that names the full key, e.g.
 * {@code millrace.persistence.embedded.journal.dir}.
 * <p>
 * Threading: immutable, safe to share.
 */
public final class EmbeddedStoreConfig
{
    /** Data directory of the plugin's RocksDB instance; each plugin needs its own. */
    public static final String DIR_KEY = "dir";
    /** {@code on}: fsync the write-ahead log before a write is acknowledged. */
    public static final String SYNC_WRITES_KEY = "sync-writes";
    /** Dispatcher id for reads (replays, highest sequence number, snapshot loads). */
    public static final String READ_DISPATCHER_KEY = "read-dispatcher";
    /** Snapshot store only: how many newest matching snapshots are tried before a load fails. */
    public static final String MAX_LOAD_ATTEMPTS_KEY = "max-load-attempts";

    private final String configPath;
    private final Path dir;
    private final boolean syncWrites;
    private final String readDispatcher;
    private final int maxLoadAttempts;

    private EmbeddedStoreConfig(
        final String configPath,
        final Path dir,
        final boolean syncWrites,
        final String readDispatcher,
        final int maxLoadAttempts)
    {
        this.configPath = configPath;
        this.dir = dir;
        this.syncWrites = syncWrites;
        this.readDispatcher = readDispatcher;
        this.maxLoadAttempts = maxLoadAttempts;
    }

    /**
     * Reads and validates a plugin block.
     *
     * @param config     the plugin's configuration block, as Pekko hands it to the plugin constructor.
     * @param configPath where the block lives, used to name keys in error messages.
     * @param snapshot   whether {@link #MAX_LOAD_ATTEMPTS_KEY} is required (snapshot store).
     * @return the validated settings.
     * @throws IllegalArgumentException naming the full key when a value is missing or invalid.
     */
    public static EmbeddedStoreConfig from(final Config config, final String configPath, final boolean snapshot)
    {
        Objects.requireNonNull(config, "config");
        final String path = configPath == null ? "" : configPath;

        final String dirText = string(config, path, DIR_KEY);
        if (dirText.isBlank())
        {
            throw invalid(path, DIR_KEY, "must be a non-empty directory path", dirText);
        }
        final Path dir;
        try
        {
            dir = Path.of(dirText);
        }
        catch (final InvalidPathException ex)
        {
            throw invalid(path, DIR_KEY, "must be a valid directory path (" + ex.getReason() + ")", dirText);
        }

        final boolean syncWrites;
        try
        {
            syncWrites = config.getBoolean(SYNC_WRITES_KEY);
        }
        catch (final ConfigException ex)
        {
            throw invalid(path, SYNC_WRITES_KEY, "must be on or off", describe(config, SYNC_WRITES_KEY));
        }

        final String readDispatcher = string(config, path, READ_DISPATCHER_KEY);
        if (readDispatcher.isBlank())
        {
            throw invalid(path, READ_DISPATCHER_KEY, "must name a dispatcher", readDispatcher);
        }

        int maxLoadAttempts = 1;
        if (snapshot)
        {
            try
            {
                maxLoadAttempts = config.getInt(MAX_LOAD_ATTEMPTS_KEY);
            }
            catch (final ConfigException ex)
            {
                throw invalid(path, MAX_LOAD_ATTEMPTS_KEY, "must be an integer >= 1", describe(config, MAX_LOAD_ATTEMPTS_KEY));
            }
            if (maxLoadAttempts < 1)
            {
                throw invalid(path, MAX_LOAD_ATTEMPTS_KEY, "must be an integer >= 1", String.valueOf(maxLoadAttempts));
            }
        }

        return new EmbeddedStoreConfig(path, dir, syncWrites, readDispatcher, maxLoadAttempts);
    }

    /**
     * Builds the error for an invalid key, naming the full key so operators can find it.
     *
     * @param configPath plugin block path.
     * @param key        key inside the block.
     * @param rule       what the value must be.
     * @param actual     what it was.
     * @return the exception to throw.
     */
    public static IllegalArgumentException invalid(
        final String configPath, final String key, final String rule, final String actual)
    {
        return new IllegalArgumentException(
            "Invalid setting " + fullKey(configPath, key) + ": " + rule + ", was '" + actual + "'");
    }

    private static String fullKey(final String configPath, final String key)
    {
        return configPath.isEmpty() ? key : configPath + "." + key;
    }

    private static String string(final Config config, final String path, final String key)
    {
        try
        {
            return config.getString(key);
        }
        catch (final ConfigException ex)
        {
            throw invalid(path, key, "must be set to a string", describe(config, key));
        }
    }

    private static String describe(final Config config, final String key)
    {
        return config.hasPathOrNull(key) && !config.getIsNull(key) ? config.getValue(key).render() : "<missing>";
    }

    public String configPath()
    {
        return configPath;
    }

    public Path dir()
    {
        return dir;
    }

    public boolean syncWrites()
    {
        return syncWrites;
    }

    public String readDispatcher()
    {
        return readDispatcher;
    }

    public int maxLoadAttempts()
    {
        return maxLoadAttempts;
    }

    /**
     * The full key for messages, e.g. {@code millrace.persistence.embedded.journal.read-dispatcher}.
     *
     * @param key key inside this plugin's block.
     * @return the full key.
     */
    public String keyName(final String key)
    {
        return fullKey(configPath, key);
    }
}
