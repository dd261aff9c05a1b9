package dev.millrace.runtime.state;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.ColumnFamilyDescriptor;
import org.rocksdb.ColumnFamilyHandle;
import org.rocksdb.ColumnFamilyOptions;
import org.rocksdb.DBOptions;
import org.rocksdb.InfoLogLevel;
import org.rocksdb.LRUCache;
import org.rocksdb.RocksDB;
import org.rocksdb.RocksDBException;
import org.rocksdb.RocksIterator;
import org.rocksdb.StringAppendOperator;
import org.rocksdb.WriteBatch;
import org.rocksdb.WriteOptions;

/**
 * Keyed state of one operator instance in its own embedded RocksDB, in its own directory (deleted on
 * {@link #close()}): one column family per state, one RocksDB entry per (key, namespace) — per (key,
 * namespace, user key) for map states — written with the state Kryo on every write, so state can outgrow
 * the heap at the price of a serialization per access.
 *
 * <p>Entry key layout (a key group's entries are contiguous, so a key-group range can be iterated; Kryo's
 * encodings are self-delimiting, so one (key, namespace)'s map entries are exactly the keys with its prefix):
 * <pre>
 * +----------------+------------------+------------------------------------+--------------------------+
 * | key group      | key              | namespace                          | user key (map state only)|
 * | 2 bytes, big   | Kryo class+object| 0x00 (void) | 0x01 + Kryo class+obj| Kryo class+object        |
 * | endian         | (no references)  |                                    | (no references)          |
 * +----------------+------------------+------------------------------------+--------------------------+
 * </pre>
 * Values: Kryo class+object of the stored form (the value or accumulator, a map's user value; a
 * {@link TtlValue} under TTL); a list is its elements' Kryo class+object encodings back to back, so that
 * {@code add} is a RocksDB merge (a {@code StringAppendOperator} with an empty delimiter) and never reads
 * the list. Keys are compared as bytes, so two keys are the same key exactly
 * when their serialized forms are equal (use keys whose serialization is deterministic: boxed values,
 * strings, records of them — not hash sets or maps).
 *
 * <p>Snapshots are the common tree of {@link KeyedStateBackend} (entries decoded back to objects), so they
 * restore on the heap backend and the other way round. Memory: an LRU block cache per instance and
 * {@code writeBufferBytes × maxWriteBufferNumber} of memtables per state ({@link RocksDbStateOptions}). The
 * write-ahead log is off: state survives a failure only through snapshots, as in Flink.
 *
 * <p>Threading: confined to the operator instance's actor.
 */
public final class RocksDbKeyedStateBackend extends AbstractKeyedStateBackend
{
    private static final byte VOID_NAMESPACE = 0;
    private static final byte OTHER_NAMESPACE = 1;

    static
    {
        RocksDB.loadLibrary();
    }

    private final Path directory;
    private final LRUCache blockCache;
    private final StringAppendOperator appendOperator;
    private final ColumnFamilyOptions columnOptions;
    private final DBOptions dbOptions;
    private final WriteOptions writeOptions;
    private final RocksDB db;
    private final ColumnFamilyHandle defaultColumn;
    private final Map<String, ColumnFamilyHandle> columns = new HashMap<>();
    private final Kryo keyKryo = StateKryo.create(false);
    private final Kryo valueKryo = StateKryo.create(true);
    private final Output keyOutput = new Output(128, -1);
    private final Output valueOutput = new Output(256, -1);
    private byte[] keyPrefix;
    private boolean closed;

