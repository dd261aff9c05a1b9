package dev.millrace.runtime.cluster;

import java.util.Optional;

import dev.millrace.sharding.PlacedOnlyAllocationStrategy;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ClassicActorSystemProvider;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocation;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocationStrategy;
import org.apache.pekko.cluster.sharding.external.javadsl.ExternalShardAllocationClient;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;

/**
 * Operator instances only in the task slot reserved for them. An instance's location is written (distributed data)
 * just before its first message; a coordinator whose replica has not seen it yet would let Pekko allocate the shard to
 * whichever node asked. This strategy refuses that until the location is known and names the asking node (see
 * {@link PlacedOnlyAllocationStrategy}), so an instance only ever starts on the node its job master placed it on.
 */
final class ReservedSlotAllocationStrategy extends PlacedOnlyAllocationStrategy
{
    private static final long serialVersionUID = 1L;

    private final ExternalShardAllocationClient client;

    ReservedSlotAllocationStrategy(final ExternalShardAllocationStrategy external, final ActorSystem system,
        final String typeName)
    {
        super(external, system);
        this.client = ExternalShardAllocation.get((ClassicActorSystemProvider)system).getClient(typeName);
    }

    @Override
    protected Future<Optional<String>> refusal(final String shardId, final Address regionAddress)
    {
        return FutureConverters.asScala(client.getShardLocations()).map(locations ->
        {
            final ExternalShardAllocationStrategy.ShardLocation placed = locations.getShardLocations().get(shardId);
            if (placed != null && placed.address().equals(regionAddress))
            {
                return Optional.<String>empty();
            }
            return Optional.of("operator instance " + shardId + (placed == null ? " has no location yet" :
                " is placed on " + placed.address() + ", whose region is not known yet"));
        }, executor());
    }
}
