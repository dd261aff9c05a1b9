package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.node.Broker;
import dev.millrace.broker.partition.PartitionProtocol;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.apache.kafka.common.message.DeleteRecordsRequestData;
import org.apache.kafka.common.message.DeleteRecordsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteRecordsRequest;
import org.apache.kafka.common.requests.DeleteRecordsResponse;
import org.apache.kafka.common.requests.RequestHeader;

/** DeleteRecords through {@link Broker.DeleteRecords} per partition (offset -1: up to the high watermark). */
final class DeleteRecordsApi implements KafkaApi
{
    private final BrokerContext context;

    DeleteRecordsApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final DeleteRecordsRequestData data = ((DeleteRecordsRequest)request).data();
        final DeleteRecordsResponseData response = new DeleteRecordsResponseData();
        final List<CompletableFuture<?>> pending = new ArrayList<>();
        for (final DeleteRecordsRequestData.DeleteRecordsTopic topic : data.topics())
        {
            final DeleteRecordsResponseData.DeleteRecordsTopicResult topicResult =
                new DeleteRecordsResponseData.DeleteRecordsTopicResult().setName(topic.name());
            response.topics().add(topicResult);
            for (final DeleteRecordsRequestData.DeleteRecordsPartition partition : topic.partitions())
            {
                final DeleteRecordsResponseData.DeleteRecordsPartitionResult result =
                    new DeleteRecordsResponseData.DeleteRecordsPartitionResult()
                        .setPartitionIndex(partition.partitionIndex()).setLowWatermark(-1);
                topicResult.partitions().add(result);
                final TopicPartition topicPartition = new TopicPartition(topic.name(), partition.partitionIndex());
                pending.add(context.<PartitionProtocol.DeleteRecordsReply>ask(replyTo -> new Broker.DeleteRecords(
                        new PartitionProtocol.DeleteRecords(topicPartition, partition.offset(), replyTo)))
                    .thenAccept(reply -> fill(result, reply))
                    .toCompletableFuture());
            }
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
            .thenApply(done -> new DeleteRecordsResponse(response));
    }

    private static void fill(
        final DeleteRecordsResponseData.DeleteRecordsPartitionResult result, final PartitionProtocol.DeleteRecordsReply reply)
    {
        if (reply instanceof PartitionProtocol.RecordsDeleted deleted)
        {
            result.setErrorCode(Errors.NONE.code()).setLowWatermark(deleted.lowWatermark());
        }
        else if (reply instanceof PartitionProtocol.Rejected rejected)
        {
            result.setErrorCode(rejected.error().kafkaCode());
        }
    }
}