    /**
     * Opens an empty database in a new directory under {@code options.directory()}.
     *
     * @param parameters the operator instance
     * @param options    directory and memory
     * @throws IllegalStateException when RocksDB cannot be opened
     */
    public RocksDbKeyedStateBackend(final StateBackendParameters parameters, final RocksDbStateOptions options)
    {
        super(parameters.maxParallelism(), parameters.keyGroupRange(), parameters.clockMs());
        final String safeName = parameters.operatorName().replaceAll("[^A-Za-z0-9_.-]", "_");
        directory = options.directory().resolve("millrace-state-" + safeName + "-" + parameters.subtaskIndex() + "-"
            + UUID.randomUUID());
        blockCache = new LRUCache(options.blockCacheBytes());
        appendOperator = new StringAppendOperator("");
        columnOptions = new ColumnFamilyOptions()
            .setMergeOperator(appendOperator)
            .setTableFormatConfig(new BlockBasedTableConfig().setBlockCache(blockCache))
            .setWriteBufferSize(options.writeBufferBytes())
            .setMaxWriteBufferNumber(options.maxWriteBufferNumber());
        dbOptions = new DBOptions().setCreateIfMissing(true).setInfoLogLevel(InfoLogLevel.ERROR_LEVEL);
        writeOptions = new WriteOptions().setDisableWAL(true);
        final List<ColumnFamilyHandle> handles = new ArrayList<>();
        try
        {
            Files.createDirectories(directory);
            db = RocksDB.open(dbOptions, directory.toString(),
                List.of(new ColumnFamilyDescriptor(RocksDB.DEFAULT_COLUMN_FAMILY, columnOptions)), handles);
        }
        catch (final IOException | RocksDBException e)
        {
            writeOptions.close();
            dbOptions.close();
            columnOptions.close();
            appendOperator.close();
            blockCache.close();
            deleteDirectory();
            throw new IllegalStateException("cannot open RocksDB state in " + directory + ": " + e.getMessage(), e);
        }
        defaultColumn = handles.get(0);
    }

    /** @return the database's directory (for tests) */
    public Path directory()
    {
        return directory;
    }

    @Override
    protected void onCurrentKey()
    {
        keyPrefix = null;
    }

    @Override
    protected ValueStore valueStore(final String name, final String kind)
    {
        final ColumnFamilyHandle column = column(name);
        return new ValueStore()
        {
            @Override
            public Object get(final Object namespace)
            {
                return read(name, column, entryKey(namespace, false, null));
            }

            @Override
            public void put(final Object namespace, final Object stored)
            {
                write(name, column, entryKey(namespace, false, null), stored);
            }
        };
    }

    @Override
    protected ListStore listStore(final String name)
    {
        final ColumnFamilyHandle column = column(name);
        return new ListStore()
        {
            @Override
            public List<Object> get(final Object namespace)
            {
                try
                {
                    final byte[] bytes = db.get(column, entryKey(namespace, false, null));
                    return bytes == null ? null : deserializeList(name, bytes);
                }
                catch (final RocksDBException e)
                {
                    throw failure(name, "read", e);
                }
            }

            @Override
            public void add(final Object namespace, final List<Object> elements)
            {
                try
                {
                    db.merge(column, writeOptions, entryKey(namespace, false, null), serializeList(name, elements));
                }
                catch (final RocksDBException e)
                {
                    throw failure(name, "append to", e);
                }
            }

            @Override
            public void put(final Object namespace, final List<Object> elements)
            {
                final byte[] key = entryKey(namespace, false, null);
                try
                {
                    if (elements == null || elements.isEmpty())
                    {
                        db.delete(column, writeOptions, key);
                    }
                    else
                    {
                        db.put(column, writeOptions, key, serializeList(name, elements));
                    }
                }
                catch (final RocksDBException e)
                {
                    throw failure(name, "write", e);
                }
            }
        };
    }

