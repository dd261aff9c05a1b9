package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.group.GroupCoordinator;
import dev.millrace.broker.node.Broker;
import org.apache.kafka.common.message.DescribeGroupsRequestData;
import org.apache.kafka.common.message.DescribeGroupsResponseData;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeGroupsRequest;
import org.apache.kafka.common.requests.DescribeGroupsResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * DescribeGroups through {@link Broker.DescribeGroup}, one per group. Member metadata is not kept by the coordinator
 * after the join, so it is empty; assignments are the members' current ones.
 */
final class DescribeGroupsApi implements KafkaApi
{
    private static final byte[] NO_BYTES = new byte[0];

    private final BrokerContext context;

    DescribeGroupsApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final DescribeGroupsRequestData data = ((DescribeGroupsRequest)request).data();
        final DescribeGroupsResponseData response = new DescribeGroupsResponseData();
        final List<CompletableFuture<?>> pending = new ArrayList<>();
        for (final String groupId : data.groups())
        {
            final DescribeGroupsResponseData.DescribedGroup group =
                new DescribeGroupsResponseData.DescribedGroup().setGroupId(groupId);
            response.groups().add(group);
            pending.add(context.<GroupCoordinator.GroupDescription>ask(replyTo -> new Broker.DescribeGroup(groupId, replyTo))
                .thenAccept(description -> fill(group, description))
                .toCompletableFuture());
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
            .thenApply(done -> new DescribeGroupsResponse(response));
    }

    private static void fill(final DescribeGroupsResponseData.DescribedGroup group, final GroupCoordinator.GroupDescription description)
    {
        group.setErrorCode((short)description.error().code())
            .setErrorMessage(description.message().isEmpty() ? null : description.message())
            .setGroupState(KafkaGroupStates.name(description.state()))
            .setProtocolType(description.protocolType())
            .setProtocolData(description.protocolName());
        for (final GroupCoordinator.MemberDescription member : description.members())
        {
            group.members().add(new DescribeGroupsResponseData.DescribedGroupMember()
                .setMemberId(member.memberId())
                .setGroupInstanceId(member.groupInstanceId().orElse(null))
                .setClientId(member.clientId())
                .setClientHost(member.clientHost())
                .setMemberMetadata(NO_BYTES)
                .setMemberAssignment(member.assignment()));
        }
    }
}
