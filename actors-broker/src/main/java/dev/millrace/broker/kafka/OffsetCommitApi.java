package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.group.GroupCoordinator;
import dev.millrace.broker.group.OffsetAndMetadata;
import dev.millrace.broker.node.Broker;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.apache.kafka.common.message.OffsetCommitRequestData;
import org.apache.kafka.common.message.OffsetCommitResponseData;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetCommitRequest;
import org.apache.kafka.common.requests.OffsetCommitResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * OffsetCommit (by topic name, up to v9) through {@link Broker.OffsetCommit}: the coordinator commits all partitions
 * or none, so its one error is every partition's.
 */
final class OffsetCommitApi implements KafkaApi
{
    private final BrokerContext context;

    OffsetCommitApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final OffsetCommitRequestData data = ((OffsetCommitRequest)request).data();
        final Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (final OffsetCommitRequestData.OffsetCommitRequestTopic topic : data.topics())
        {
            for (final OffsetCommitRequestData.OffsetCommitRequestPartition partition : topic.partitions())
            {
                offsets.put(new TopicPartition(topic.name(), partition.partitionIndex()), new OffsetAndMetadata(
                    partition.committedOffset(), partition.committedLeaderEpoch(),
                    partition.committedMetadata() == null ? "" : partition.committedMetadata()));
            }
        }
        return context.<GroupCoordinator.GroupAck>ask(replyTo -> new Broker.OffsetCommit(data.groupId(),
                new GroupCoordinator.OffsetCommit(data.generationIdOrMemberEpoch(), data.memberId(),
                    Optional.ofNullable(data.groupInstanceId()), offsets, replyTo)))
            .thenApply(ack -> response(data, (short)ack.error().code()));
    }

    private static AbstractResponse response(final OffsetCommitRequestData request, final short errorCode)
    {
        final OffsetCommitResponseData data = new OffsetCommitResponseData();
        for (final OffsetCommitRequestData.OffsetCommitRequestTopic topic : request.topics())
        {
            final OffsetCommitResponseData.OffsetCommitResponseTopic topicResponse =
                new OffsetCommitResponseData.OffsetCommitResponseTopic().setName(topic.name());
            data.topics().add(topicResponse);
            for (final OffsetCommitRequestData.OffsetCommitRequestPartition partition : topic.partitions())
            {
                topicResponse.partitions().add(new OffsetCommitResponseData.OffsetCommitResponsePartition()
                    .setPartitionIndex(partition.partitionIndex()).setErrorCode(errorCode));
            }
        }
        return new OffsetCommitResponse(data);
    }
}
