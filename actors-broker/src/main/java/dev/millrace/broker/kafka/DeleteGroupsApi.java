package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.group.GroupCoordinator;
import dev.millrace.broker.node.Broker;
import org.apache.kafka.common.message.DeleteGroupsRequestData;
import org.apache.kafka.common.message.DeleteGroupsResponseData;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DeleteGroupsRequest;
import org.apache.kafka.common.requests.DeleteGroupsResponse;
import org.apache.kafka.common.requests.RequestHeader;

/** DeleteGroups through {@link Broker.DeleteGroup}, one per group (only empty groups can be deleted). */
final class DeleteGroupsApi implements KafkaApi
{
    private final BrokerContext context;

    DeleteGroupsApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final DeleteGroupsRequestData data = ((DeleteGroupsRequest)request).data();
        final DeleteGroupsResponseData response = new DeleteGroupsResponseData();
        final List<CompletableFuture<?>> pending = new ArrayList<>();
        for (final String groupId : data.groupsNames())
        {
            final DeleteGroupsResponseData.DeletableGroupResult result =
                new DeleteGroupsResponseData.DeletableGroupResult().setGroupId(groupId);
            response.results().add(result);
            pending.add(context.<GroupCoordinator.GroupAck>ask(replyTo -> new Broker.DeleteGroup(groupId,
                    new GroupCoordinator.DeleteGroup(replyTo)))
                .thenAccept(ack -> result.setErrorCode((short)ack.error().code()))
                .toCompletableFuture());
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
            .thenApply(done -> new DeleteGroupsResponse(response));
    }
}
