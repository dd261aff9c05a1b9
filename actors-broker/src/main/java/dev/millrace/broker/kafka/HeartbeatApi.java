package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.group.GroupCoordinator;
import dev.millrace.broker.node.Broker;
import org.apache.kafka.common.message.HeartbeatRequestData;
import org.apache.kafka.common.message.HeartbeatResponseData;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.HeartbeatRequest;
import org.apache.kafka.common.requests.HeartbeatResponse;
import org.apache.kafka.common.requests.RequestHeader;

/** Heartbeat through {@link Broker.Heartbeat}. */
final class HeartbeatApi implements KafkaApi
{
    private final BrokerContext context;

    HeartbeatApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final HeartbeatRequestData data = ((HeartbeatRequest)request).data();
        return context.<GroupCoordinator.GroupAck>ask(replyTo -> new Broker.Heartbeat(data.groupId(),
                new GroupCoordinator.Heartbeat(data.generationId(), data.memberId(),
                    Optional.ofNullable(data.groupInstanceId()), replyTo)))
            .thenApply(ack -> new HeartbeatResponse(new HeartbeatResponseData().setErrorCode((short)ack.error().code())));
    }
}
