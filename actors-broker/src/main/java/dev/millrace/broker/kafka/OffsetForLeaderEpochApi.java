package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.controller.ClusterImage;
import dev.millrace.broker.controller.TopicImage;
import dev.millrace.broker.node.Broker;
import dev.millrace.broker.partition.PartitionProtocol;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.apache.kafka.common.message.OffsetForLeaderEpochRequestData;
import org.apache.kafka.common.message.OffsetForLeaderEpochResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochRequest;
import org.apache.kafka.common.requests.OffsetsForLeaderEpochResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * OffsetForLeaderEpoch: consumers ask it, after a leader change or when they resume from a committed offset that
 * carries an epoch, whether their position still exists. Each partition's {@code currentLeaderEpoch} (when not -1) is
 * first checked against the metadata image's leader epoch, as Kafka's leader does: older is
 * {@link Errors#FENCED_LEADER_EPOCH}, newer {@link Errors#UNKNOWN_LEADER_EPOCH} (both make the client refresh
 * metadata); a partition the image lacks is {@link Errors#UNKNOWN_TOPIC_OR_PARTITION}. Then the leader answers
 * {@link Broker.OffsetForLeaderEpoch} from its leader epoch cache.
 */
final class OffsetForLeaderEpochApi implements KafkaApi
{
    private final BrokerContext context;

    OffsetForLeaderEpochApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final OffsetForLeaderEpochRequestData data = ((OffsetsForLeaderEpochRequest)request).data();
        return context.metadata().thenCompose(image -> answer(data, image));
    }

    private CompletionStage<AbstractResponse> answer(final OffsetForLeaderEpochRequestData data, final ClusterImage image)
    {
        final OffsetForLeaderEpochResponseData response = new OffsetForLeaderEpochResponseData();
        final List<CompletableFuture<?>> pending = new ArrayList<>();
        for (final OffsetForLeaderEpochRequestData.OffsetForLeaderTopic topic : data.topics())
        {
            final OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult topicResult =
                new OffsetForLeaderEpochResponseData.OffsetForLeaderTopicResult().setTopic(topic.topic());
            response.topics().add(topicResult);
            final TopicImage topicImage = image.topics().get(topic.topic());
            for (final OffsetForLeaderEpochRequestData.OffsetForLeaderPartition partition : topic.partitions())
            {
                final OffsetForLeaderEpochResponseData.EpochEndOffset result =
                    new OffsetForLeaderEpochResponseData.EpochEndOffset()
                        .setPartition(partition.partition()).setLeaderEpoch(-1).setEndOffset(-1);
                topicResult.partitions().add(result);
                final Errors refused = check(topicImage, partition);
                if (refused != Errors.NONE)
                {
                    result.setErrorCode(refused.code());
                    continue;
                }
                final TopicPartition topicPartition = new TopicPartition(topic.topic(), partition.partition());
                pending.add(context.<PartitionProtocol.OffsetForLeaderEpochReply>ask(replyTo -> new Broker.OffsetForLeaderEpoch(
                        new PartitionProtocol.OffsetForLeaderEpoch(topicPartition, partition.leaderEpoch(), replyTo)))
                    .thenAccept(reply -> fill(result, reply))
                    .toCompletableFuture());
            }
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
            .thenApply(done -> new OffsetsForLeaderEpochResponse(response));
    }

    private static Errors check(final TopicImage topic, final OffsetForLeaderEpochRequestData.OffsetForLeaderPartition partition)
    {
        if (topic == null || partition.partition() < 0 || partition.partition() >= topic.partitionCount())
        {
            return Errors.UNKNOWN_TOPIC_OR_PARTITION;
        }
        final int leaderEpoch = topic.partitions().get(partition.partition()).leaderEpoch();
        if (partition.currentLeaderEpoch() < 0 || partition.currentLeaderEpoch() == leaderEpoch)
        {
            return Errors.NONE;
        }
        return partition.currentLeaderEpoch() < leaderEpoch ? Errors.FENCED_LEADER_EPOCH : Errors.UNKNOWN_LEADER_EPOCH;
    }

    private static void fill(
        final OffsetForLeaderEpochResponseData.EpochEndOffset result, final PartitionProtocol.OffsetForLeaderEpochReply reply)
    {
        if (reply instanceof PartitionProtocol.EpochEndOffset found)
        {
            result.setErrorCode(Errors.NONE.code()).setLeaderEpoch(found.leaderEpoch()).setEndOffset(found.endOffset());
        }
        else if (reply instanceof PartitionProtocol.Rejected rejected)
        {
            result.setErrorCode(rejected.error().kafkaCode());
        }
    }
}
