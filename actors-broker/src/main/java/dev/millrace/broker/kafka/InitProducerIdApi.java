package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.controller.ControllerProtocol;
import dev.millrace.broker.node.Broker;
import org.apache.kafka.common.message.InitProducerIdRequestData;
import org.apache.kafka.common.message.InitProducerIdResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.RecordBatch;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.InitProducerIdRequest;
import org.apache.kafka.common.requests.InitProducerIdResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * InitProducerId for idempotent producers: a fresh producer id from the controller ({@link Broker.AllocateProducerIds},
 * one id per request) at epoch 0. A transactional id is answered with {@link Errors#COORDINATOR_NOT_AVAILABLE} until
 * the transaction coordinator exists (the transactions issue).
 */
final class InitProducerIdApi implements KafkaApi
{
    private final BrokerContext context;

    InitProducerIdApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final InitProducerIdRequestData data = ((InitProducerIdRequest)request).data();
        if (data.transactionalId() != null)
        {
            return CompletableFuture.completedFuture(new InitProducerIdResponse(new InitProducerIdResponseData()
                .setErrorCode(Errors.COORDINATOR_NOT_AVAILABLE.code())
                .setProducerId(RecordBatch.NO_PRODUCER_ID).setProducerEpoch(RecordBatch.NO_PRODUCER_EPOCH)));
        }
        return context.<ControllerProtocol.AllocateProducerIdsReply>ask(replyTo -> new Broker.AllocateProducerIds(1, replyTo))
            .thenApply(InitProducerIdApi::response);
    }

    private static AbstractResponse response(final ControllerProtocol.AllocateProducerIdsReply reply)
    {
        final InitProducerIdResponseData data = new InitProducerIdResponseData();
        if (reply instanceof ControllerProtocol.ProducerIdBlock block)
        {
            data.setErrorCode(Errors.NONE.code()).setProducerId(block.firstProducerId()).setProducerEpoch((short)0);
        }
        else if (reply instanceof ControllerProtocol.Rejected rejected)
        {
            data.setErrorCode(KafkaErrors.of(rejected.error()).code())
                .setProducerId(RecordBatch.NO_PRODUCER_ID).setProducerEpoch(RecordBatch.NO_PRODUCER_EPOCH);
        }
        return new InitProducerIdResponse(data);
    }
}
