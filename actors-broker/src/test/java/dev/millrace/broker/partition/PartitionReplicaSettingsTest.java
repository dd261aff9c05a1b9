package dev.millrace.broker.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.millrace.broker.log.LogConfig;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.junit.jupiter.api.Test;

class PartitionReplicaSettingsTest
{
    private static final TopicPartition TP = new TopicPartition("orders", 3);

    private static PartitionReplicaSettings fromConfig(final Config config)
    {
        return PartitionReplicaSettings.fromConfig(
            config.withFallback(ConfigFactory.defaultReference()), TP, Path.of("/data"), LogConfig.defaults(), () -> 0L, 1);
    }

    @Test
    void shouldReadDocumentedDefaultsFromReferenceConf()
    {
        final PartitionReplicaSettings settings = fromConfig(ConfigFactory.empty());
        assertEquals(Duration.ofMinutes(5), settings.retentionCheckInterval());
        assertEquals(1000, settings.maxParkedFetches());
        assertEquals(8 * 1024 * 1024, settings.fetchMaxBytes());
        assertEquals(Path.of("/data/orders-3"), settings.logDir());
    }

    @Test
    void shouldFailNamingTheKeyOfABadValue()
    {
        final ConfigException ex = assertThrows(ConfigException.class,
            () -> fromConfig(ConfigFactory.parseString("millrace.broker.partition.max-parked-fetches = -1")));
        assertTrue(ex.getMessage().contains("millrace.broker.partition.max-parked-fetches"), ex.getMessage());
        final ConfigException interval = assertThrows(ConfigException.class,
            () -> fromConfig(ConfigFactory.parseString("millrace.broker.partition.retention-check-interval = 0s")));
        assertTrue(interval.getMessage().contains("retention-check-interval"), interval.getMessage());
    }
}