    @Override
    protected MapStore mapStore(final String name)
    {
        final ColumnFamilyHandle column = column(name);
        return new MapStore()
        {
            @Override
            public Object get(final Object namespace, final Object userKey)
            {
                return read(name, column, entryKey(namespace, true, userKey));
            }

            @Override
            public void put(final Object namespace, final Object userKey, final Object stored)
            {
                write(name, column, entryKey(namespace, true, userKey), stored);
            }

            @Override
            public void remove(final Object namespace, final Object userKey)
            {
                write(name, column, entryKey(namespace, true, userKey), null);
            }

            @Override
            public boolean contains(final Object namespace, final Object userKey)
            {
                return get(namespace, userKey) != null;
            }

            @Override
            public Iterable<Map.Entry<Object, Object>> entries(final Object namespace)
            {
                final byte[] prefix = entryKey(namespace, false, null);
                final List<Map.Entry<Object, Object>> entries = new ArrayList<>();
                try (RocksIterator iterator = db.newIterator(column))
                {
                    for (iterator.seek(prefix); iterator.isValid() && startsWith(iterator.key(), prefix); iterator.next())
                    {
                        final byte[] key = iterator.key();
                        try (Input input = new Input(key, prefix.length, key.length - prefix.length))
                        {
                            entries.add(new AbstractMap.SimpleImmutableEntry<>(keyKryo.readClassAndObject(input),
                                deserialize(name, iterator.value())));
                        }
                    }
                }
                return entries;
            }

            @Override
            public boolean isEmpty(final Object namespace)
            {
                final byte[] prefix = entryKey(namespace, false, null);
                try (RocksIterator iterator = db.newIterator(column))
                {
                    iterator.seek(prefix);
                    return !(iterator.isValid() && startsWith(iterator.key(), prefix));
                }
            }

            @Override
            public void clear(final Object namespace)
            {
                final byte[] prefix = entryKey(namespace, false, null);
                try
                {
                    db.deleteRange(column, writeOptions, prefix, successor(prefix));
                }
                catch (final RocksDBException e)
                {
                    throw failure(name, "clear", e);
                }
            }
        };
    }

    private ColumnFamilyHandle column(final String name)
    {
        checkOpen();
        ColumnFamilyHandle column = columns.get(name);
        if (column == null)
        {
            try
            {
                column = db.createColumnFamily(new ColumnFamilyDescriptor(name.getBytes(StandardCharsets.UTF_8),
                    columnOptions));
            }
            catch (final RocksDBException e)
            {
                throw failure(name, "create the column family of", e);
            }
            columns.put(name, column);
        }
        return column;
    }

    /** The current key's entry key: cached key prefix, then namespace, then (maps) the user key. */
    private byte[] entryKey(final Object namespace, final boolean withUserKey, final Object userKey)
    {
        checkedKeyGroup();
        if (keyPrefix == null)
        {
            keyOutput.reset();
            writeKeyGroup(currentKeyGroup);
            writeKeyPart(currentKey, "key");
            keyPrefix = keyOutput.toBytes();
        }
        keyOutput.reset();
        keyOutput.writeBytes(keyPrefix);
        writeNamespace(namespace);
        if (withUserKey)
        {
            writeKeyPart(userKey, "map key");
        }
        return keyOutput.toBytes();
    }

    private byte[] encodeKey(final int keyGroup, final Object stateKey, final boolean withUserKey, final Object userKey)
    {
        keyOutput.reset();
        writeKeyGroup(keyGroup);
        if (stateKey instanceof NamespacedKey namespaced)
        {
            writeKeyPart(namespaced.key(), "key");
            writeNamespace(namespaced.namespace());
        }
        else
        {
            writeKeyPart(stateKey, "key");
            writeNamespace(VoidNamespace.INSTANCE);
        }
        if (withUserKey)
        {
            writeKeyPart(userKey, "map key");
        }
        return keyOutput.toBytes();
    }

    /** Big endian, so that key groups sort in order (Kryo's writeShort is little endian). */
    private void writeKeyGroup(final int keyGroup)
    {
        keyOutput.writeByte((byte) (keyGroup >>> 8));
        keyOutput.writeByte((byte) keyGroup);
    }

    private void writeNamespace(final Object namespace)
    {
        if (namespace == VoidNamespace.INSTANCE)
        {
            keyOutput.writeByte(VOID_NAMESPACE);
        }
        else
        {
            keyOutput.writeByte(OTHER_NAMESPACE);
            writeKeyPart(namespace, "namespace");
        }
    }

