package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.controller.ControllerProtocol;
import dev.millrace.broker.controller.ControllerProtocol.CreatePartitionsReply;
import dev.millrace.broker.node.Broker;
import org.apache.kafka.common.message.CreatePartitionsRequestData;
import org.apache.kafka.common.message.CreatePartitionsResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.CreatePartitionsRequest;
import org.apache.kafka.common.requests.CreatePartitionsResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * CreatePartitions: each topic through {@link Broker.CreatePartitions} (the controller refuses an unknown topic with
 * {@link Errors#UNKNOWN_TOPIC_OR_PARTITION}, a count that is not an increase or above the maximum with
 * {@link Errors#INVALID_PARTITIONS}); with {@code validateOnly} the controller checks and changes nothing. Explicit
 * replica assignments are refused with {@link Errors#INVALID_REQUEST}.
 */
final class CreatePartitionsApi implements KafkaApi
{
    private final BrokerContext context;

    CreatePartitionsApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final CreatePartitionsRequestData data = ((CreatePartitionsRequest)request).data();
        final CreatePartitionsResponseData response = new CreatePartitionsResponseData();
        final List<CompletableFuture<?>> pending = new ArrayList<>();
        for (final CreatePartitionsRequestData.CreatePartitionsTopic topic : data.topics())
        {
            final CreatePartitionsResponseData.CreatePartitionsTopicResult result =
                new CreatePartitionsResponseData.CreatePartitionsTopicResult().setName(topic.name());
            response.results().add(result);
            if (topic.assignments() != null && !topic.assignments().isEmpty())
            {
                result.setErrorCode(Errors.INVALID_REQUEST.code())
                    .setErrorMessage("explicit replica assignments are not supported: give the new partition count only");
                continue;
            }
            pending.add(create(topic, data.validateOnly())
                .thenAccept(reply -> fill(result, reply))
                .toCompletableFuture());
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
            .thenApply(done -> new CreatePartitionsResponse(response));
    }

    private CompletionStage<CreatePartitionsReply> create(
        final CreatePartitionsRequestData.CreatePartitionsTopic topic, final boolean validateOnly)
    {
        if (validateOnly)
        {
            // The facade only creates; the controller alone can check without creating.
            return context.askController(replyTo -> new ControllerProtocol.CreatePartitions(topic.name(), topic.count(), true, replyTo));
        }
        return context.ask(replyTo -> new Broker.CreatePartitions(topic.name(), topic.count(), replyTo));
    }

    private static void fill(final CreatePartitionsResponseData.CreatePartitionsTopicResult result, final CreatePartitionsReply reply)
    {
        if (reply instanceof ControllerProtocol.PartitionsAccepted)
        {
            result.setErrorCode(Errors.NONE.code());
        }
        else if (reply instanceof ControllerProtocol.Rejected rejected)
        {
            result.setErrorCode(KafkaErrors.of(rejected.error()).code()).setErrorMessage(rejected.message());
        }
    }
}
