package dev.millrace.broker.node;

import java.util.HashSet;
import java.util.Set;

import dev.millrace.broker.controller.ClusterImage;
import dev.millrace.broker.controller.PartitionImage;
import dev.millrace.broker.controller.PublishedMetadata;
import dev.millrace.broker.controller.TopicImage;
import dev.millrace.broker.partition.PartitionProtocol;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.StartEntity;

/**
 * Makes this node's shard region learn, ahead of need, where every other replica of the partitions this broker holds
 * lives, by sending each once a {@link StartEntity} (which starts nothing new: a replica only ever starts on its own
 * broker's node, {@link HomeOnlyAllocationStrategy}, and its node starts it anyway).
 *
 * <p>Why: a region asks the shard coordinator (a Pekko singleton on the oldest member) where a shard lives the first
 * time it sends to it. When a follower's leader moves to a replica its region has never sent to and the oldest member
 * was the node just killed, that question waits until the dead node is downed and removed and the coordinator runs
 * again (~2-3 s with {@code failover-profile = fast}): the follower cannot fetch from its new leader, and acks=all
 * waits. Learnt in advance, the location stays in the region (it is forgotten only when the region holding the shard
 * goes away), so a new leader is fetched from at once.
 *
 * <p>Threading: an actor, subscribed to the published metadata; remembers what it sent per topic id.
 */
final class PeerReplicaLocator
{
    /** The actor's name under {@code /system}. */
    static final String NAME = "peer-replica-locator";

    private PeerReplicaLocator()
    {
    }

    static Behavior<PublishedMetadata> create(
        final ActorRef<ShardingEnvelope<PartitionProtocol.Command>> region,
        final ActorRef<Topic.Command<PublishedMetadata>> metadataTopic, final int brokerId)
    {
        return Behaviors.setup(context ->
        {
            metadataTopic.tell(Topic.subscribe(context.getSelf()));
            final Set<String> located = new HashSet<>();
            return Behaviors.receive(PublishedMetadata.class)
                .onAnyMessage(metadata ->
                {
                    locate(metadata.image(), brokerId, located, region);
                    return Behaviors.same();
                })
                .build();
        });
    }

    private static void locate(
        final ClusterImage image, final int brokerId, final Set<String> located,
        final ActorRef<ShardingEnvelope<PartitionProtocol.Command>> region)
    {
        for (final TopicImage topic : image.topics().values())
        {
            for (final PartitionImage partition : topic.partitions())
            {
                if (!partition.replicas().contains(brokerId))
                {
                    continue;
                }
                for (final int replica : partition.replicas())
                {
                    final String entityId = PartitionReplicaEntity.entityId(
                        new TopicPartition(topic.name(), partition.partition()), replica);
                    if (replica != brokerId && located.add(topic.topicId() + "/" + entityId))
                    {
                        region.tell(StartEntity.create(PartitionProtocol.Command.class, entityId));
                    }
                }
            }
        }
    }
}
