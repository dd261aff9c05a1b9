package dev.millrace.broker.node;

import java.util.List;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;

/**
 * {@code millrace.broker.node.failover-profile}: how fast a cluster node gives up on a silent member. {@code standard}
 * leaves Pekko's timing as configured; {@code fast} sets the Pekko keys below (over any other value of them), so that
 * a killed node's partitions get new leaders within about 1-1.5 s and the controller singleton moves within about 4 s
 * (with {@code controller-placement = quorum-leader} the controller moves with the quorum's Raft leadership instead,
 * ~1 s; docs/cluster.md, "Failover timing" and "Controller placement"; figures in docs/benchmarks-kafka.md).
 *
 * <p>Why each value, and what it costs:
 * <ul>
 *   <li>failure detection: heartbeats every 150 ms, {@code acceptable-heartbeat-pause} 500 ms, {@code min-std-deviation}
 *       50 ms, and the failure detector read every 100 ms ({@code unreachable-nodes-reaper-interval}, Pekko's 1 s): a
 *       killed node is unreachable about 0.8-1.2 s after its last heartbeat, which fences it (the controller elects
 *       new leaders for its partitions).
 *       The price: a node whose JVM stalls that long is fenced too (its leaderships move; nothing acknowledged is
 *       lost) and, if the stall outlasts {@code stable-after} as well, downed (it must be restarted);</li>
 *   <li>downing: the split-brain resolver decides 1 s after the last reachability change ({@code stable-after},
 *       Pekko's 20 s), the leader removes a downed member within 250 ms ({@code leader-actions-interval}) and gossip
 *       spreads every 250 ms ({@code gossip-interval}; both Pekko's 1 s): more gossip, negligible for a few nodes;</li>
 *   <li>singletons (the controller) start on the next-oldest node 100 ms after the old one is removed
 *       ({@code down-removal-margin}, otherwise {@code stable-after} again). The margin gives the losing side of a
 *       network partition time to stop its singleton before the new one starts; the controller's safety does not
 *       rest on it (no margin covers a node that was frozen and wakes up later either): the quorum journal accepts an
 *       event only at the stream's next sequence number, so whatever two controllers try for a moment, their
 *       decisions form one history (a stale controller's write fails once the new one has written, and its
 *       supervisor restarts it from the journal); every decision elects leaders only from the ISR of the history it
 *       extends; and a controller publishes only what it persisted, which the majority side, having quarantined the
 *       downed node, does not receive from it anyway. With the embedded journal a moved controller starts from its
 *       own node's journal whatever the margin (docs/cluster.md);</li>
 *   <li>singleton proxies look for a moved singleton every 200 ms (Pekko's 1 s);</li>
 *   <li>a shard region asks the coordinator again for an unresolved shard's location every 200 ms
 *       ({@code sharding.retry-interval}, Pekko's 2 s): a replica's location can be learnt only once its own node has
 *       claimed it, so a region that asked too early (a topic just created) learns it within 200 ms instead of 2 s,
 *       before a failover needs it ({@link PeerReplicaLocator}); the price is a request per unresolved shard every
 *       200 ms meanwhile;</li>
 *   <li>the quorum journal's Raft (used only with {@code journal = quorum}): a follower that hears nothing from its
 *       leader for 600 ms ({@code timeouts.leader-heartbeat}, 2 s by default; heartbeats every 100 ms) starts an
 *       election (rounds of 300 ms): when the killed node ran the Raft leader, nothing can be persisted (so no
 *       controller decision) before a new one is elected. The price: a voter stalled that long loses its leadership
 *       (a new election; requests wait and are re-sent by the clients).</li>
 * </ul>
 */
final class FailoverProfile
{
    static final String KEY = BrokerNodeSettings.PREFIX + ".failover-profile";
    static final String STANDARD = "standard";
    static final String FAST = "fast";

    private static final Config FAST_SETTINGS = ConfigFactory.parseString(String.join("\n",
        "pekko.cluster.failure-detector.heartbeat-interval = 150ms",
        "pekko.cluster.failure-detector.acceptable-heartbeat-pause = 500ms",
        "pekko.cluster.failure-detector.min-std-deviation = 50ms",
        "pekko.cluster.unreachable-nodes-reaper-interval = 100ms",
        "pekko.cluster.split-brain-resolver.stable-after = 1s",
        "pekko.cluster.leader-actions-interval = 250ms",
        "pekko.cluster.gossip-interval = 250ms",
        "pekko.cluster.down-removal-margin = 100ms",
        "pekko.cluster.singleton-proxy.singleton-identification-interval = 200ms",
        // A shard region asks again where an unresolved shard lives this often (Pekko's 2 s): see PeerReplicaLocator.
        "pekko.cluster.sharding.retry-interval = 200ms",
        // The quorum journal's Raft: when the killed node ran its leader, nothing persists before a new one is elected.
        "millrace.persistence.quorum.timeouts.leader-heartbeat = 600ms",
        "millrace.persistence.quorum.timeouts.leader-heartbeat-interval = 100ms",
        "millrace.persistence.quorum.timeouts.election = 300ms",
        "millrace.persistence.quorum.timeouts.startup-canvass = 3s"));

    private FailoverProfile()
    {
    }

    /**
     * The Pekko settings of the profile named in {@code given} (absent: {@code standard}, no settings).
     *
     * @throws ConfigException.BadValue for an unknown profile, naming the key and the accepted values.
     */
    static Config settings(final Config given)
    {
        final String profile = given.hasPath(KEY) ? given.getString(KEY) : STANDARD;
        if (FAST.equals(profile))
        {
            return FAST_SETTINGS;
        }
        if (STANDARD.equals(profile))
        {
            return ConfigFactory.empty();
        }
        throw new ConfigException.BadValue(KEY, "must be one of " + List.of(STANDARD, FAST) + " but was '" + profile + "'");
    }
}
