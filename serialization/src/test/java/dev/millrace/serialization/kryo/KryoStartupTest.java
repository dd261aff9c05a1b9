package dev.millrace.serialization.kryo;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;

class KryoStartupTest {
    @Test
    void shouldFailActorSystemStartWhenTwoClassesShareAnId() {
        final Config config = ConfigFactory.parseString("""
            millrace.serialization.kryo.registrations {
              "dev.millrace.serialization.kryo.TestProtocol$Primitives" = 1000
              "dev.millrace.serialization.kryo.TestProtocol$Partition" = 1000
            }
            """).withFallback(ConfigFactory.load());
        final Throwable error = assertThrows(Throwable.class, () -> {
            final ActorTestKit testKit = ActorTestKit.create("KryoStartupTest", config);
            testKit.shutdownTestKit();
        });
        Throwable cause = error;
        while (cause.getCause() != null && !(cause instanceof com.typesafe.config.ConfigException)) {
            cause = cause.getCause();
        }
        final String message = cause.getMessage();
        assertTrue(message.contains("id 1000 is already used"), () -> "got " + error);
        assertTrue(message.contains("millrace.serialization.kryo.registrations.\""), () -> "names the key: " + message);
    }
}
