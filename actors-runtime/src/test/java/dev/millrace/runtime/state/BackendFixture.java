package dev.millrace.runtime.state;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * Creates keyed state backends of either kind for tests and closes them all afterwards (RocksDB in a test's
 * temporary directory).
 */
final class BackendFixture implements AutoCloseable
{
    /** The backends under test. */
    enum Kind
    {
        HEAP,
        ROCKSDB
    }

    private final Path directory;
    private final List<KeyedStateBackend> created = new ArrayList<>();

    BackendFixture(final Path directory)
    {
        this.directory = directory;
    }

    KeyedStateBackend create(final Kind kind, final int maxParallelism, final KeyGroupRange range,
        final LongSupplier clockMs)
    {
        final StateBackend backend = kind == Kind.HEAP ? StateBackends.heap()
            : StateBackends.rocksDb(new RocksDbStateOptions(directory, 1 << 20, 1 << 20, 2));
        final KeyedStateBackend keyed = backend.createKeyedStateBackend(
            new StateBackendParameters("test op", 0, maxParallelism, range, clockMs));
        created.add(keyed);
        return keyed;
    }

    KeyedStateBackend create(final Kind kind, final int maxParallelism, final KeyGroupRange range)
    {
        return create(kind, maxParallelism, range, System::currentTimeMillis);
    }

    @Override
    public void close()
    {
        for (final KeyedStateBackend backend : created)
        {
            backend.close();
        }
    }
}
