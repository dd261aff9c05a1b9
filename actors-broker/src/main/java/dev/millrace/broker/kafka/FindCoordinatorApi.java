package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.apache.kafka.common.message.FindCoordinatorRequestData;
import org.apache.kafka.common.message.FindCoordinatorResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FindCoordinatorRequest;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * FindCoordinator: this node, for every key (group and transaction coordinators are sharded entities that any node
 * reaches through its facade). v0-3 carry one key, v4+ a batch.
 */
final class FindCoordinatorApi implements KafkaApi
{
    private static final short BATCHED_VERSION = 4;

    private final BrokerContext context;

    FindCoordinatorApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final FindCoordinatorRequestData data = ((FindCoordinatorRequest)request).data();
        final FindCoordinatorResponseData response = new FindCoordinatorResponseData();
        final int port = context.port().getAsInt();
        if (header.apiVersion() < BATCHED_VERSION)
        {
            response.setErrorCode(Errors.NONE.code()).setNodeId(context.brokerId()).setHost(context.host()).setPort(port);
        }
        else
        {
            final List<String> keys = data.coordinatorKeys();
            for (final String key : keys)
            {
                response.coordinators().add(new FindCoordinatorResponseData.Coordinator()
                    .setKey(key).setErrorCode(Errors.NONE.code())
                    .setNodeId(context.brokerId()).setHost(context.host()).setPort(port));
            }
        }
        return CompletableFuture.completedFuture(new FindCoordinatorResponse(response));
    }
}
