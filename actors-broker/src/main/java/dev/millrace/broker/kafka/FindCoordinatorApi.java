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
import org.apache.kafka.common.requests.FindCoordinatorRequest.CoordinatorType;
import org.apache.kafka.common.requests.FindCoordinatorResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * FindCoordinator: this node for every group key (group coordinators are sharded entities that any node reaches
 * through its facade). v0-3 carry one key, v4+ a batch.
 *
 * <p>Millrace has no transaction coordinator (nor share groups): a TRANSACTION (or SHARE) key is answered
 * UNSUPPORTED_VERSION with a message saying so. kafka-clients' transaction manager treats every FindCoordinator
 * error but COORDINATOR_NOT_AVAILABLE (retried until {@code max.block.ms}) and the authorization ones as fatal, so a
 * producer with a {@code transactional.id} fails in {@code initTransactions()} at once with a {@code KafkaException}
 * carrying that message, and Admin's transaction calls fail with {@code UnsupportedVersionException}. Answering this
 * node instead (as before) sent the producer to InitProducerId, whose COORDINATOR_NOT_AVAILABLE made it look the
 * coordinator up again and again until its {@code max.block.ms} ran out. A key type unknown to Kafka is
 * INVALID_REQUEST, as Kafka answers it.
 */
final class FindCoordinatorApi implements KafkaApi
{
    private static final short MESSAGE_VERSION = 1;
    private static final short BATCHED_VERSION = 4;
    private static final String NO_TRANSACTIONS =
        "Millrace does not support transactions yet: there is no transaction coordinator (use a producer without " +
        "transactional.id; idempotence works)";
    private static final String NO_SHARE_GROUPS = "Millrace does not support share groups";

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
        final Answer answer = answer(data.keyType());
        if (header.apiVersion() < BATCHED_VERSION)
        {
            response.setErrorCode(answer.error().code());
            if (header.apiVersion() >= MESSAGE_VERSION)
            {
                response.setErrorMessage(answer.message());
            }
            if (answer.error() == Errors.NONE)
            {
                response.setNodeId(context.brokerId()).setHost(context.host()).setPort(context.port().getAsInt());
            }
            else
            {
                response.setNodeId(-1).setHost("").setPort(-1);
            }
        }
        else
        {
            final List<String> keys = data.coordinatorKeys();
            for (final String key : keys)
            {
                final FindCoordinatorResponseData.Coordinator coordinator = new FindCoordinatorResponseData.Coordinator()
                    .setKey(key).setErrorCode(answer.error().code()).setErrorMessage(answer.message());
                if (answer.error() == Errors.NONE)
                {
                    coordinator.setNodeId(context.brokerId()).setHost(context.host()).setPort(context.port().getAsInt());
                }
                else
                {
                    coordinator.setNodeId(-1).setHost("").setPort(-1);
                }
                response.coordinators().add(coordinator);
            }
        }
        return CompletableFuture.completedFuture(new FindCoordinatorResponse(response));
    }

    private static Answer answer(final byte keyType)
    {
        if (keyType == CoordinatorType.GROUP.id())
        {
            return new Answer(Errors.NONE, null);
        }
        if (keyType == CoordinatorType.TRANSACTION.id())
        {
            return new Answer(Errors.UNSUPPORTED_VERSION, NO_TRANSACTIONS);
        }
        if (keyType == CoordinatorType.SHARE.id())
        {
            return new Answer(Errors.UNSUPPORTED_VERSION, NO_SHARE_GROUPS);
        }
        return new Answer(Errors.INVALID_REQUEST, "unknown coordinator key type " + keyType);
    }

    /** The error (NONE: this node) and message for every key of the request. */
    private record Answer(Errors error, String message)
    {
    }
}
