package dev.millrace.broker.node;

import dev.millrace.broker.controller.Controller;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocationStrategy;
import org.apache.pekko.dispatch.Futures;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Map;
import scala.collection.immutable.Set;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;

/**
 * Pekko's {@link ExternalShardAllocationStrategy} without its fallback: where the external location of a replica's
 * shard names a node whose region the coordinator does not know yet (the node is down, or restarting and not yet
 * registered), Pekko allocates the shard to whichever node asked — a node whose disk does not hold that replica. This
 * strategy instead lets such an allocation fail, which the coordinator retries on the next request for the shard,
 * so a replica of broker {@code b} only ever starts on the node of broker {@code b} (its member's role
 * {@code broker-<b>}). Messages for it wait in the regions meanwhile (bounded by sharding's buffer).
 *
 * <p>Rebalancing (moving a shard to its location once that node is back) is Pekko's.
 */
final class HomeOnlyAllocationStrategy implements ShardCoordinator.StartableAllocationStrategy
{
    private static final long serialVersionUID = 1L;

    private final ExternalShardAllocationStrategy external;
    private final Cluster cluster;
    private final ExecutionContext executor;

    HomeOnlyAllocationStrategy(final ExternalShardAllocationStrategy external, final org.apache.pekko.actor.ActorSystem system)
    {
        this.external = external;
        this.cluster = Cluster.get(system);
        this.executor = system.dispatcher();
    }

    @Override
    public void start()
    {
        external.start();
    }

    @Override
    public Future<ActorRef> allocateShard(
        final ActorRef requester, final String shardId, final Map<ActorRef, IndexedSeq<String>> currentShardAllocations)
    {
        return external.allocateShard(requester, shardId, currentShardAllocations).flatMap(region ->
        {
            final int owner = PartitionReplicaEntity.parseEntityId(shardId).replica();
            if (brokerIdAt(region.path().address()) == owner)
            {
                return Futures.successful(region);
            }
            return Futures.<ActorRef>failed(new IllegalStateException("replica " + shardId + " belongs to broker " + owner +
                ", whose node has no shard region yet: not allocating it elsewhere; retried on the next request"));
        }, executor);
    }

    @Override
    public Future<Set<String>> rebalance(
        final Map<ActorRef, IndexedSeq<String>> currentShardAllocations, final Set<String> rebalanceInProgress)
    {
        return external.rebalance(currentShardAllocations, rebalanceInProgress);
    }

    /** The broker id of the member at {@code address} (a local address is this node), or -1. */
    private int brokerIdAt(final Address address)
    {
        final Address full = address.hasLocalScope() ? cluster.selfAddress() : address;
        for (final Member member : cluster.state().getMembers())
        {
            if (member.address().equals(full))
            {
                return Controller.brokerIdOf(member);
            }
        }
        return -1;
    }
}
