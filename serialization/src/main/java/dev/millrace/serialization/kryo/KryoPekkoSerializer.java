package dev.millrace.serialization.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.util.Pool;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.JSerializer;

/**
 * Pekko serializer for every {@link MillraceMessage}, backed by Kryo 5 with registration required and
 * explicit class ids ({@link KryoRegistry}). Bound in this module's {@code reference.conf} as
 * {@code millrace-kryo}; Java serialization is switched off there ({@code allow-java-serialization = off}).
 *
 * <h2>Wire format, version 1</h2>
 * <pre>
 *  0        1                       1+n
 *  +--------+-----------------------+---------------------------------------------+
 *  | format | class id + 2          | body: the object's Kryo serializer output    |
 *  | version| (Kryo varint, n=1..5) | (records: each component in component-name   |
 *  | = 1    |                       |  order; non-final types as class id + body)  |
 *  +--------+-----------------------+---------------------------------------------+
 * </pre>
 * The array ends exactly where the body ends; trailing bytes are rejected. The registered id is written
 * shifted by 2 because Kryo reserves a written 0 for null and 1 for a class name (never used here, since
 * registration is required).
 *
 * <h2>Why no manifest</h2>
 * {@link #includeManifest()} is {@code false}: the registered class id inside the payload already names
 * the type in 1-2 bytes, whereas a string manifest would repeat the class name in every remote envelope
 * and journal row, and would be a second source of truth that could disagree with the id. The cost is that
 * a receiver cannot reject an unknown type before handing the bytes to this serializer; it fails here
 * instead, with the unknown id in the message.
 *
 * <h2>Versioning</h2>
 * The leading byte is the format version of this envelope (Kryo settings, id table rules); a change to
 * either bumps it and the reader keeps decoding older versions. Class ids are stable forever (see
 * {@link KryoRegistry}). Kryo's record serializer writes components sorted by name, without the names,
 * so a record's component names and types are part of its format: reordering components is safe, but
 * adding, removing, renaming or retyping one is not. To evolve a persisted event or a message exchanged
 * between nodes of different versions, add a new record with a new id and keep the old one readable.
 *
 * <h2>Identifier</h2>
 * {@value #IDENTIFIER}: Millrace serializers use 4100-4199 (Pekko reserves 0-40), and 4101 is this one. It
 * is stored with every persisted event, so it never changes.
 *
 * <h2>Threading</h2>
 * Thread-safe. Kryo instances are not, so each call borrows a {@link Kryo} with its reusable output and
 * input buffers from a thread-safe {@link Pool} (at most {@code pool-size} idle instances), and returns it
 * afterwards; an instance whose call failed is dropped rather than returned. No locks beyond the pool's.
 */
public final class KryoPekkoSerializer extends JSerializer {
    /** The serializer identifier, stored with every serialized message. */
    public static final int IDENTIFIER = 4101;
    /** The current envelope format version, the first byte of every payload. */
    public static final byte FORMAT_VERSION = 1;

    private static final byte[] EMPTY = new byte[0];
    private static final int RETAINED_BUFFER_LIMIT_BYTES = 64 * 1024;

    private final ExtendedActorSystem system;
    private final KryoSettings settings;
    private final TypedActorRefSerializer actorRefSerializer;
    private final Pool<PooledKryo> pool;
    private volatile ActorRefResolver actorRefResolver;

    /**
     * Called reflectively by Pekko's serialization extension at actor-system start. Validates the
     * configuration and builds one Kryo, so a bad registration fails the start.
     *
     * @param system the actor system this serializer belongs to
     * @throws com.typesafe.config.ConfigException naming the offending key
     */
    public KryoPekkoSerializer(final ExtendedActorSystem system) {
        this.system = system;
        this.settings = KryoSettings.fromConfig(system.settings().config(), system.dynamicAccess().classLoader());
        this.actorRefSerializer = new TypedActorRefSerializer(this::actorRefResolver);
        this.pool = new Pool<>(true, false, settings.poolSize()) {
            @Override
            protected PooledKryo create() {
                return new PooledKryo(settings, actorRefSerializer);
            }
        };
        pool.free(pool.obtain());
    }

    @Override
    public int identifier() {
        return IDENTIFIER;
    }

    @Override
    public boolean includeManifest() {
        return false;
    }

