package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.controller.ControllerProtocol;
import dev.millrace.broker.controller.ControllerProtocol.CreateTopicReply;
import dev.millrace.broker.controller.TopicImage;
import dev.millrace.broker.node.Broker;
import org.apache.kafka.common.message.CreateTopicsRequestData;
import org.apache.kafka.common.message.CreateTopicsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.CreateTopicsRequest;
import org.apache.kafka.common.requests.CreateTopicsResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * CreateTopics: each topic through {@link Broker.CreateTopic} (-1 partitions or replication factor take the
 * controller's defaults); with {@code validateOnly} the controller checks the topic and creates nothing. Explicit
 * replica assignments are refused with {@link Errors#INVALID_REQUEST}. The controller's refusals keep their Kafka
 * error code and message.
 */
final class CreateTopicsApi implements KafkaApi
{
    private final BrokerContext context;

    CreateTopicsApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final CreateTopicsRequestData data = ((CreateTopicsRequest)request).data();
        final CreateTopicsResponseData response = new CreateTopicsResponseData();
        final List<CompletableFuture<?>> pending = new ArrayList<>();
        for (final CreateTopicsRequestData.CreatableTopic topic : data.topics())
        {
            final CreateTopicsResponseData.CreatableTopicResult result =
                new CreateTopicsResponseData.CreatableTopicResult().setName(topic.name());
            response.topics().add(result);
            if (!topic.assignments().isEmpty())
            {
                result.setErrorCode(Errors.INVALID_REQUEST.code())
                    .setErrorMessage("explicit replica assignments are not supported: give a partition count");
                continue;
            }
            final Map<String, String> configs = new HashMap<>();
            topic.configs().forEach(config -> configs.put(config.name(), config.value()));
            pending.add(create(topic, configs, data.validateOnly())
                .thenAccept(reply -> fill(result, reply))
                .toCompletableFuture());
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
            .thenApply(done -> new CreateTopicsResponse(response));
    }

    private CompletionStage<CreateTopicReply> create(
        final CreateTopicsRequestData.CreatableTopic topic, final Map<String, String> configs, final boolean validateOnly)
    {
        if (validateOnly)
        {
            // The facade only creates; the controller alone can check without creating.
            return context.askController(replyTo -> new ControllerProtocol.CreateTopic(
                topic.name(), topic.numPartitions(), topic.replicationFactor(), configs, true, replyTo));
        }
        return context.ask(replyTo -> new Broker.CreateTopic(
            topic.name(), topic.numPartitions(), topic.replicationFactor(), configs, replyTo));
    }

    private static void fill(final CreateTopicsResponseData.CreatableTopicResult result, final CreateTopicReply reply)
    {
        if (reply instanceof ControllerProtocol.TopicCreationAccepted accepted)
        {
            final TopicImage topic = accepted.topic();
            result.setErrorCode(Errors.NONE.code())
                .setTopicId(MetadataApi.uuid(topic.topicId()))
                .setNumPartitions(topic.partitionCount())
                .setReplicationFactor((short)topic.replicationFactor());
        }
        else if (reply instanceof ControllerProtocol.Rejected rejected)
        {
            result.setErrorCode(KafkaErrors.of(rejected.error()).code()).setErrorMessage(rejected.message());
        }
    }
}
