package dev.millrace.runtime.state;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;

/**
 * The RocksDB {@link StateBackend}: a {@link RocksDbKeyedStateBackend} per keyed operator instance.
 *
 * @param options the settings, or null to take them from the configuration at submit
 */
record RocksDbStateBackend(RocksDbStateOptions options) implements StateBackend
{
    @Override
    public KeyedStateBackend createKeyedStateBackend(final StateBackendParameters parameters)
    {
        final RocksDbStateOptions resolved = options != null ? options
            : RocksDbStateOptions.fromConfig(ConfigFactory.load());
        return new RocksDbKeyedStateBackend(parameters, resolved);
    }

    @Override
    public StateBackend withConfig(final Config config)
    {
        return options != null ? this : new RocksDbStateBackend(RocksDbStateOptions.fromConfig(config));
    }

    @Override
    public String describe()
    {
        return "rocksdb" + (options == null ? "" : " " + options);
    }
}
