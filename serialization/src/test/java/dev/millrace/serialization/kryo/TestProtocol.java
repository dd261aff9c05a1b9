package dev.millrace.serialization.kryo;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.apache.pekko.actor.typed.ActorRef;

/** Messages used by the serializer tests, in the protocol style of STYLE.md rule 2, and their registrations. */
final class TestProtocol {
    private TestProtocol() {
    }

    /** Test registrations, as a module would declare them in its reference.conf. */
    static final String REGISTRATIONS = """
        millrace.serialization.kryo.registrations {
          "dev.millrace.serialization.kryo.TestProtocol$Primitives" = 9001
          "dev.millrace.serialization.kryo.TestProtocol$Partition" = 9002
          "dev.millrace.serialization.kryo.TestProtocol$TopicSnapshot" = 9003
          "dev.millrace.serialization.kryo.TestProtocol$Compression" = 9004
          "dev.millrace.serialization.kryo.TestProtocol$CreateTopic" = 9010
          "dev.millrace.serialization.kryo.TestProtocol$DeleteTopic" = 9011
          "dev.millrace.serialization.kryo.TestProtocol$GetTopics" = 9012
          "dev.millrace.serialization.kryo.TestProtocol$TopicCreated" = 9013
          "dev.millrace.serialization.kryo.TestProtocol$Collections" = 9014
          "dev.millrace.serialization.kryo.TestProtocol$Holder" = 9015
        }
        """;

    static Config config() {
        return ConfigFactory.parseString(REGISTRATIONS).withFallback(ConfigFactory.load());
    }

    record Primitives(int i, long l, double d, float f, boolean b, char c, short s, byte by, String text)
        implements MillraceMessage {
    }

    /** Not a message itself: a value nested in messages, registered all the same. */
    record Partition(String topic, int index) {
    }

    /** Constants with bodies are anonymous subclasses; Kryo must still use the enum's registration. */
    enum Compression {
        NONE { @Override String codec() { return "none"; } },
        LZ4 { @Override String codec() { return "lz4"; } },
        ZSTD { @Override String codec() { return "zstd"; } };

        abstract String codec();
    }

    record TopicSnapshot(
        UUID topicId,
        String name,
        Partition leader,
        List<Partition> partitions,
        Map<String, Long> offsets,
        Optional<String> owner,
        Instant createdAt,
        Duration retention,
        Compression compression,
        String description) implements MillraceMessage {
    }

    record Collections(List<Integer> empty, List<String> one, List<String> three, Map<String, Integer> map,
                       java.util.Set<String> set, List<Partition> mutable) implements MillraceMessage {
    }

    /** The broker-style protocol: a sealed interface of records and a field-less enum. */
    sealed interface TopicCommand extends MillraceMessage permits CreateTopic, DeleteTopic, GetTopics {
    }

    record CreateTopic(String name, int partitions, ActorRef<TopicCreated> replyTo) implements TopicCommand {
    }

    record DeleteTopic(String name) implements TopicCommand {
    }

    enum GetTopics implements TopicCommand { INSTANCE }

    record TopicCreated(String name, UUID topicId) implements MillraceMessage {
    }

    /** Implements the marker but has no id. */
    record NotRegistered(String name) implements MillraceMessage {
    }

    /** A registered message that holds an unregistered value. */
    record Holder(Object value) implements MillraceMessage {
    }

    /** Only Java-serializable: must never be sent. */
    record PlainSerializable(String name) implements java.io.Serializable {
        private static final long serialVersionUID = 1L;
    }
}
