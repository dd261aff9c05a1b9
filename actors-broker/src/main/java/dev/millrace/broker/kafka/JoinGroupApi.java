package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.group.GroupCoordinator;
import dev.millrace.broker.group.MemberProtocol;
import dev.millrace.broker.node.Broker;
import org.apache.kafka.common.message.JoinGroupRequestData;
import org.apache.kafka.common.message.JoinGroupResponseData;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.JoinGroupRequest;
import org.apache.kafka.common.requests.JoinGroupResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * JoinGroup (classic protocol) through {@link Broker.JoinGroup}. The coordinator answers when the join phase ends,
 * which may take up to the rebalance timeout: the ask waits that long plus {@code ask-timeout}. New members get
 * their id in the first answer (no MEMBER_ID_REQUIRED round trip).
 */
final class JoinGroupApi implements KafkaApi
{
    private final BrokerContext context;

    JoinGroupApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final JoinGroupRequestData data = ((JoinGroupRequest)request).data();
        final List<MemberProtocol> protocols = new ArrayList<>();
        data.protocols().forEach(protocol -> protocols.add(new MemberProtocol(protocol.name(), protocol.metadata())));
        final int rebalanceTimeoutMs = data.rebalanceTimeoutMs() > 0 ? data.rebalanceTimeoutMs() : data.sessionTimeoutMs();
        final Duration timeout = context.askTimeout().plusMillis(Math.max(0, rebalanceTimeoutMs));
        final short version = header.apiVersion();
        return context.<GroupCoordinator.JoinGroupResponse>ask(replyTo -> new Broker.JoinGroup(data.groupId(),
                new GroupCoordinator.JoinGroup(data.memberId(), Optional.ofNullable(data.groupInstanceId()),
                    header.clientId() == null ? "" : header.clientId(), clientHost(client), data.protocolType(),
                    protocols, data.sessionTimeoutMs(), rebalanceTimeoutMs, replyTo)), timeout)
            .thenApply(reply -> response(reply, version));
    }

    /** As Kafka shows it: "/" and the address. */
    private static String clientHost(final InetSocketAddress client)
    {
        return client == null || client.getAddress() == null ? "" : client.getAddress().toString();
    }

    private static AbstractResponse response(final GroupCoordinator.JoinGroupResponse reply, final short version)
    {
        final JoinGroupResponseData data = new JoinGroupResponseData()
            .setErrorCode((short)reply.error().code())
            .setGenerationId(reply.generationId())
            .setProtocolType(reply.protocolType())
            .setProtocolName(reply.protocolName())
            .setLeader(reply.leaderId())
            .setMemberId(reply.memberId());
        for (final GroupCoordinator.JoinedMember member : reply.members())
        {
            data.members().add(new JoinGroupResponseData.JoinGroupResponseMember()
                .setMemberId(member.memberId())
                .setGroupInstanceId(member.groupInstanceId().orElse(null))
                .setMetadata(member.metadata()));
        }
        return new JoinGroupResponse(data, version);
    }
}
