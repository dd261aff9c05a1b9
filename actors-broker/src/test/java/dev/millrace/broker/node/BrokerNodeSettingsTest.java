package dev.millrace.broker.node;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BrokerNodeSettingsTest
{
    private static Config with(final String key, final Object value)
    {
        return ConfigFactory.parseMap(Map.of("millrace.broker.node." + key, value)).withFallback(ConfigFactory.load());
    }

    @Test
    void shouldReadDefaultsFromReferenceConf()
    {
        final BrokerNodeSettings settings = BrokerNodeSettings.fromConfig(ConfigFactory.load());
        assertEquals(0, settings.brokerId());
        assertEquals("tcp", settings.transport());
        assertEquals(9092, settings.advertisedPort());
        assertTrue(settings.rack().isEmpty());
        assertEquals(Path.of("data").toAbsolutePath().normalize().resolve("logs"), settings.logsDir());
    }

    @Test
    void shouldRejectBadValuesNamingTheKey()
    {
        assertKey("broker-id", -1);
        assertKey("port", 70000);
        assertKey("advertised-port", 0);
        assertKey("transport", "udp");
        assertKey("host", " ");
        assertKey("ask-timeout", "0s");
        assertKey("replica-stash-capacity", 0);
        assertKey("data-dir", "");
        assertKey("journal", "leveldb");
        assertKey("seed-nodes", List.of("127.0.0.1"));
        assertKey("seed-nodes", List.of("127.0.0.1:x"));
        assertKey("seed-nodes", List.of(":7355"));
        assertKey("seed-nodes", List.of("127.0.0.1:0"));
        assertKey("failover-profile", "quick");
    }

    @Test
    void shouldSetPekkosFailoverTimingOnlyWithTheFastProfile()
    {
        final Config standard = ConfigFactory.parseMap(Map.of(
                "millrace.broker.node.seed-nodes", List.of("127.0.0.1:7355", "127.0.0.1:7356"),
                "pekko.cluster.split-brain-resolver.stable-after", "7s"))
            .withFallback(ConfigFactory.load());
        final Config standardNode = BrokerNode.nodeConfig(BrokerNodeSettings.fromConfig(standard), standard);
        assertFalse(standardNode.hasPath("pekko.cluster.split-brain-resolver.stable-after"));
        assertFalse(standardNode.hasPath("pekko.cluster.down-removal-margin"));

        final Config fast = ConfigFactory.parseMap(Map.of("millrace.broker.node.failover-profile", "fast"))
            .withFallback(standard);
        final Config effective = BrokerNode.nodeConfig(BrokerNodeSettings.fromConfig(fast), fast).withFallback(fast);
        assertEquals(Duration.ofSeconds(1),
            effective.getDuration("pekko.cluster.split-brain-resolver.stable-after"));
        assertEquals(Duration.ofMillis(150), effective.getDuration("pekko.cluster.failure-detector.heartbeat-interval"));
        assertEquals(Duration.ofMillis(500),
            effective.getDuration("pekko.cluster.failure-detector.acceptable-heartbeat-pause"));
        assertEquals(Duration.ofMillis(100), effective.getDuration("pekko.cluster.unreachable-nodes-reaper-interval"));
        assertEquals(Duration.ofMillis(600), effective.getDuration("millrace.persistence.quorum.timeouts.leader-heartbeat"));
        assertEquals(Duration.ofMillis(200), effective.getDuration("pekko.cluster.sharding.retry-interval"));
        assertEquals(Duration.ofMillis(100),
            effective.getDuration("millrace.persistence.quorum.timeouts.leader-heartbeat-interval"));
        assertEquals(Duration.ofMillis(100), effective.getDuration("pekko.cluster.down-removal-margin"));
        assertEquals("keep-majority", effective.getString("pekko.cluster.split-brain-resolver.active-strategy"));
    }

    @Test
    void shouldPlaceTheControllerOnTheQuorumLeaderOnlyWithTheQuorumJournal()
    {
        final Config embedded = ConfigFactory.parseMap(Map.of("millrace.broker.node.controller-placement", "quorum-leader"))
            .withFallback(ConfigFactory.load());
        final ConfigException notQuorum = assertThrows(ConfigException.class,
            () -> ControllerPlacement.followsQuorumLeader(embedded, BrokerNodeSettings.fromConfig(embedded)));
        assertTrue(notQuorum.getMessage().contains("millrace.broker.node.controller-placement"), notQuorum.getMessage());
        final Config unknown = ConfigFactory.parseMap(Map.of("millrace.broker.node.controller-placement", "oldest"))
            .withFallback(ConfigFactory.load());
        final ConfigException bad = assertThrows(ConfigException.class,
            () -> ControllerPlacement.followsQuorumLeader(unknown, BrokerNodeSettings.fromConfig(unknown)));
        assertTrue(bad.getMessage().contains("millrace.broker.node.controller-placement"), bad.getMessage());
        assertFalse(ControllerPlacement.followsQuorumLeader(ConfigFactory.load(),
            BrokerNodeSettings.fromConfig(ConfigFactory.load())), "auto: the singleton with the embedded journal");
        final Config quorumByDefault = ConfigFactory.parseMap(Map.of(
                "millrace.broker.node.journal", "quorum",
                "millrace.broker.node.broker-id", 2,
                "millrace.persistence.quorum.member-id", 1))
            .withFallback(ConfigFactory.load());
        assertTrue(ControllerPlacement.followsQuorumLeader(quorumByDefault,
            BrokerNodeSettings.fromConfig(quorumByDefault)), "auto: the Raft leader's node with the quorum journal");
        final Config singletonOnQuorum = ConfigFactory.parseMap(Map.of(
                "millrace.broker.node.controller-placement", "singleton",
                "millrace.broker.node.journal", "quorum",
                "millrace.broker.node.broker-id", 2,
                "millrace.persistence.quorum.member-id", 1))
            .withFallback(ConfigFactory.load());
        assertFalse(ControllerPlacement.followsQuorumLeader(singletonOnQuorum,
            BrokerNodeSettings.fromConfig(singletonOnQuorum)), "singleton when asked for, even with the quorum journal");

        final Config quorum = ConfigFactory.parseMap(Map.of(
                "millrace.broker.node.controller-placement", "quorum-leader",
                "millrace.broker.node.journal", "quorum",
                "millrace.broker.node.broker-id", 2,
                "millrace.persistence.quorum.member-id", 1))
            .withFallback(ConfigFactory.load());
        final BrokerNodeSettings settings = BrokerNodeSettings.fromConfig(quorum);
        assertTrue(ControllerPlacement.followsQuorumLeader(quorum, settings));
        assertEquals(List.of("broker-2", "quorum-voter-1"),
            BrokerNode.nodeConfig(settings, quorum).getStringList("pekko.cluster.roles"),
            "every node finds the Raft leader's node by its voter role");
    }

    @Test
    void shouldJoinSeedNodesWithKeepMajorityAndSelectTheQuorumJournal()
    {
        final Config given = ConfigFactory.parseMap(Map.of(
                "millrace.broker.node.seed-nodes", List.of("127.0.0.1:7355", "127.0.0.1:7356"),
                "millrace.broker.node.journal", "quorum",
                "millrace.broker.node.broker-id", 4,
                "millrace.broker.node.data-dir", "/tmp/n4",
                "pekko.cluster.roles", List.of("edge")))
            .withFallback(ConfigFactory.load());
        final BrokerNodeSettings settings = BrokerNodeSettings.fromConfig(given);
        final Config config = BrokerNode.nodeConfig(settings, given);
        assertEquals(List.of("pekko://millrace@127.0.0.1:7355", "pekko://millrace@127.0.0.1:7356"),
            config.getStringList("pekko.cluster.seed-nodes"));
        assertEquals("keep-majority", config.getString("pekko.cluster.split-brain-resolver.active-strategy"));
        assertEquals(List.of("edge", "broker-4"), config.getStringList("pekko.cluster.roles"));
        assertEquals("millrace.persistence.quorum.journal", config.getString("pekko.persistence.journal.plugin"));
        assertEquals("millrace.persistence.quorum.snapshot", config.getString("pekko.persistence.snapshot-store.plugin"));
        assertEquals("/tmp/n4/quorum", config.getString("millrace.persistence.quorum.dir"));
        assertTrue(config.getStringList("pekko.extensions").contains(BrokerNode.QUORUM_EXTENSION));
    }

    @Test
    void shouldJoinItselfWithTheEmbeddedJournalByDefault()
    {
        final Config config = BrokerNode.nodeConfig(BrokerNodeSettings.fromConfig(ConfigFactory.load()));
        assertTrue(config.getStringList("pekko.cluster.seed-nodes").isEmpty());
        assertFalse(config.hasPath("pekko.cluster.downing-provider-class"));
        assertEquals("millrace.persistence.embedded.journal", config.getString("pekko.persistence.journal.plugin"));
        assertEquals(List.of("broker-0"), config.getStringList("pekko.cluster.roles"));
    }

    @Test
    void shouldDeriveNodeConfig()
    {
        final BrokerNodeSettings settings = BrokerNodeSettings.fromConfig(with("data-dir", "/tmp/n1"));
        final Config config = BrokerNode.nodeConfig(settings);
        assertEquals("cluster", config.getString("pekko.actor.provider"));
        assertEquals("/tmp/n1/journal", config.getString("millrace.persistence.embedded.journal.dir"));
        assertEquals("/tmp/n1/snapshots", config.getString("millrace.persistence.embedded.snapshot.dir"));
    }

    @Test
    void shouldParseEntityIdsFromTheEnd()
    {
        final TopicPartition tp = new TopicPartition("my-topic-2", 17);
        assertEquals("my-topic-2-17-3", PartitionReplicaEntity.entityId(tp, 3));
        assertEquals(new PartitionReplicaEntity.ReplicaId(tp, 3), PartitionReplicaEntity.parseEntityId("my-topic-2-17-3"));
        assertThrows(IllegalArgumentException.class, () -> PartitionReplicaEntity.parseEntityId("topic-1"));
        assertThrows(IllegalArgumentException.class, () -> PartitionReplicaEntity.parseEntityId("topic-x-1"));
    }

    @Test
    void shouldKeepOnlyLogKeysForTheLogConfig()
    {
        assertEquals(Map.of("segment.bytes", "1024"), PartitionReplicaEntity.logConfigs(
            Map.of("segment.bytes", "1024", "cleanup.policy", "delete", "min.insync.replicas", "1")));
    }

    private static void assertKey(final String key, final Object value)
    {
        final ConfigException ex = assertThrows(ConfigException.class, () -> BrokerNodeSettings.fromConfig(with(key, value)));
        assertTrue(ex.getMessage().contains("millrace.broker.node." + key), ex.getMessage());
    }
}
