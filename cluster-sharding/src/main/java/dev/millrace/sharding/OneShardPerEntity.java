package dev.millrace.sharding;

import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;

/**
 * Each entity is its own shard (shard id = entity id), so external shard allocation can place every entity on its
 * own node: a partition replica where its data is, an operator instance in the task slot reserved for it.
 *
 * @param <M> the entity's messages
 */
public final class OneShardPerEntity<M> extends ShardingMessageExtractor<ShardingEnvelope<M>, M>
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
