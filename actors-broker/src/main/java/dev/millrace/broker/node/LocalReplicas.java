package dev.millrace.broker.node;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

import dev.millrace.broker.partition.PartitionProtocol;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;

/**
 * The partition replicas running on this node, by partition: lets a caller on the node (the Kafka listener's fetches)
 * tell a replica directly instead of through the {@link Broker} facade and Cluster Sharding's region, shard and entity,
 * four thread hand-offs less per message. A {@link PartitionReplicaEntity} registers its replica when it starts it and
 * removes it before it stops it (and when the entity stops), so a caller that finds none, or finds one that is no
 * longer the partition's leader (the replica answers {@link PartitionProtocol.ErrorCode#NOT_LEADER_OR_FOLLOWER}),
 * takes the facade's route. Messages sent in the short moment between a replica failing and its entity learning of it
 * are lost, as they would be when forwarded by the entity; the caller's ask times out.
 *
 * <p>One per actor system ({@link #get}); a node's entities and its listener share it. Threading: a concurrent map,
 * written by the entities' threads, read by any.
 */
public final class LocalReplicas implements Extension
{
    private static final ExtensionId<LocalReplicas> ID = new ExtensionId<>()
    {
        @Override
        public LocalReplicas createExtension(final ActorSystem<?> system)
        {
            return new LocalReplicas();
        }
    };

    private final ConcurrentMap<TopicPartition, ActorRef<PartitionProtocol.Command>> replicas = new ConcurrentHashMap<>();

    private LocalReplicas()
    {
    }

    /** The registry of {@code system}'s node. */
    public static LocalReplicas get(final ActorSystem<?> system)
    {
        return ID.apply(system);
    }

    /** The replica of {@code topicPartition} running on this node, or null when none does. */
    public ActorRef<PartitionProtocol.Command> find(final TopicPartition topicPartition)
    {
        return replicas.get(topicPartition);
    }

    /** How many replicas are registered. */
    public int size()
    {
        return replicas.size();
    }

    void register(final TopicPartition topicPartition, final ActorRef<PartitionProtocol.Command> replica)
    {
        replicas.put(topicPartition, replica);
    }

    /** Removes {@code replica}, only if it is still the one registered (a newer one may have replaced it). */
    void unregister(final TopicPartition topicPartition, final ActorRef<PartitionProtocol.Command> replica)
    {
        replicas.remove(topicPartition, replica);
    }
}
