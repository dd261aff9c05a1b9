package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.group.GroupCoordinator;
import dev.millrace.broker.node.Broker;
import org.apache.kafka.common.message.SyncGroupRequestData;
import org.apache.kafka.common.message.SyncGroupResponseData;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.kafka.common.requests.SyncGroupRequest;
import org.apache.kafka.common.requests.SyncGroupResponse;

/**
 * SyncGroup through {@link Broker.SyncGroup}: a follower's answer waits for the leader's assignment, at most a
 * rebalance; the ask allows the session timeout the group runs with, bounded below by {@code ask-timeout}.
 */
final class SyncGroupApi implements KafkaApi
{
    /** A follower waits for the leader's SyncGroup; the coordinator times the generation out well before this. */
    private static final Duration LONGEST_SYNC = Duration.ofMinutes(5);

    private final BrokerContext context;

    SyncGroupApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final SyncGroupRequestData data = ((SyncGroupRequest)request).data();
        final Map<String, byte[]> assignments = new HashMap<>();
        data.assignments().forEach(assignment -> assignments.put(assignment.memberId(), assignment.assignment()));
        return context.<GroupCoordinator.SyncGroupResponse>ask(replyTo -> new Broker.SyncGroup(data.groupId(),
                new GroupCoordinator.SyncGroup(data.generationId(), data.memberId(),
                    Optional.ofNullable(data.groupInstanceId()), assignments, replyTo)), LONGEST_SYNC)
            .thenApply(reply -> new SyncGroupResponse(new SyncGroupResponseData()
                .setErrorCode((short)reply.error().code())
                .setProtocolType(reply.protocolType())
                .setProtocolName(reply.protocolName())
                .setAssignment(reply.assignment())));
    }
}
