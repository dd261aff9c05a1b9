package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeClusterResponse;
import org.apache.kafka.common.requests.RequestHeader;

/** DescribeCluster: this node as the only broker and the controller, as in Metadata. */
final class DescribeClusterApi implements KafkaApi
{
    private final BrokerContext context;

    DescribeClusterApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final DescribeClusterResponseData data = new DescribeClusterResponseData()
            .setErrorCode(Errors.NONE.code())
            .setClusterId(MetadataApi.CLUSTER_ID)
            .setControllerId(context.brokerId());
        data.brokers().add(new DescribeClusterResponseData.DescribeClusterBroker()
            .setBrokerId(context.brokerId()).setHost(context.host()).setPort(context.port().getAsInt()));
        return CompletableFuture.completedFuture(new DescribeClusterResponse(data));
    }
}
