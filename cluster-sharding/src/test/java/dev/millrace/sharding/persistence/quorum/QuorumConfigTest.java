package dev.millrace.sharding.persistence.quorum;

import com.typesafe.config.ConfigFactory;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code millrace.persistence.quorum}: the defaults with a voter list are valid, and each bad value fails naming its
 * key.
 */
class QuorumConfigTest
{
    private static final List<String> VOTERS = List.of("0:10.0.0.1:9100", "2:10.0.0.3:9100", "1:10.0.0.2:9100");

    private static QuorumConfig load(final Map<String, Object> settings)
    {
        return QuorumConfig.fromRoot(ConfigFactory.parseMap(Map.of(QuorumConfig.PATH, settings))
            .withFallback(ConfigFactory.load()).resolve());
    }

    private static void assertInvalid(final Map<String, Object> settings, final String key)
    {
        final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> load(settings));
        assertTrue(ex.getMessage().contains(QuorumConfig.PATH + "." + key), ex.getMessage());
    }

    @Test
    void shouldDeriveClusterMembersAndIngressEndpointsFromBasePorts()
    {
        final QuorumConfig config = load(Map.of("voters", VOTERS));

        assertEquals(-1, config.memberId());
        assertEquals(List.of(0, 1, 2), config.voters().stream().map(QuorumConfig.Voter::id).toList());
        assertEquals(
            "0,10.0.0.1:9100,10.0.0.1:9101,10.0.0.1:9102,10.0.0.1:9103,10.0.0.1:9104|" +
            "1,10.0.0.2:9100,10.0.0.2:9101,10.0.0.2:9102,10.0.0.2:9103,10.0.0.2:9104|" +
            "2,10.0.0.3:9100,10.0.0.3:9101,10.0.0.3:9102,10.0.0.3:9103,10.0.0.3:9104",
            config.clusterMembers());
        assertEquals("0=10.0.0.1:9100,1=10.0.0.2:9100,2=10.0.0.3:9100", config.ingressEndpoints());
        assertEquals(5_000_000_000L, config.requestTimeoutNs());
    }

    @Test
    void shouldRejectBadVoters()
    {
        assertInvalid(Map.of(), "voters");
        assertInvalid(Map.of("voters", List.of("0:host")), "voters");
        assertInvalid(Map.of("voters", List.of("0:host:x")), "voters");
        assertInvalid(Map.of("voters", List.of("0:h:9100", "0:h:9200")), "voters");
        assertInvalid(Map.of("voters", List.of("0:h:9100", "2:h:9200")), "voters");
        assertInvalid(Map.of("voters", List.of("0:h:65534")), "voters");
    }

    @Test
    void shouldRejectBadValuesNamingTheKey()
    {
        assertInvalid(Map.of("voters", VOTERS, "member-id", 3), "member-id");
        assertInvalid(Map.of("voters", VOTERS, "idle-strategy", "spin-a-lot"), "idle-strategy");
        assertInvalid(Map.of("voters", VOTERS, "term-length", "100k"), "term-length");
        assertInvalid(Map.of("voters", VOTERS, "max-chunk-bytes", "1m"), "max-chunk-bytes");
        assertInvalid(Map.of("voters", VOTERS, "timeouts.leader-heartbeat-interval", "5s"),
            "timeouts.leader-heartbeat-interval");
        assertInvalid(Map.of("voters", VOTERS, "timeouts.startup-canvass", "5s"), "timeouts.startup-canvass");
        assertInvalid(Map.of("voters", VOTERS, "client.request-timeout", "soon"), "client.request-timeout");
        assertInvalid(Map.of("voters", VOTERS, "cluster-snapshot.every-log-entries", -1),
            "cluster-snapshot.every-log-entries");
        assertInvalid(Map.of("voters", VOTERS, "dir", ""), "dir");
        assertInvalid(Map.of("voters", VOTERS, "backoff-max-park-period", "1ns"), "backoff-max-park-period");
    }
}
