package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.controller.BrokerRegistration;
import org.apache.kafka.common.message.DescribeClusterResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.DescribeClusterResponse;
import org.apache.kafka.common.requests.RequestHeader;

/** DescribeCluster: the live brokers (with racks) and the controller, as in Metadata. */
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
        return context.clusterMetadata().thenApply(published ->
        {
            final DescribeClusterResponseData data = new DescribeClusterResponseData()
                .setErrorCode(Errors.NONE.code())
                .setClusterId(MetadataApi.CLUSTER_ID)
                .setControllerId(MetadataApi.controllerId(context, published));
            for (final BrokerRegistration broker : MetadataApi.liveBrokers(context, published))
            {
                data.brokers().add(new DescribeClusterResponseData.DescribeClusterBroker()
                    .setBrokerId(broker.brokerId()).setHost(broker.host()).setPort(broker.port())
                    .setRack(broker.rack().orElse(null)));
            }
            return new DescribeClusterResponse(data);
        });
    }
}
