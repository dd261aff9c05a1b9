package dev.millrace.serialization.kryo;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.Serializer;
import com.esotericsoftware.kryo.io.Input;
import com.esotericsoftware.kryo.io.Output;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;

/**
 * Kryo serializer for typed {@link ActorRef} fields (the {@code replyTo} of every request).
 *
 * <p>Wire format: one Kryo string (var-length UTF-8, see {@link Output#writeString(String)}) holding
 * {@link ActorRefResolver#toSerializationFormat(ActorRef)}, i.e. the full actor path with address and uid
 * ({@code pekko://system@host:port/user/a#123}). Reading resolves it with
 * {@link ActorRefResolver#resolveActorRef(String)} on the receiving system; a ref to a stopped actor
 * resolves to one that delivers to dead letters, as in Pekko's own serializers.
 *
 * <p>Threading: stateless apart from the resolver, which is thread-safe; one instance may serve several
 * Kryo instances. The resolver is obtained lazily because the serializer is created while the actor
 * system is still starting.
 */
public final class TypedActorRefSerializer extends Serializer<ActorRef<?>> {
    private final Supplier<ActorRefResolver> resolver;

    /**
     * @param resolver supplies the actor system's resolver; called on every use, so it should cache
     */
    public TypedActorRefSerializer(final Supplier<ActorRefResolver> resolver) {
        super(false, true);
        this.resolver = resolver;
    }

    @Override
    public void write(final Kryo kryo, final Output output, final ActorRef<?> ref) {
        output.writeString(resolver.get().toSerializationFormat(ref));
    }

    @Override
    public ActorRef<?> read(final Kryo kryo, final Input input, final Class<? extends ActorRef<?>> type) {
        return resolver.get().resolveActorRef(input.readString());
    }
}
