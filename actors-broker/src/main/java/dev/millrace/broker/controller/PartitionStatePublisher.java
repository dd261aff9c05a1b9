package dev.millrace.broker.controller;

import dev.millrace.broker.partition.PartitionProtocol.LeaderAndIsr;

/**
 * How the controller's decisions leave it, so that it knows nothing of sharding or pub/sub: the node implements it
 * (replica entities through Cluster Sharding, the image through a pub/sub topic); tests capture the calls.
 *
 * <p>Called from the controller actor after the decision is durable; implementations must not block.
 */
public interface PartitionStatePublisher
{
    /** Publishes nothing (a controller outside a node). */
    PartitionStatePublisher NONE = new PartitionStatePublisher()
    {
        @Override
        public void leaderAndIsr(final int brokerId, final LeaderAndIsr decision)
        {
        }

        @Override
        public void metadata(final PublishedMetadata metadata)
        {
        }
    };

    /**
     * Delivers a partition's state to its replica on broker {@code brokerId}, which is live. Fire and forget: a
     * replica ignores a decision older than one it applied, and the controller re-delivers every partition's state
     * when it starts and when a broker comes back.
     */
    void leaderAndIsr(int brokerId, LeaderAndIsr decision);

    /** Publishes the metadata image to every node. */
    void metadata(PublishedMetadata metadata);
}
