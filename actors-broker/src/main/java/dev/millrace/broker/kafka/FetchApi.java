package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.node.Broker;
import dev.millrace.broker.partition.PartitionProtocol;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Fetch: each partition goes to {@link Broker.Fetch} (its offset and max bytes, the request's min bytes and max
 * wait), and the stored batches come back as they are, never re-encoded. No fetch sessions: every response is a
 * full one (session id 0), which clients accept.
 */
final class FetchApi implements KafkaApi
{
    private final BrokerContext context;

    FetchApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final FetchRequestData data = ((FetchRequest)request).data();
        final long maxWaitMs = Math.max(0, data.maxWaitMs());
        final Duration timeout = context.askTimeout().plusMillis(maxWaitMs);
        final FetchResponseData response = new FetchResponseData().setErrorCode(Errors.NONE.code()).setSessionId(0);
        final List<CompletableFuture<?>> pending = new ArrayList<>();
        for (final FetchRequestData.FetchTopic topic : data.topics())
        {
            final FetchResponseData.FetchableTopicResponse topicResponse =
                new FetchResponseData.FetchableTopicResponse().setTopic(topic.topic()).setTopicId(topic.topicId());
            response.responses().add(topicResponse);
            for (final FetchRequestData.FetchPartition partition : topic.partitions())
            {
                final FetchResponseData.PartitionData partitionResponse =
                    new FetchResponseData.PartitionData().setPartitionIndex(partition.partition());
                topicResponse.partitions().add(partitionResponse);
                final TopicPartition topicPartition = new TopicPartition(topic.topic(), partition.partition());
                final int maxBytes = Math.max(1, partition.partitionMaxBytes());
                pending.add(context.<PartitionProtocol.FetchReply>ask(replyTo -> new Broker.Fetch(new PartitionProtocol.Fetch(
                        topicPartition, partition.fetchOffset(), maxBytes, Math.max(0, data.minBytes()), maxWaitMs,
                        replyTo)), timeout)
                    .thenAccept(reply -> fill(partitionResponse, reply))
                    .toCompletableFuture());
            }
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
            .thenApply(done -> FetchResponse.of(response));
    }

    private static void fill(final FetchResponseData.PartitionData response, final PartitionProtocol.FetchReply reply)
    {
        if (reply instanceof PartitionProtocol.Fetched fetched)
        {
            response.setErrorCode(Errors.NONE.code())
                .setHighWatermark(fetched.highWatermark())
                .setLastStableOffset(fetched.highWatermark())
                .setLogStartOffset(fetched.logStartOffset())
                .setRecords(MemoryRecords.readableRecords(ByteBuffer.wrap(fetched.records())));
        }
        else if (reply instanceof PartitionProtocol.Rejected rejected)
        {
            response.setErrorCode(rejected.error().kafkaCode())
                .setHighWatermark(-1)
                .setLastStableOffset(-1)
                .setLogStartOffset(-1)
                .setRecords(MemoryRecords.EMPTY);
        }
    }
}
