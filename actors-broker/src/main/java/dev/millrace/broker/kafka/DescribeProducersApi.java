package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.node.Broker;
import dev.millrace.broker.partition.PartitionProtocol;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.apache.kafka.common.message.DescribeProducersRequestData;
import org.apache.kafka.common.message.DescribeProducersResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeProducersRequest;
import org.apache.kafka.common.requests.DescribeProducersResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * DescribeProducers: each partition's idempotent producers from its leader ({@link Broker.DescribeProducers}), with
 * epoch and last sequence. Millrace keeps no per-producer timestamp and has no transactions yet, so
 * {@code lastTimestamp}, {@code coordinatorEpoch} and {@code currentTxnStartOffset} are -1.
 */
final class DescribeProducersApi implements KafkaApi
{
    private final BrokerContext context;

    DescribeProducersApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final DescribeProducersRequestData data = ((DescribeProducersRequest)request).data();
        final DescribeProducersResponseData response = new DescribeProducersResponseData();
        final List<CompletableFuture<?>> pending = new ArrayList<>();
        for (final DescribeProducersRequestData.TopicRequest topic : data.topics())
        {
            final DescribeProducersResponseData.TopicResponse topicResponse =
                new DescribeProducersResponseData.TopicResponse().setName(topic.name());
            response.topics().add(topicResponse);
            for (final int partition : topic.partitionIndexes())
            {
                final DescribeProducersResponseData.PartitionResponse result =
                    new DescribeProducersResponseData.PartitionResponse().setPartitionIndex(partition);
                topicResponse.partitions().add(result);
                if (partition < 0)
                {
                    result.setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())
                        .setErrorMessage("partition " + partition + " is negative");
                    continue;
                }
                final TopicPartition topicPartition = new TopicPartition(topic.name(), partition);
                pending.add(context.<PartitionProtocol.DescribeProducersReply>ask(replyTo -> new Broker.DescribeProducers(
                        new PartitionProtocol.DescribeProducers(topicPartition, replyTo)))
                    .thenAccept(reply -> fill(result, reply))
                    .toCompletableFuture());
            }
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
            .thenApply(done -> new DescribeProducersResponse(response));
    }

    private static void fill(
        final DescribeProducersResponseData.PartitionResponse result, final PartitionProtocol.DescribeProducersReply reply)
    {
        if (reply instanceof PartitionProtocol.ProducersDescribed described)
        {
            result.setErrorCode(Errors.NONE.code());
            for (final PartitionProtocol.ActiveProducer producer : described.producers())
            {
                result.activeProducers().add(new DescribeProducersResponseData.ProducerState()
                    .setProducerId(producer.producerId())
                    .setProducerEpoch(producer.producerEpoch())
                    .setLastSequence(producer.lastSequence())
                    .setLastTimestamp(-1)
                    .setCoordinatorEpoch(-1)
                    .setCurrentTxnStartOffset(-1));
            }
        }
        else if (reply instanceof PartitionProtocol.Rejected rejected)
        {
            result.setErrorCode(rejected.error().kafkaCode()).setErrorMessage(rejected.message());
        }
    }
}
