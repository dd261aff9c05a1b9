package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.controller.ClusterImage;
import dev.millrace.broker.controller.TopicImage;
import dev.millrace.broker.group.GroupCoordinator;
import dev.millrace.broker.group.OffsetAndMetadata;
import dev.millrace.broker.node.Broker;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * OffsetCommit (by topic name, up to v9) through {@link Broker.OffsetCommit}.
 *
 * <p>As Kafka's request handler does before its group coordinator sees the request, a partition of a topic that does
 * not exist, or beyond the topic's partition count, in this node's metadata image is answered
 * UNKNOWN_TOPIC_OR_PARTITION and not committed; the other partitions go to the coordinator, which commits them all
 * or none, so its one error is each of theirs. A request with no existing partition does not reach the coordinator
 * (no group is created for it).
 */
final class OffsetCommitApi implements KafkaApi
{
    private static final short UNKNOWN = Errors.UNKNOWN_TOPIC_OR_PARTITION.code();

    private final BrokerContext context;

    OffsetCommitApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final OffsetCommitRequestData data = ((OffsetCommitRequest)request).data();
        return context.metadata().thenCompose(image -> commitKnown(data, image));
    }

    private CompletionStage<AbstractResponse> commitKnown(final OffsetCommitRequestData data, final ClusterImage image)
    {
        final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (final OffsetCommitRequestData.OffsetCommitRequestTopic topic : data.topics())
        {
            final int partitionCount = image.topic(topic.name()).map(TopicImage::partitionCount).orElse(0);
            for (final OffsetCommitRequestData.OffsetCommitRequestPartition partition : topic.partitions())
            {
                if (exists(partition.partitionIndex(), partitionCount))
                {
                    offsets.put(new TopicPartition(topic.name(), partition.partitionIndex()), new OffsetAndMetadata(
                        partition.committedOffset(), partition.committedLeaderEpoch(),
                        partition.committedMetadata() == null ? "" : partition.committedMetadata()));
                }
            }
        }
        if (offsets.isEmpty())
        {
            return CompletableFuture.completedFuture(response(data, image, UNKNOWN));
        }
        return context.<GroupCoordinator.GroupAck>ask(replyTo -> new Broker.OffsetCommit(data.groupId(),
                new GroupCoordinator.OffsetCommit(data.generationIdOrMemberEpoch(), data.memberId(),
                    Optional.ofNullable(data.groupInstanceId()), offsets, replyTo)))
            .thenApply(ack -> response(data, image, (short)ack.error().code()));
    }

    private static boolean exists(final int partitionIndex, final int partitionCount)
    {
        return partitionIndex >= 0 && partitionIndex < partitionCount;
    }

    /** Every partition in request order: UNKNOWN_TOPIC_OR_PARTITION for those not in {@code image}, else {@code errorCode}. */
    private static AbstractResponse response(final OffsetCommitRequestData request, final ClusterImage image, final short errorCode)
    {
        final OffsetCommitResponseData data = new OffsetCommitResponseData();
        for (final OffsetCommitRequestData.OffsetCommitRequestTopic topic : request.topics())
        {
            final int partitionCount = image.topic(topic.name()).map(TopicImage::partitionCount).orElse(0);
            final OffsetCommitResponseData.OffsetCommitResponseTopic topicResponse =
                new OffsetCommitResponseData.OffsetCommitResponseTopic().setName(topic.name());
            data.topics().add(topicResponse);
            for (final OffsetCommitRequestData.OffsetCommitRequestPartition partition : topic.partitions())
            {
                topicResponse.partitions().add(new OffsetCommitResponseData.OffsetCommitResponsePartition()
                    .setPartitionIndex(partition.partitionIndex())
                    .setErrorCode(exists(partition.partitionIndex(), partitionCount) ? errorCode : UNKNOWN));
            }
        }
        return new OffsetCommitResponse(data);
    }
}
