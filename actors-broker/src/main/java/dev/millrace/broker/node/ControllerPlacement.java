package dev.millrace.broker.node;

import java.util.List;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;

/**
 * {@code millrace.broker.node.controller-placement}: where the {@link dev.millrace.broker.controller.Controller} runs.
 * <ul>
 *   <li>{@code auto} (default): {@code quorum-leader} with the quorum journal, {@code singleton} with the embedded one
 *       (one node, or several nodes each with its own journal, where no Raft leadership exists to follow);</li>
 *   <li>{@code singleton}: a Pekko cluster singleton on the oldest member. It moves only once a dead node is
 *       downed and removed (split-brain resolver, {@code stable-after} plus its fixed 1 s tick): ~4-5 s after a kill
 *       of its node with {@code failover-profile = fast};</li>
 *   <li>{@code quorum-leader} (quorum journal only): on the node whose voter leads the quorum journal's Raft, like
 *       KRaft's active controller: a new controller runs as soon as Raft has elected a new leader (~1 s after a kill
 *       with {@code fast}), without waiting for Pekko's downing ({@link ControllerHost}, {@link ControllerRouter}).</li>
 * </ul>
 * Either way only the Raft leader's writes persist, and a controller's write fails unless it is the stream's next
 * sequence number, so two controllers for a moment still form one history (docs/cluster.md).
 */
final class ControllerPlacement
{
    static final String KEY = BrokerNodeSettings.PREFIX + ".controller-placement";
    static final String AUTO = "auto";
    static final String SINGLETON = "singleton";
    static final String QUORUM_LEADER = "quorum-leader";

    private ControllerPlacement()
    {
    }

    /**
     * Whether the controller follows the quorum's Raft leadership.
     *
     * @throws ConfigException.BadValue for an unknown value, or {@code quorum-leader} without the quorum journal.
     */
    static boolean followsQuorumLeader(final Config given, final BrokerNodeSettings settings)
    {
        final String placement = given.hasPath(KEY) ? given.getString(KEY) : AUTO;
        if (AUTO.equals(placement))
        {
            return settings.quorumJournal();
        }
        if (SINGLETON.equals(placement))
        {
            return false;
        }
        if (!QUORUM_LEADER.equals(placement))
        {
            throw new ConfigException.BadValue(
                KEY, "must be one of " + List.of(AUTO, SINGLETON, QUORUM_LEADER) + " but was '" + placement + "'");
        }
        if (!settings.quorumJournal())
        {
            throw new ConfigException.BadValue(KEY, "'" + QUORUM_LEADER + "' needs " + BrokerNodeSettings.PREFIX + "." +
                BrokerNodeSettings.JOURNAL + " = " + BrokerNodeSettings.JOURNAL_QUORUM + " (the controller follows " +
                "its Raft leader) but the journal is '" + settings.journal() + "'");
        }
        return true;
    }

    /** The cluster role of the node that runs quorum voter {@code memberId}: how a node finds the Raft leader's node. */
    static String voterRole(final int memberId)
    {
        return "quorum-voter-" + memberId;
    }
}