    private void writeKeyPart(final Object part, final String what)
    {
        try
        {
            keyKryo.writeClassAndObject(keyOutput, part);
        }
        catch (final KryoException e)
        {
            throw new StateSerializationException("RocksDB state cannot serialize the " + what + " "
                + (part == null ? "null" : part.getClass().getName()) + ": " + e.getMessage(), e);
        }
    }

    private Object read(final String name, final ColumnFamilyHandle column, final byte[] key)
    {
        try
        {
            final byte[] bytes = db.get(column, key);
            return bytes == null ? null : deserialize(name, bytes);
        }
        catch (final RocksDBException e)
        {
            throw failure(name, "read", e);
        }
    }

    private void write(final String name, final ColumnFamilyHandle column, final byte[] key, final Object stored)
    {
        try
        {
            if (stored == null)
            {
                db.delete(column, writeOptions, key);
            }
            else
            {
                db.put(column, writeOptions, key, serialize(name, stored));
            }
        }
        catch (final RocksDBException e)
        {
            throw failure(name, "write", e);
        }
    }

    private byte[] serialize(final String name, final Object stored)
    {
        valueOutput.reset();
        try
        {
            valueKryo.writeClassAndObject(valueOutput, stored);
        }
        catch (final KryoException e)
        {
            throw new StateSerializationException("state '" + name + "' cannot store a value of type "
                + stored.getClass().getName() + " in RocksDB: " + e.getMessage(), e);
        }
        return valueOutput.toBytes();
    }

    /** A list is its elements' Kryo encodings back to back, so an append is a RocksDB merge (concatenation). */
    private byte[] serializeList(final String name, final List<?> elements)
    {
        valueOutput.reset();
        for (final Object element : elements)
        {
            try
            {
                valueKryo.writeClassAndObject(valueOutput, element);
            }
            catch (final KryoException e)
            {
                throw new StateSerializationException("state '" + name + "' cannot store an element of type "
                    + element.getClass().getName() + " in RocksDB: " + e.getMessage(), e);
            }
        }
        return valueOutput.toBytes();
    }

    private ArrayList<Object> deserializeList(final String name, final byte[] bytes)
    {
        final ArrayList<Object> elements = new ArrayList<>();
        try (Input input = new Input(bytes))
        {
            while (input.position() < bytes.length)
            {
                elements.add(valueKryo.readClassAndObject(input));
            }
        }
        catch (final KryoException e)
        {
            throw new StateSerializationException("list state '" + name + "' holds an element RocksDB cannot read "
                + "back: " + e.getMessage(), e);
        }
        return elements;
    }

    private Object deserialize(final String name, final byte[] bytes)
    {
        try (Input input = new Input(bytes))
        {
            return valueKryo.readClassAndObject(input);
        }
        catch (final KryoException e)
        {
            throw new StateSerializationException("state '" + name + "' holds a value RocksDB cannot read back: "
                + e.getMessage(), e);
        }
    }

    private IllegalStateException failure(final String name, final String action, final RocksDBException e)
    {
        return new IllegalStateException("RocksDB state backend in " + directory + " failed to " + action + " state "
            + name + ": " + e.getMessage(), e);
    }

