package dev.millrace.runtime.state;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.ImmutableCollectionsSerializers;
import com.esotericsoftware.kryo.util.DefaultInstantiatorStrategy;
import org.objenesis.strategy.StdInstantiatorStrategy;

/**
 * Builds the Kryo instances state is written with (snapshots, RocksDB keys and values, serializability
 * checks): class names instead of registered ids (state holds user types no registration table knows),
 * records through their canonical constructor, other classes through Objenesis when they lack a
 * no-argument constructor. Kryo's own default registrations (int, String, long, … ids 0-9) stay, so the
 * common key types are written as one-byte ids.
 */
final class StateKryo
{
    private StateKryo()
    {
    }

    /**
     * @param references whether to track shared references (snapshots: yes; keys: no, so that equal keys
     *                   always give equal bytes)
     * @return a fresh Kryo, confined to its caller
     */
    static Kryo create(final boolean references)
    {
        final Kryo kryo = new Kryo();
        kryo.setRegistrationRequired(false);
        kryo.setReferences(references);
        kryo.setClassLoader(Thread.currentThread().getContextClassLoader());
        kryo.setInstantiatorStrategy(new DefaultInstantiatorStrategy(new StdInstantiatorStrategy()));
        ImmutableCollectionsSerializers.registerSerializers(kryo);
        return kryo;
    }
}
