package dev.millrace.broker.node;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import dev.millrace.broker.partition.PartitionProtocol;
import dev.millrace.broker.partition.PartitionProtocol.ListOffsetsReply;
import dev.millrace.broker.partition.PartitionProtocol.OffsetFound;
import dev.millrace.broker.partition.PartitionProtocol.OffsetSpec;
import dev.millrace.broker.partition.PartitionProtocol.Rejected;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * Turns a reset position ({@link Broker.ResetTo}: earliest, latest, a timestamp or an explicit offset) into one
 * offset per partition by asking each partition's leader, as {@code kafka-consumer-groups --reset-offsets} does:
 * a timestamp with no record at or after it resets to the log end; an explicit offset outside
 * [log start, log end] is clamped into it, so a group never points below the first readable record.
 *
 * <p>Threading: stateless apart from its collaborators; safe from any thread. It only sends asks.
 */
final class OffsetResetResolver
{
    private final ClusterSharding sharding;
    private final Duration askTimeout;

    OffsetResetResolver(final ClusterSharding sharding, final Duration askTimeout)
    {
        this.sharding = sharding;
        this.askTimeout = askTimeout;
    }

    /**
     * Resolves every partition of {@code leaders} (partition → the broker id of its leader). Completes exceptionally
     * with a {@link ResetFailed} naming the partition and the reason when any lookup is refused or times out.
     */
    CompletableFuture<Map<TopicPartition, Long>> resolve(
        final Map<TopicPartition, Integer> leaders, final Broker.ResetTo resetTo, final long value)
    {
        final Map<TopicPartition, CompletableFuture<Long>> perPartition = new HashMap<>();
        leaders.forEach((topicPartition, leader) -> perPartition.put(topicPartition, resolve(topicPartition, leader, resetTo, value)));
        return CompletableFuture.allOf(perPartition.values().toArray(CompletableFuture[]::new))
            .thenApply(ignored ->
            {
                final Map<TopicPartition, Long> offsets = new HashMap<>();
                perPartition.forEach((topicPartition, offset) -> offsets.put(topicPartition, offset.join()));
                return offsets;
            });
    }

    private CompletableFuture<Long> resolve(
        final TopicPartition topicPartition, final int leader, final Broker.ResetTo resetTo, final long value)
    {
        return switch (resetTo)
        {
            case EARLIEST -> lookup(topicPartition, leader, OffsetSpec.EARLIEST, -1);
            case LATEST -> lookup(topicPartition, leader, OffsetSpec.LATEST, -1);
            case TIMESTAMP -> lookup(topicPartition, leader, OffsetSpec.BY_TIMESTAMP, value)
                .thenCombine(lookup(topicPartition, leader, OffsetSpec.LATEST, -1),
                    (found, latest) -> found >= 0 ? found : latest);
            case OFFSET -> lookup(topicPartition, leader, OffsetSpec.EARLIEST, -1)
                .thenCombine(lookup(topicPartition, leader, OffsetSpec.LATEST, -1),
                    (earliest, latest) -> Math.max(earliest, Math.min(latest, value)));
        };
    }

    private CompletableFuture<Long> lookup(
        final TopicPartition topicPartition, final int leader, final OffsetSpec spec, final long timestampMs)
    {
        return sharding.entityRefFor(
                PartitionReplicaEntity.ENTITY_TYPE_KEY, PartitionReplicaEntity.entityId(topicPartition, leader))
            .<ListOffsetsReply>ask(
                replyTo -> new PartitionProtocol.ListOffsets(topicPartition, spec, timestampMs, replyTo), askTimeout)
            .toCompletableFuture()
            .handle((reply, failure) ->
            {
                if (reply instanceof OffsetFound found)
                {
                    return found.offset();
                }
                final String why = reply instanceof Rejected rejected ?
                    rejected.error() + ": " + rejected.message() :
                    "no answer within " + askTimeout + (failure == null ? "" : " (" + failure.getMessage() + ")");
                throw new CompletionException(new ResetFailed(topicPartition + ": " + spec + " lookup failed, " + why));
            });
    }

    /** A partition's position could not be read; the message names the partition and says why. */
    static final class ResetFailed extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        ResetFailed(final String message)
        {
            super(message, null, false, false);
        }
    }
}
