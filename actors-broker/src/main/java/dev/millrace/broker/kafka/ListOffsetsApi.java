package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.node.Broker;
import dev.millrace.broker.partition.PartitionProtocol;
import dev.millrace.broker.partition.PartitionProtocol.OffsetSpec;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.apache.kafka.common.message.ListOffsetsRequestData;
import org.apache.kafka.common.message.ListOffsetsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListOffsetsRequest;
import org.apache.kafka.common.requests.ListOffsetsResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * ListOffsets: earliest ({@value ListOffsetsRequest#EARLIEST_TIMESTAMP}), latest
 * ({@value ListOffsetsRequest#LATEST_TIMESTAMP}) or by timestamp, through {@link Broker.ListOffsets}. The other
 * special timestamps (max timestamp, local and tiered starts) are answered per partition with
 * {@link Errors#UNSUPPORTED_VERSION}.
 */
final class ListOffsetsApi implements KafkaApi
{
    private final BrokerContext context;

    ListOffsetsApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final ListOffsetsRequestData data = ((ListOffsetsRequest)request).data();
        final ListOffsetsResponseData response = new ListOffsetsResponseData();
        final List<CompletableFuture<?>> pending = new ArrayList<>();
        for (final ListOffsetsRequestData.ListOffsetsTopic topic : data.topics())
        {
            final ListOffsetsResponseData.ListOffsetsTopicResponse topicResponse =
                new ListOffsetsResponseData.ListOffsetsTopicResponse().setName(topic.name());
            response.topics().add(topicResponse);
            for (final ListOffsetsRequestData.ListOffsetsPartition partition : topic.partitions())
            {
                final ListOffsetsResponseData.ListOffsetsPartitionResponse partitionResponse =
                    new ListOffsetsResponseData.ListOffsetsPartitionResponse()
                        .setPartitionIndex(partition.partitionIndex()).setTimestamp(-1).setOffset(-1);
                topicResponse.partitions().add(partitionResponse);
                final long timestamp = partition.timestamp();
                final OffsetSpec spec = timestamp == ListOffsetsRequest.EARLIEST_TIMESTAMP ? OffsetSpec.EARLIEST :
                    timestamp == ListOffsetsRequest.LATEST_TIMESTAMP ? OffsetSpec.LATEST :
                    timestamp >= 0 ? OffsetSpec.BY_TIMESTAMP : null;
                if (spec == null)
                {
                    partitionResponse.setErrorCode(Errors.UNSUPPORTED_VERSION.code());
                    continue;
                }
                final TopicPartition topicPartition = new TopicPartition(topic.name(), partition.partitionIndex());
                pending.add(context.<PartitionProtocol.ListOffsetsReply>ask(replyTo -> new Broker.ListOffsets(
                        new PartitionProtocol.ListOffsets(topicPartition, spec, timestamp, replyTo)))
                    .thenAccept(reply -> fill(partitionResponse, reply))
                    .toCompletableFuture());
            }
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
            .thenApply(done -> new ListOffsetsResponse(response));
    }

    private static void fill(
        final ListOffsetsResponseData.ListOffsetsPartitionResponse response, final PartitionProtocol.ListOffsetsReply reply)
    {
        if (reply instanceof PartitionProtocol.OffsetFound found)
        {
            response.setErrorCode(Errors.NONE.code()).setOffset(found.offset()).setTimestamp(found.timestamp());
        }
        else if (reply instanceof PartitionProtocol.Rejected rejected)
        {
            response.setErrorCode(rejected.error().kafkaCode());
        }
    }
}
