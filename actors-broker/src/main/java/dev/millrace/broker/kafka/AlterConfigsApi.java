package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.controller.ControllerProtocol;
import dev.millrace.broker.controller.ControllerProtocol.AlterTopicConfigsReply;
import dev.millrace.broker.node.Broker;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.AlterConfigsRequestData;
import org.apache.kafka.common.message.AlterConfigsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.AlterConfigsRequest;
import org.apache.kafka.common.requests.AlterConfigsResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * AlterConfigs, the legacy non-incremental form: the request holds a topic's <em>whole</em> set of overrides, so
 * every current override it does not name is deleted (back to the broker default), as in Kafka. The current
 * overrides come from {@link Broker.DescribeTopic}, the change goes through {@link Broker.AlterConfigs}; with
 * {@code validateOnly} the controller checks and changes nothing. A bad key or value is
 * {@link Errors#INVALID_CONFIG}, an unknown topic {@link Errors#UNKNOWN_TOPIC_OR_PARTITION}; other resource types get
 * {@link Errors#INVALID_REQUEST}. A config with a null value is left out (deleted).
 */
final class AlterConfigsApi implements KafkaApi
{
    private final BrokerContext context;

    AlterConfigsApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final AlterConfigsRequestData data = ((AlterConfigsRequest)request).data();
        final AlterConfigsResponseData response = new AlterConfigsResponseData();
        final List<CompletableFuture<?>> pending = new ArrayList<>();
        for (final AlterConfigsRequestData.AlterConfigsResource resource : data.resources())
        {
            final AlterConfigsResponseData.AlterConfigsResourceResponse result =
                new AlterConfigsResponseData.AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
            response.responses().add(result);
            if (resource.resourceType() != ConfigResource.Type.TOPIC.id())
            {
                result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("only topic configs can be altered");
                continue;
            }
            final Map<String, String> set = new HashMap<>();
            for (final AlterConfigsRequestData.AlterableConfig config : resource.configs())
            {
                if (config.value() != null)
                {
                    set.put(config.name(), config.value());
                }
            }
            pending.add(context.<ControllerProtocol.DescribeTopicReply>ask(
                    replyTo -> new Broker.DescribeTopic(resource.resourceName(), replyTo))
                .thenCompose(current -> replace(resource.resourceName(), current, set, data.validateOnly()))
                .thenAccept(reply -> fill(result, reply))
                .toCompletableFuture());
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
            .thenApply(done -> new AlterConfigsResponse(response));
    }

    /** Sets {@code set} and deletes every other current override; a topic that could not be described is refused. */
    private CompletionStage<AlterTopicConfigsReply> replace(
        final String topic, final ControllerProtocol.DescribeTopicReply current, final Map<String, String> set,
        final boolean validateOnly)
    {
        if (current instanceof ControllerProtocol.Rejected rejected)
        {
            return CompletableFuture.completedFuture(rejected);
        }
        final List<String> delete = new ArrayList<>();
        for (final String key : ((ControllerProtocol.TopicDescription)current).topic().configs().keySet())
        {
            if (!set.containsKey(key))
            {
                delete.add(key);
            }
        }
        return context.alterTopicConfigs(topic, set, delete, validateOnly);
    }

    private static void fill(
        final AlterConfigsResponseData.AlterConfigsResourceResponse result, final AlterTopicConfigsReply reply)
    {
        if (reply instanceof ControllerProtocol.TopicConfigsAccepted)
        {
            result.setErrorCode(Errors.NONE.code());
        }
        else if (reply instanceof ControllerProtocol.Rejected rejected)
        {
            result.setErrorCode(KafkaErrors.of(rejected.error()).code()).setErrorMessage(rejected.message());
        }
    }
}
