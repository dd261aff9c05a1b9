package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.node.Broker;
import dev.millrace.broker.node.GroupDirectory;
import org.apache.kafka.common.message.ListGroupsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.ListGroupsResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * ListGroups through {@link Broker.ListGroups}. The directory knows ids only: every group is listed with an empty
 * protocol type (which Admin counts as a consumer group) and the states and types filters are not applied.
 */
final class ListGroupsApi implements KafkaApi
{
    private final BrokerContext context;

    ListGroupsApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        return context.<GroupDirectory.GroupListing>ask(Broker.ListGroups::new).thenApply(listing ->
        {
            final ListGroupsResponseData data = new ListGroupsResponseData().setErrorCode(Errors.NONE.code());
            listing.groupIds().forEach(groupId -> data.groups().add(
                new ListGroupsResponseData.ListedGroup().setGroupId(groupId).setProtocolType("")));
            return new ListGroupsResponse(data);
        });
    }
}
