package dev.millrace.broker.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class KafkaListenerSettingsTest
{
    @Test
    void shouldReadDefaultsFromReferenceConf()
    {
        final KafkaListenerSettings settings = KafkaListenerSettings.fromConfig(ConfigFactory.load());
        assertFalse(settings.enabled());
        assertEquals(9092, settings.port());
        assertEquals(104_857_600, settings.requestMaxBytes());
        assertEquals(16, settings.maxInFlightRequests());
        assertEquals(KafkaListenerSettings.Io.NIO, settings.io());
    }

    @Test
    void shouldReadTheNetworkLayer()
    {
        assertEquals(KafkaListenerSettings.Io.PEKKO_STREAMS, KafkaListenerSettings.fromConfig(ConfigFactory.parseMap(
            Map.of(KafkaListenerSettings.PREFIX + "." + KafkaListenerSettings.IO, "pekko-streams"))
            .withFallback(ConfigFactory.load())).io());
    }

    @Test
    void shouldRejectBadValuesNamingTheKey()
    {
        assertKey(KafkaListenerSettings.PORT, -1);
        assertKey(KafkaListenerSettings.PORT, 70_000);
        assertKey(KafkaListenerSettings.REQUEST_MAX_BYTES, 10);
        assertKey(KafkaListenerSettings.MAX_IN_FLIGHT, 0);
        assertKey(KafkaListenerSettings.IO, "netty");
    }

    private static void assertKey(final String key, final Object value)
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> KafkaListenerSettings.fromConfig(
            ConfigFactory.parseMap(Map.of(KafkaListenerSettings.PREFIX + "." + key, value)).withFallback(ConfigFactory.load())));
        assertTrue(ex.getMessage().contains(KafkaListenerSettings.PREFIX + "." + key), ex.getMessage());
    }
}
