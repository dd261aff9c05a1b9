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
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.message.IncrementalAlterConfigsRequestData;
import org.apache.kafka.common.message.IncrementalAlterConfigsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.IncrementalAlterConfigsRequest;
import org.apache.kafka.common.requests.IncrementalAlterConfigsResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * IncrementalAlterConfigs of topics through {@link Broker.AlterConfigs} (SET and DELETE; APPEND and SUBTRACT, which
 * only list-valued configs use, get {@link Errors#INVALID_REQUEST}); with {@code validateOnly} the controller checks
 * and changes nothing. Other resource types get {@link Errors#INVALID_REQUEST}.
 */
final class IncrementalAlterConfigsApi implements KafkaApi
{
    private final BrokerContext context;

    IncrementalAlterConfigsApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final IncrementalAlterConfigsRequestData data = ((IncrementalAlterConfigsRequest)request).data();
        final IncrementalAlterConfigsResponseData response = new IncrementalAlterConfigsResponseData();
        final List<CompletableFuture<?>> pending = new ArrayList<>();
        for (final IncrementalAlterConfigsRequestData.AlterConfigsResource resource : data.resources())
        {
            final IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse result =
                new IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse()
                    .setResourceType(resource.resourceType()).setResourceName(resource.resourceName());
            response.responses().add(result);
            if (resource.resourceType() != ConfigResource.Type.TOPIC.id())
            {
                result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage("only topic configs can be altered");
                continue;
            }
            final Map<String, String> set = new HashMap<>();
            final List<String> delete = new ArrayList<>();
            String refused = null;
            for (final IncrementalAlterConfigsRequestData.AlterableConfig config : resource.configs())
            {
                final AlterConfigOp.OpType op = AlterConfigOp.OpType.forId(config.configOperation());
                if (op == AlterConfigOp.OpType.SET)
                {
                    set.put(config.name(), config.value());
                }
                else if (op == AlterConfigOp.OpType.DELETE)
                {
                    delete.add(config.name());
                }
                else
                {
                    refused = op + " of " + config.name() + " is not supported: SET the whole value";
                }
            }
            if (refused != null)
            {
                result.setErrorCode(Errors.INVALID_REQUEST.code()).setErrorMessage(refused);
                continue;
            }
            pending.add(context.alterTopicConfigs(resource.resourceName(), set, delete, data.validateOnly())
                .thenAccept(reply -> fill(result, reply))
                .toCompletableFuture());
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
            .thenApply(done -> new IncrementalAlterConfigsResponse(response));
    }

    private static void fill(
        final IncrementalAlterConfigsResponseData.AlterConfigsResourceResponse result, final AlterTopicConfigsReply reply)
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
