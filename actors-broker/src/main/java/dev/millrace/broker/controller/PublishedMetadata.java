package dev.millrace.broker.controller;

import java.util.List;
import java.util.Objects;

import dev.millrace.serialization.kryo.MillraceMessage;

/**
 * What the controller publishes to every node after each change (and periodically): the image, which registered
 * brokers are live, and which broker hosts the controller. Nodes answer Kafka Metadata from it and claim or delete
 * their replicas by it, without asking the singleton.
 *
 * @param image        the controller's current image.
 * @param liveBrokers  registered broker ids with a cluster member up, ascending.
 * @param controllerId the broker id of the node running the controller, -1 when it is not known (no cluster).
 * @param version      the controller journal's sequence number when published: a node ignores a publication older
 *                     than one it applied (two publications may overtake each other across a singleton failover
 *                     or between the periodic one and a change's).
 */
public record PublishedMetadata(ClusterImage image, List<Integer> liveBrokers, int controllerId, long version)
    implements MillraceMessage
{
    public PublishedMetadata
    {
        Objects.requireNonNull(image, "image");
        liveBrokers = List.copyOf(liveBrokers);
    }

    public boolean isLive(final int brokerId)
    {
        return liveBrokers.contains(brokerId);
    }

    public PublishedMetadata withImage(final ClusterImage newImage)
    {
        return new PublishedMetadata(newImage, liveBrokers, controllerId, version);
    }
}
