package dev.millrace.broker.group;

import java.util.EnumSet;
import java.util.Set;

/**
 * The states of a consumer group, as in Kafka's classic group protocol.
 *
 * <pre>
 *        +--------------------------------------------------------------+
 *        v                                                              |
 *   EMPTY --join--> PREPARING_REBALANCE --all joined--> COMPLETING_REBALANCE --leader sync--> STABLE
 *     ^  \                ^     |  ^                          |                                |
 *     |   delete          |     |  +---- join/leave/timeout --+---- join/leave/timeout --------+
 *     |     v             |     |
 *     +-- DEAD            +-----+ last member gone: next generation with no members -> EMPTY
 * </pre>
 *
 * {@link GroupMetadata#transition} is the one place that changes a group's state; it checks
 * {@link #validPrevious()}.
 */
public enum GroupState
{
    /** No members; committed offsets may remain (and expire). */
    EMPTY,
    /** A member joined, left or changed: waiting for every known member to rejoin or the rebalance timeout. */
    PREPARING_REBALANCE,
    /** The new generation exists; waiting for the leader's SyncGroup with the assignment. */
    COMPLETING_REBALANCE,
    /** Every member has its assignment for the current generation. */
    STABLE,
    /** Deleted: no members, no offsets. A later JoinGroup, commit or reset creates the group again. */
    DEAD;

    /**
     * @return the states from which a group may move into this one
     */
    public Set<GroupState> validPrevious()
    {
        switch (this)
        {
            case EMPTY:
                return EnumSet.of(PREPARING_REBALANCE, DEAD);
            case PREPARING_REBALANCE:
                return EnumSet.of(EMPTY, COMPLETING_REBALANCE, STABLE);
            case COMPLETING_REBALANCE:
                return EnumSet.of(PREPARING_REBALANCE);
            case STABLE:
                return EnumSet.of(COMPLETING_REBALANCE);
            case DEAD:
                return EnumSet.of(EMPTY, PREPARING_REBALANCE, COMPLETING_REBALANCE, STABLE);
            default:
                throw new IllegalStateException("unknown state " + this);
        }
    }
}
