package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.controller.ControllerProtocol;
import dev.millrace.broker.node.Broker;
import org.apache.kafka.common.message.DeleteTopicsRequestData;
import org.apache.kafka.common.message.DeleteTopicsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteTopicsRequest;
import org.apache.kafka.common.requests.DeleteTopicsResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * DeleteTopics by name through {@link Broker.DeleteTopic}; a topic given by id only (v6+) is refused with
 * {@link Errors#UNSUPPORTED_VERSION} for that topic.
 */
final class DeleteTopicsApi implements KafkaApi
{
    private final BrokerContext context;

    DeleteTopicsApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final DeleteTopicsRequest delete = (DeleteTopicsRequest)request;
        final DeleteTopicsRequestData data = delete.data();
        final List<String> names = new ArrayList<>(data.topicNames());
        final DeleteTopicsResponseData response = new DeleteTopicsResponseData();
        for (final DeleteTopicsRequestData.DeleteTopicState topic : data.topics())
        {
            if (topic.name() != null)
            {
                names.add(topic.name());
            }
            else
            {
                response.responses().add(new DeleteTopicsResponseData.DeletableTopicResult()
                    .setTopicId(topic.topicId()).setErrorCode(Errors.UNSUPPORTED_VERSION.code())
                    .setErrorMessage("delete topics by name: topic ids are not supported yet"));
            }
        }
        final List<CompletableFuture<?>> pending = new ArrayList<>();
        for (final String name : names)
        {
            final DeleteTopicsResponseData.DeletableTopicResult result =
                new DeleteTopicsResponseData.DeletableTopicResult().setName(name);
            response.responses().add(result);
            pending.add(context.<ControllerProtocol.DeleteTopicReply>ask(replyTo -> new Broker.DeleteTopic(name, replyTo))
                .thenAccept(reply -> fill(result, reply))
                .toCompletableFuture());
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
            .thenApply(done -> new DeleteTopicsResponse(response));
    }

    private static void fill(final DeleteTopicsResponseData.DeletableTopicResult result, final ControllerProtocol.DeleteTopicReply reply)
    {
        if (reply instanceof ControllerProtocol.TopicDeletionAccepted accepted)
        {
            result.setErrorCode(Errors.NONE.code()).setTopicId(MetadataApi.uuid(accepted.topicId()));
        }
        else if (reply instanceof ControllerProtocol.Rejected rejected)
        {
            result.setErrorCode(KafkaErrors.of(rejected.error()).code()).setErrorMessage(rejected.message());
        }
    }
}
