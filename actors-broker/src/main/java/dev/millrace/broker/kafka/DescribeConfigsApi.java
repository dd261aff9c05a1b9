package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.controller.ControllerProtocol;
import dev.millrace.broker.node.Broker;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.DescribeConfigsRequestData;
import org.apache.kafka.common.message.DescribeConfigsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeConfigsRequest;
import org.apache.kafka.common.requests.DescribeConfigsResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * DescribeConfigs of topics through {@link Broker.DescribeTopic}: the topic's overrides (source: dynamic topic
 * config); broker defaults are not listed yet. Other resource types get {@link Errors#INVALID_REQUEST}.
 */
final class DescribeConfigsApi implements KafkaApi
{
    private final BrokerContext context;

    DescribeConfigsApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final DescribeConfigsRequestData data = ((DescribeConfigsRequest)request).data();
        final DescribeConfigsResponseData response = new DescribeConfigsResponseData();
        final List<CompletableFuture<?>> pending = new ArrayList<>();
        for (final DescribeConfigsRequestData.DescribeConfigsResource resource : data.resources())
        {
            final DescribeConfigsResponseData.DescribeConfigsResult result = new DescribeConfigsResponseData.DescribeConfigsResult()
                .setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
            response.results().add(result);
            if (resource.resourceType() != ConfigResource.Type.TOPIC.id())
            {
                result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("only topic configs can be described");
                continue;
            }
            pending.add(context.<ControllerProtocol.DescribeTopicReply>ask(
                    replyTo -> new Broker.DescribeTopic(resource.resourceName(), replyTo))
                .thenAccept(reply -> fill(result, resource.configurationKeys(), reply))
                .toCompletableFuture());
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
            .thenApply(done -> new DescribeConfigsResponse(response));
    }

    private static void fill(
        final DescribeConfigsResponseData.DescribeConfigsResult result, final List<String> keys,
        final ControllerProtocol.DescribeTopicReply reply)
    {
        if (reply instanceof ControllerProtocol.TopicDescription description)
        {
            result.setErrorCode(Errors.NONE.code());
            for (final Map.Entry<String, String> config : description.topic().configs().entrySet())
            {
                if (keys == null || keys.contains(config.getKey()))
                {
                    result.configs().add(new DescribeConfigsResponseData.DescribeConfigsResourceResult()
                        .setName(config.getKey()).setValue(config.getValue())
                        .setConfigSource(DescribeConfigsResponse.ConfigSource.TOPIC_CONFIG.id())
                        .setIsSensitive(false).setReadOnly(false));
                }
            }
        }
        else if (reply instanceof ControllerProtocol.Rejected rejected)
        {
            result.setErrorCode(KafkaErrors.of(rejected.error()).code()).setErrorMessage(rejected.message());
        }
    }
}
