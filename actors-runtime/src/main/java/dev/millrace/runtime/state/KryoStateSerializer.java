package dev.millrace.runtime.state;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;

/**
 * The default {@link StateSerializer}: Kryo writing class names (state holds user types that no
 * registration table knows), with references on (state graphs may share objects), records through their
 * canonical constructor and other classes through Objenesis when they lack a no-argument constructor.
 *
 * <p>Format: {@code [int version = 1][Kryo class-and-object of the snapshot tree]}. Unlike actor messages
 * (registered ids, see {@code KryoRegistry}), class names make a snapshot readable by a job whose classes
 * were registered in a different order.
 *
 * <p>Threading: not thread-safe; one instance per operator instance.
 */
public final class KryoStateSerializer implements StateSerializer
{
    /** Version written first in every snapshot. */
    public static final int FORMAT_VERSION = 1;

    private final Kryo kryo;

    public KryoStateSerializer()
    {
        kryo = StateKryo.create(true);
    }

    @Override
    public byte[] serialize(final Object snapshot)
    {
        try (Output output = new Output(4096, -1))
        {
            output.writeInt(FORMAT_VERSION);
            kryo.writeClassAndObject(output, snapshot);
            return output.toBytes();
        }
    }

    @Override
    public Object deserialize(final byte[] bytes)
    {
        try (Input input = new Input(bytes))
        {
            final int version = input.readInt();
            if (version != FORMAT_VERSION)
            {
                throw new IllegalStateException("unsupported state snapshot version " + version + ", expected "
                    + FORMAT_VERSION);
            }
            return kryo.readClassAndObject(input);
        }
    }
}
