package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.node.Broker;
import dev.millrace.broker.partition.PartitionProtocol;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.apache.kafka.common.message.ProduceRequestData;
import org.apache.kafka.common.message.ProduceResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ProduceRequest;
import org.apache.kafka.common.requests.ProduceResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Produce: each partition's record batches, as the producer sent them, go to {@link Broker.Produce} with the request's
 * acks; the partitions' replies make the response. With acks=0 nothing is answered, as in Kafka.
 */
final class ProduceApi implements KafkaApi
{
    private final BrokerContext context;

    ProduceApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final ProduceRequestData data = ((ProduceRequest)request).data();
        final short acks = data.acks();
        final ProduceResponseData response = new ProduceResponseData();
        final List<CompletableFuture<?>> pending = new ArrayList<>();
        for (final ProduceRequestData.TopicProduceData topic : data.topicData())
        {
            final ProduceResponseData.TopicProduceResponse topicResponse =
                new ProduceResponseData.TopicProduceResponse().setName(topic.name());
            response.responses().add(topicResponse);
            for (final ProduceRequestData.PartitionProduceData partition : topic.partitionData())
            {
                final TopicPartition topicPartition = new TopicPartition(topic.name(), partition.index());
                final byte[] records = bytes((MemoryRecords)partition.records());
                if (acks == 0)
                {
                    context.broker().tell(new Broker.Produce(new PartitionProtocol.Produce(topicPartition, acks, records, null)));
                    continue;
                }
                final ProduceResponseData.PartitionProduceResponse partitionResponse =
                    new ProduceResponseData.PartitionProduceResponse().setIndex(partition.index());
                topicResponse.partitionResponses().add(partitionResponse);
                pending.add(context.<PartitionProtocol.ProduceReply>ask(replyTo -> new Broker.Produce(
                        new PartitionProtocol.Produce(topicPartition, acks, records, replyTo)))
                    .thenAccept(reply -> fill(partitionResponse, reply))
                    .toCompletableFuture());
            }
        }
        if (acks == 0)
        {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
            .thenApply(done -> new ProduceResponse(response));
    }

    private static byte[] bytes(final MemoryRecords records)
    {
        if (records == null)
        {
            return new byte[0];
        }
        final ByteBuffer buffer = records.buffer().duplicate();
        final byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return bytes;
    }

    private static void fill(
        final ProduceResponseData.PartitionProduceResponse response, final PartitionProtocol.ProduceReply reply)
    {
        if (reply instanceof PartitionProtocol.Appended appended)
        {
            response.setErrorCode(Errors.NONE.code())
                .setBaseOffset(appended.baseOffset())
                .setLogAppendTimeMs(appended.logAppendTime())
                .setLogStartOffset(appended.logStartOffset());
        }
        else if (reply instanceof PartitionProtocol.Rejected rejected)
        {
            response.setErrorCode(rejected.error().kafkaCode()).setErrorMessage(rejected.message())
                .setBaseOffset(-1).setLogStartOffset(-1);
        }
    }
}
