package dev.millrace.runtime.exchange;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.KryoException;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import com.esotericsoftware.kryo.serializers.ImmutableCollectionsSerializers;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import dev.millrace.runtime.execution.Buffer;
import org.objenesis.strategy.StdInstantiatorStrategy;

/**
 * Encodes an exchange {@link Buffer} into bytes for a receiver on another node, and back. Records are user
 * types that no registration table knows, so they are written the way state snapshots are: Kryo with class
 * names, records through their canonical constructor, other classes through Objenesis when they lack a
 * no-argument constructor; references off (a buffer's records are independent values).
 *
 * <p>Format: {@code [int version = 1][varint size]} then per element {@code [byte kind][long timestamp]} and,
 * for a record, {@code [Kryo class-and-object]}, with one Kryo context per buffer (each class name is written
 * once per buffer). Encoding a buffer once per channel is the only copy an
 * exchange makes; receivers in the same JVM get the buffer by reference and never see this class.
 *
 * <p>Threading: not thread-safe (Kryo is not); one codec per operator instance.
 */
public final class BufferCodec
{
    /** Version written first in every encoded buffer. */
    public static final int FORMAT_VERSION = 1;

    private final Kryo kryo;
    private final int maxBytes;
    private final Output output;

    /**
     * @param classLoader loads the records' classes
     * @param maxBytes    largest encoding allowed (the transport's frame, less its envelope)
     */
    public BufferCodec(final ClassLoader classLoader, final int maxBytes)
    {
        if (maxBytes < 64)
        {
            throw new IllegalArgumentException("maxBytes must be at least 64 but is " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.output = new Output(Math.min(64 * 1024, maxBytes), -1);
        kryo = new Kryo();
        kryo.setRegistrationRequired(false);
        kryo.setReferences(false);
        // One Kryo context per buffer, not per record: a record type's class name is written at its first
        // record in the buffer, later ones refer to it by a small id.
        kryo.setAutoReset(false);
        kryo.setClassLoader(classLoader);
        kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        ImmutableCollectionsSerializers.registerSerializers(kryo);
    }

    /**
     * @param buffer the elements
     * @return their encoding
     * @throws ExchangeEncodingException when a record cannot be written or the encoding exceeds the limit
     */
    public byte[] encode(final Buffer buffer)
    {
        kryo.reset();
        output.reset();
        output.writeInt(FORMAT_VERSION);
        output.writeVarInt(buffer.size(), true);
        for (int i = 0; i < buffer.size(); i++)
        {
            final byte kind = buffer.kind(i);
            output.writeByte(kind);
            output.writeLong(buffer.timestamp(i));
            if (kind == Buffer.RECORD)
            {
                try
                {
                    kryo.writeClassAndObject(output, buffer.value(i));
                }
                catch (final KryoException e)
                {
                    throw new ExchangeEncodingException("cannot encode a record of "
                        + describe(buffer.value(i)) + " for a receiver on another node: " + e.getMessage(), e);
                }
                catch (final StackOverflowError e)
                {
                    throw new ExchangeEncodingException("cannot encode a record of " + describe(buffer.value(i))
                        + " for a receiver on another node: its object graph is too deep or has a cycle (records "
                        + "cross nodes as values, without shared references)", e);
                }
            }
        }
        if (output.position() > maxBytes)
        {
            throw new ExchangeEncodingException("a buffer of " + buffer.size() + " elements encodes to "
                + output.position() + " bytes, more than the " + maxBytes + " a message to another node may carry "
                + "(pekko.remote.artery.advanced.maximum-frame-size less the envelope): lower "
                + "millrace.runtime.exchange.buffer-records or raise the frame size");
        }
        return output.toBytes();
    }

    /**
     * @param bytes an encoding made by {@link #encode}
     * @return a buffer with the same elements, sized to them
     * @throws ExchangeEncodingException when the bytes are not such an encoding or a class is unknown here
     */
    public Buffer decode(final byte[] bytes)
    {
        kryo.reset();
        try (Input input = new Input(bytes))
        {
            final int version = input.readInt();
            if (version != FORMAT_VERSION)
            {
                throw new ExchangeEncodingException("unsupported exchange buffer version " + version + ", expected "
                    + FORMAT_VERSION);
            }
            final int size = input.readVarInt(true);
            final Buffer buffer = new Buffer(Math.max(1, size));
            for (int i = 0; i < size; i++)
            {
                final byte kind = input.readByte();
                final long timestamp = input.readLong();
                final Object value = kind == Buffer.RECORD ? kryo.readClassAndObject(input) : null;
                buffer.add(kind, value, timestamp);
            }
            if (input.position() != bytes.length)
            {
                throw new ExchangeEncodingException("exchange buffer has " + (bytes.length - input.position())
                    + " trailing bytes after " + size + " elements");
            }
            return buffer;
        }
        catch (final KryoException e)
        {
            throw new ExchangeEncodingException("cannot decode an exchange buffer of " + bytes.length + " bytes: "
                + e.getMessage(), e);
        }
    }

    private static String describe(final Object value)
    {
        return value == null ? "null" : "type " + value.getClass().getName();
    }
}
