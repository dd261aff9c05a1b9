package dev.millrace.runtime.state;

/**
 * The state backends a job can choose: {@code JobBuilder.create().stateBackend(StateBackends.rocksDb())}.
 */
public final class StateBackends
{
    private static final StateBackend HEAP = new StateBackend()
    {
        @Override
        public KeyedStateBackend createKeyedStateBackend(final StateBackendParameters parameters)
        {
            return new HeapKeyedStateBackend(parameters.maxParallelism(), parameters.keyGroupRange(),
                parameters.clockMs());
        }

        @Override
        public String describe()
        {
            return "heap";
        }
    };

    private StateBackends()
    {
    }

    /** @return keyed state in hash maps on the heap (the default): fastest, bounded by memory */
    public static StateBackend heap()
    {
        return HEAP;
    }

    /**
     * @return keyed state in an embedded RocksDB per operator instance, configured from
     *         {@code millrace.runtime.state.rocksdb} when the job is submitted
     */
    public static StateBackend rocksDb()
    {
        return new RocksDbStateBackend(null);
    }

    /**
     * @param options directory and memory settings
     * @return keyed state in an embedded RocksDB per operator instance
     */
    public static StateBackend rocksDb(final RocksDbStateOptions options)
    {
        if (options == null)
        {
            throw new IllegalArgumentException("RocksDB state options must not be null");
        }
        return new RocksDbStateBackend(options);
    }
}
