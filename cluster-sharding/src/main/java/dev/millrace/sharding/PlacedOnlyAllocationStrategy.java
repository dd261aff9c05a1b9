package dev.millrace.sharding;

import java.util.Optional;

import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocationStrategy;
import org.apache.pekko.dispatch.Futures;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Map;
import scala.collection.immutable.Set;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;

/**
 * Pekko's {@link ExternalShardAllocationStrategy} without its fallback. Where the external location of a shard names
 * a node whose region the coordinator does not know (yet), Pekko allocates the shard to whichever node asked: a
 * partition replica would start on a node whose disk does not hold it, an operator instance outside the task slot
 * reserved for it. This strategy instead lets such an allocation fail, which the coordinator retries on the next
 * request for the shard; messages wait in the regions meanwhile (bounded by sharding's buffer).
 *
 * <p>Subclasses say which node a shard belongs on ({@link #refusal}). Rebalancing (moving a shard to its location
 * once that node is back) is Pekko's.
 */
public abstract class PlacedOnlyAllocationStrategy implements ShardCoordinator.StartableAllocationStrategy
{
    private static final long serialVersionUID = 1L;

    private final ExternalShardAllocationStrategy external;
    private final Cluster cluster;
    private final ExecutionContext executor;

    protected PlacedOnlyAllocationStrategy(final ExternalShardAllocationStrategy external, final ActorSystem system)
    {
        this.external = external;
        this.cluster = Cluster.get(system);
        this.executor = system.dispatcher();
    }

    /**
     * Why {@code shardId} must not start in the region at {@code regionAddress} (always a full address, never a local
     * one), or empty when it may.
     */
    protected abstract Future<Optional<String>> refusal(String shardId, Address regionAddress);

    /** The cluster this strategy allocates in. */
    protected final Cluster cluster()
    {
        return cluster;
    }

    /** Where futures of this strategy run. */
    protected final ExecutionContext executor()
    {
        return executor;
    }

    @Override
    public final void start()
    {
        external.start();
    }

    @Override
    public final Future<ActorRef> allocateShard(
        final ActorRef requester, final String shardId, final Map<ActorRef, IndexedSeq<String>> currentShardAllocations)
    {
        return external.allocateShard(requester, shardId, currentShardAllocations).flatMap(region ->
        {
            final Address address = region.path().address();
            final Address full = address.hasLocalScope() ? cluster.selfAddress() : address;
            return refusal(shardId, full).flatMap(refused -> refused.isEmpty() ? Futures.successful(region) :
                Futures.<ActorRef>failed(new IllegalStateException(
                    refused.get() + ": not allocating " + shardId + " elsewhere; retried on the next request")), executor);
        }, executor);
    }

    @Override
    public final Future<Set<String>> rebalance(
        final Map<ActorRef, IndexedSeq<String>> currentShardAllocations, final Set<String> rebalanceInProgress)
    {
        return external.rebalance(currentShardAllocations, rebalanceInProgress);
    }
}
