package dev.millrace.broker.controller;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

class ControllerSettingsTest
{
    @Test
    void shouldReadDocumentedDefaultsFromReferenceConf()
    {
        final ControllerSettings settings = ControllerSettings.fromConfig(ConfigFactory.defaultReference());

        assertEquals(new ControllerSettings(10000, 1, 1, 1000, 100, 2), settings);
    }

    @Test
    void shouldFailNamingTheKeyForAnOutOfRangeValue()
    {
        final ConfigException.BadValue error = assertThrows(ConfigException.BadValue.class, () -> ControllerSettings.fromConfig(
            ConfigFactory.parseString("millrace.controller.producer-id-block-size = 0")
                .withFallback(ConfigFactory.defaultReference())));

        assertTrue(error.getMessage().contains("millrace.controller.producer-id-block-size"), error.getMessage());
    }

    @Test
    void shouldFailWhenDefaultPartitionsExceedTheMaximum()
    {
        final ConfigException.BadValue error = assertThrows(ConfigException.BadValue.class, () -> ControllerSettings.fromConfig(
            ConfigFactory.parseString("millrace.controller { max-partitions-per-topic = 4, default-partitions = 5 }")
                .withFallback(ConfigFactory.defaultReference())));

        assertTrue(error.getMessage().contains("millrace.controller.default-partitions"), error.getMessage());
    }

    @Test
    void shouldFailNamingTheKeyForANonNumber()
    {
        final ConfigException error = assertThrows(ConfigException.class, () -> ControllerSettings.fromConfig(
            ConfigFactory.parseString("millrace.controller.snapshot-every-events = often")
                .withFallback(ConfigFactory.defaultReference())));

        assertTrue(error.getMessage().contains("snapshot-every-events"), error.getMessage());
    }
}
