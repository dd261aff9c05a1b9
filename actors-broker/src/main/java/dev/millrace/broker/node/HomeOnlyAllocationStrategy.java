package dev.millrace.broker.node;

import java.util.Optional;

import dev.millrace.broker.controller.Controller;
import dev.millrace.sharding.PlacedOnlyAllocationStrategy;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.sharding.external.ExternalShardAllocationStrategy;
import org.apache.pekko.dispatch.Futures;
import scala.concurrent.Future;

/**
 * Replica shards only on their own broker's node: a replica of broker {@code b} only ever starts on the node of broker
 * {@code b} (its member's role {@code broker-<b>}), never on whichever node asked while that one is down or restarting
 * and not yet registered (see {@link PlacedOnlyAllocationStrategy}).
 */
final class HomeOnlyAllocationStrategy extends PlacedOnlyAllocationStrategy
{
    private static final long serialVersionUID = 1L;

    HomeOnlyAllocationStrategy(final ExternalShardAllocationStrategy external, final org.apache.pekko.actor.ActorSystem system)
    {
        super(external, system);
    }

    @Override
    protected Future<Optional<String>> refusal(final String shardId, final Address regionAddress)
    {
        final int owner = PartitionReplicaEntity.parseEntityId(shardId).replica();
        return Futures.successful(brokerIdAt(regionAddress) == owner ? Optional.empty() :
            Optional.of("replica " + shardId + " belongs to broker " + owner + ", whose node has no shard region yet"));
    }

    /** The broker id of the member at {@code address}, or -1. */
    private int brokerIdAt(final Address address)
    {
        for (final Member member : cluster().state().getMembers())
        {
            if (member.address().equals(address))
            {
                return Controller.brokerIdOf(member);
            }
        }
        return -1;
    }
}
