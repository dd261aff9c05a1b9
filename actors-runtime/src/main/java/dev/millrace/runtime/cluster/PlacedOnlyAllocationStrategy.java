package dev.millrace.runtime.cluster;

import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocation;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocationStrategy;
import org.apache.pekko.cluster.sharding.external.javadsl.ExternalShardAllocationClient;
import org.apache.pekko.dispatch.Futures;
import scala.collection.immutable.IndexedSeq;
import scala.collection.immutable.Map;
import scala.collection.immutable.Set;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * Pekko's {@link ExternalShardAllocationStrategy} for operator instances, without its fallback. An instance's
 * location is written (distributed data) just before its first message; a coordinator whose replica has not seen
 * it yet would let Pekko allocate the shard to whichever node asked, i.e. run the instance outside the task slot
 * reserved for it. This strategy instead fails such an allocation, which the coordinator retries on the next
 * request for the shard (messages wait in the regions meanwhile), so an instance only ever starts on the node
 * its job master placed it on.
 *
 * <p>Rebalancing (moving a shard to its location) is Pekko's.
 */
final class PlacedOnlyAllocationStrategy implements ShardCoordinator.StartableAllocationStrategy
{
    private static final long serialVersionUID = 1L;

    private final ExternalShardAllocationStrategy external;
    private final ExternalShardAllocationClient client;
    private final Cluster cluster;
    private final ExecutionContext executor;

    PlacedOnlyAllocationStrategy(final ExternalShardAllocationStrategy external, final ActorSystem system,
        final String typeName)
    {
        this.external = external;
        this.client = ExternalShardAllocation.get((ClassicActorSystemProvider) system).getClient(typeName);
        this.cluster = Cluster.get(system);
        this.executor = system.dispatcher();
    }

    @Override
    public void start()
    {
        external.start();
    }

    @Override
    public Future<ActorRef> allocateShard(final ActorRef requester, final String shardId,
        final Map<ActorRef, IndexedSeq<String>> currentShardAllocations)
    {
        return external.allocateShard(requester, shardId, currentShardAllocations).flatMap(region ->
            FutureConverters.asScala(client.getShardLocations()).flatMap(locations ->
            {
                final ExternalShardAllocationStrategy.ShardLocation placed =
                    locations.getShardLocations().get(shardId);
                final Address at = region.path().address().hasLocalScope() ? cluster.selfAddress()
                    : region.path().address();
                if (placed != null && placed.address().equals(at))
                {
                    return Futures.successful(region);
                }
                return Futures.<ActorRef>failed(new IllegalStateException("operator instance " + shardId
                    + (placed == null ? " has no location yet" : " is placed on " + placed.address()
                    + ", whose region is not known yet") + ": not allocating it elsewhere; retried on the next request"));
            }, executor), executor);
    }

    @Override
    public Future<Set<String>> rebalance(final Map<ActorRef, IndexedSeq<String>> currentShardAllocations,
        final Set<String> rebalanceInProgress)
    {
        return external.rebalance(currentShardAllocations, rebalanceInProgress);
    }
}