    /**
     * @return the validated settings, including the id table used by this serializer
     */
    public KryoSettings settings() {
        return settings;
    }

    /**
     * @param message the message, normally a {@link MillraceMessage}
     * @return the version-1 payload described in the class documentation
     * @throws UnregisteredClassException if the message or a value inside it has no registration
     * @throws KryoException              if the message is larger than {@code max-buffer-size} or Kryo fails
     */
    @Override
    public byte[] toBinary(final Object message) {
        final PooledKryo pooled = pool.obtain();
        final byte[] bytes;
        try {
            final Output output = pooled.output;
            output.reset();
            output.writeByte(FORMAT_VERSION);
            pooled.kryo.writeClassAndObject(output, message);
            bytes = output.toBytes();
        } catch (final UnregisteredClassException e) {
            throw e;
        } catch (final KryoException e) {
            throw new KryoException("Cannot serialize " + message.getClass().getName() + " with millrace-kryo ("
                + "if the buffer overflowed, the message is larger than " + KryoSettings.MAX_BUFFER_SIZE + "): "
                + e.getMessage(), e);
        } catch (final RuntimeException e) {
            throw new KryoException("Cannot serialize " + message.getClass().getName() + " with millrace-kryo", e);
        }
        pooled.releaseBuffers();
        pool.free(pooled);
        return bytes;
    }

    /**
     * @param bytes    a payload written by {@link #toBinary(Object)}
     * @param manifest ignored (always {@code null}: no manifest is written)
     * @return the message
     * @throws KryoException if the version is unknown, an id is not registered on this node, or the bytes
     *                       do not decode to exactly one object
     */
    @Override
    public Object fromBinaryJava(final byte[] bytes, final Class<?> manifest) {
        if (bytes.length == 0) {
            throw new KryoException("Cannot deserialize with millrace-kryo: empty payload");
        }
        if (bytes[0] != FORMAT_VERSION) {
            throw new KryoException("Cannot deserialize with millrace-kryo: unsupported format version " + bytes[0]
                + " (this node reads version " + FORMAT_VERSION + ")");
        }
        final PooledKryo pooled = pool.obtain();
        final Object message;
        try {
            final Input input = pooled.input;
            input.setBuffer(bytes, 1, bytes.length - 1);
            message = pooled.kryo.readClassAndObject(input);
            if (input.position() != bytes.length) {
                throw new KryoException((bytes.length - input.position()) + " trailing bytes after "
                    + (message == null ? "null" : message.getClass().getName()));
            }
        } catch (final RuntimeException e) {
            throw new KryoException("Cannot deserialize " + bytes.length + " bytes with millrace-kryo (an unknown "
                + "class id means the sender registered a class this node does not know: compare "
                + KryoRegistry.REGISTRATIONS_PATH + " on both sides): " + e.getMessage(), e);
        }
        pooled.releaseBuffers();
        pool.free(pooled);
        return message;
    }

    private ActorRefResolver actorRefResolver() {
        ActorRefResolver resolver = actorRefResolver;
        if (resolver == null) {
            // Benign race: the extension is a per-system singleton, every thread gets the same instance.
            resolver = ActorRefResolver.get(Adapter.toTyped(system));
            actorRefResolver = resolver;
        }
        return resolver;
    }

    /** One Kryo with its buffers; confined to the thread that borrowed it from the pool. */
    private static final class PooledKryo {
        final Kryo kryo;
        final Output output;
        final Input input = new Input();
        private final int initialBufferSizeBytes;
        private final int maxBufferSizeBytes;

        PooledKryo(final KryoSettings settings, final TypedActorRefSerializer actorRefSerializer) {
            this.kryo = settings.registry().newKryo(actorRefSerializer);
            this.initialBufferSizeBytes = settings.initialBufferSizeBytes();
            this.maxBufferSizeBytes = settings.maxBufferSizeBytes();
            this.output = new Output(initialBufferSizeBytes, maxBufferSizeBytes);
        }

        void releaseBuffers() {
            // Keep an ordinary buffer for reuse, but do not let one huge message pin memory in every pooled instance.
            if (output.getBuffer().length > Math.max(RETAINED_BUFFER_LIMIT_BYTES, initialBufferSizeBytes)) {
                output.setBuffer(new byte[initialBufferSizeBytes], maxBufferSizeBytes);
            }
            input.setBuffer(EMPTY);
        }
    }
}