    @Override
    protected HashMap<Integer, HashMap<Object, Object>> snapshotGroups(final String name, final String kind)
    {
        final HashMap<Integer, HashMap<Object, Object>> groups = new HashMap<>();
        final ColumnFamilyHandle column = column(name);
        final boolean map = "map".equals(kind);
        final boolean list = "list".equals(kind);
        try (RocksIterator iterator = db.newIterator(column))
        {
            for (iterator.seekToFirst(); iterator.isValid(); iterator.next())
            {
                final byte[] key = iterator.key();
                final int keyGroup = ((key[0] & 0xFF) << 8) | (key[1] & 0xFF);
                try (Input input = new Input(key, 2, key.length - 2))
                {
                    final Object recordKey = keyKryo.readClassAndObject(input);
                    final Object stateKey = input.readByte() == VOID_NAMESPACE ? recordKey
                        : new NamespacedKey(recordKey, keyKryo.readClassAndObject(input));
                    final HashMap<Object, Object> group = groups.computeIfAbsent(keyGroup, g -> new HashMap<>());
                    final Object value = list ? deserializeList(name, iterator.value())
                        : deserialize(name, iterator.value());
                    if (map)
                    {
                        @SuppressWarnings("unchecked")
                        final HashMap<Object, Object> entries =
                            (HashMap<Object, Object>) group.computeIfAbsent(stateKey, k -> new HashMap<>());
                        entries.put(keyKryo.readClassAndObject(input), value);
                    }
                    else
                    {
                        group.put(stateKey, value);
                    }
                }
            }
        }
        return groups;
    }

    @Override
    protected void clearAll()
    {
        for (final Map.Entry<String, ColumnFamilyHandle> column : columns.entrySet())
        {
            try
            {
                db.deleteRange(column.getValue(), writeOptions, new byte[] {0}, new byte[] {(byte) 0xFF, (byte) 0xFF,
                    (byte) 0xFF});
            }
            catch (final RocksDBException e)
            {
                throw failure(column.getKey(), "clear", e);
            }
        }
    }

    @Override
    protected void restoreGroup(final String name, final String kind, final int keyGroup,
        final Map<Object, Object> entries)
    {
        final ColumnFamilyHandle column = column(name);
        final boolean map = "map".equals(kind);
        try (WriteBatch batch = new WriteBatch())
        {
            for (final Map.Entry<Object, Object> entry : entries.entrySet())
            {
                if (map)
                {
                    for (final Map.Entry<?, ?> user : ((Map<?, ?>) entry.getValue()).entrySet())
                    {
                        batch.put(column, encodeKey(keyGroup, entry.getKey(), true, user.getKey()),
                            serialize(name, user.getValue()));
                    }
                }
                else
                {
                    batch.put(column, encodeKey(keyGroup, entry.getKey(), false, null), "list".equals(kind)
                        ? serializeList(name, (List<?>) entry.getValue()) : serialize(name, entry.getValue()));
                }
            }
            db.write(writeOptions, batch);
        }
        catch (final RocksDBException e)
        {
            throw failure(name, "restore", e);
        }
        keyPrefix = null;
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("the RocksDB state backend in " + directory + " is closed");
        }
    }

    /** Closes the database and its native options, then deletes its directory. Idempotent. */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (final ColumnFamilyHandle column : columns.values())
        {
            column.close();
        }
        columns.clear();
        defaultColumn.close();
        db.close();
        writeOptions.close();
        dbOptions.close();
        columnOptions.close();
        appendOperator.close();
        blockCache.close();
        deleteDirectory();
    }

    private void deleteDirectory()
    {
        if (!Files.exists(directory))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory))
        {
            for (final Path path : paths.sorted(Comparator.reverseOrder()).toList())
            {
                Files.delete(path);
            }
        }
        catch (final IOException e)
        {
            throw new UncheckedIOException("cannot delete the RocksDB state directory " + directory, e);
        }
    }

    private static boolean startsWith(final byte[] bytes, final byte[] prefix)
    {
        return bytes.length >= prefix.length && Arrays.equals(bytes, 0, prefix.length, prefix, 0, prefix.length);
    }

    /** @return the smallest byte string greater than every string starting with {@code prefix} */
    private static byte[] successor(final byte[] prefix)
    {
        final byte[] next = prefix.clone();
        for (int i = next.length - 1; i >= 0; i--)
        {
            if (next[i] != (byte) 0xFF)
            {
                next[i]++;
                return Arrays.copyOf(next, i + 1);
            }
        }
        throw new IllegalStateException("no successor of an all-0xFF key prefix");
    }
}
