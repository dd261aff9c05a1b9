package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.group.GroupCoordinator;
import dev.millrace.broker.node.Broker;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.apache.kafka.common.message.OffsetDeleteRequestData;
import org.apache.kafka.common.message.OffsetDeleteResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetDeleteRequest;
import org.apache.kafka.common.requests.OffsetDeleteResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * OffsetDelete through {@link Broker.OffsetDelete}: the coordinator deletes all given partitions or none, so its one
 * error is the group's (a live group is NON_EMPTY_GROUP, where Kafka would check subscriptions per partition).
 */
final class OffsetDeleteApi implements KafkaApi
{
    private final BrokerContext context;

    OffsetDeleteApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final OffsetDeleteRequestData data = ((OffsetDeleteRequest)request).data();
        final List<TopicPartition> partitions = new ArrayList<>();
        data.topics().forEach(topic -> topic.partitions().forEach(
            partition -> partitions.add(new TopicPartition(topic.name(), partition.partitionIndex()))));
        return context.<GroupCoordinator.GroupAck>ask(replyTo -> new Broker.OffsetDelete(data.groupId(),
                new GroupCoordinator.OffsetDelete(partitions, replyTo)))
            .thenApply(ack ->
            {
                final OffsetDeleteResponseData response = new OffsetDeleteResponseData()
                    .setErrorCode((short)ack.error().code());
                if (ack.error().code() == Errors.NONE.code())
                {
                    for (final OffsetDeleteRequestData.OffsetDeleteRequestTopic topic : data.topics())
                    {
                        final OffsetDeleteResponseData.OffsetDeleteResponseTopic topicResponse =
                            new OffsetDeleteResponseData.OffsetDeleteResponseTopic().setName(topic.name());
                        response.topics().add(topicResponse);
                        topic.partitions().forEach(partition -> topicResponse.partitions().add(
                            new OffsetDeleteResponseData.OffsetDeleteResponsePartition()
                                .setPartitionIndex(partition.partitionIndex()).setErrorCode(Errors.NONE.code())));
                    }
                }
                return new OffsetDeleteResponse(response);
            });
    }
}
