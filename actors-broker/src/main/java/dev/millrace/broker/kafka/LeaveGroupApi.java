package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.group.GroupCoordinator;
import dev.millrace.broker.node.Broker;
import org.apache.kafka.common.message.LeaveGroupRequestData;
import org.apache.kafka.common.message.LeaveGroupResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.LeaveGroupRequest;
import org.apache.kafka.common.requests.LeaveGroupResponse;
import org.apache.kafka.common.requests.RequestHeader;

/** LeaveGroup through {@link Broker.LeaveGroup}, one per member (v3+ leaves a batch, v0-2 one member). */
final class LeaveGroupApi implements KafkaApi
{
    private final BrokerContext context;

    LeaveGroupApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final LeaveGroupRequest leave = (LeaveGroupRequest)request;
        final String groupId = leave.data().groupId();
        final List<LeaveGroupResponseData.MemberResponse> members = new ArrayList<>();
        final List<CompletableFuture<?>> pending = new ArrayList<>();
        for (final LeaveGroupRequestData.MemberIdentity member : leave.members())
        {
            final LeaveGroupResponseData.MemberResponse memberResponse = new LeaveGroupResponseData.MemberResponse()
                .setMemberId(member.memberId()).setGroupInstanceId(member.groupInstanceId());
            members.add(memberResponse);
            pending.add(context.<GroupCoordinator.GroupAck>ask(replyTo -> new Broker.LeaveGroup(groupId,
                    new GroupCoordinator.LeaveGroup(member.memberId(), Optional.ofNullable(member.groupInstanceId()), replyTo)))
                .thenAccept(ack -> memberResponse.setErrorCode((short)ack.error().code()))
                .toCompletableFuture());
        }
        final short version = header.apiVersion();
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
            .thenApply(done -> new LeaveGroupResponse(members, Errors.NONE, 0, version));
    }
}
