package dev.millrace.runtime.cluster;

import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;

/**
 * Each operator instance is its own shard, so external shard allocation can put every instance in the task slot
 * reserved for it, on any node.
 *
 * @param <M> the entity's messages
 */
final class OneShardPerEntity<M> extends ShardingMessageExtractor<ShardingEnvelope<M>, M>
{
    @Override
    public String entityId(final ShardingEnvelope<M> envelope)
    {
        return envelope.entityId();
    }

    @Override
    public String shardId(final String entityId)
    {
        return entityId;
    }

    @Override
    public M unwrapMessage(final ShardingEnvelope<M> envelope)
    {
        return envelope.message();
    }
}
