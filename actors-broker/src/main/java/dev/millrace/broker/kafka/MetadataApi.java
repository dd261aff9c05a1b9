package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.controller.ClusterImage;
import dev.millrace.broker.controller.PartitionImage;
import dev.millrace.broker.controller.TopicImage;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.message.MetadataRequestData;
import org.apache.kafka.common.message.MetadataResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.MetadataRequest;
import org.apache.kafka.common.requests.MetadataResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * Metadata: this node as the only broker (and controller), the topics and partitions of the controller's image. A
 * requested topic that does not exist is {@link Errors#UNKNOWN_TOPIC_OR_PARTITION}: topics are never auto-created.
 */
final class MetadataApi implements KafkaApi
{
    /** Until the cluster id is kept by the controller, every Millrace cluster reports this one. */
    static final String CLUSTER_ID = "millrace";

    private final BrokerContext context;

    MetadataApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final MetadataRequest metadata = (MetadataRequest)request;
        return context.metadata().thenApply(image -> response(image, metadata, header.apiVersion()));
    }

    private AbstractResponse response(final ClusterImage image, final MetadataRequest request, final short version)
    {
        final MetadataResponseData response = new MetadataResponseData()
            .setClusterId(CLUSTER_ID)
            .setControllerId(context.brokerId());
        response.brokers().add(new MetadataResponseData.MetadataResponseBroker()
            .setNodeId(context.brokerId()).setHost(context.host()).setPort(context.port().getAsInt()));
        final List<String> names = new ArrayList<>();
        // All topics: null topics (v1+), or an empty list at v0.
        if (request.isAllTopics())
        {
            names.addAll(image.sortedTopicNames());
        }
        else
        {
            for (final MetadataRequestData.MetadataRequestTopic topic : request.data().topics())
            {
                if (topic.name() == null)
                {
                    // v10+ may ask by topic id alone; topics are looked up by name here.
                    response.topics().add(new MetadataResponseData.MetadataResponseTopic()
                        .setTopicId(topic.topicId()).setErrorCode(Errors.UNKNOWN_TOPIC_ID.code()));
                }
                else
                {
                    names.add(topic.name());
                }
            }
        }
        for (final String name : names)
        {
            response.topics().add(image.topic(name)
                .map(this::topic)
                .orElseGet(() -> new MetadataResponseData.MetadataResponseTopic()
                    .setName(name).setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())));
        }
        return new MetadataResponse(response, version);
    }

    private MetadataResponseData.MetadataResponseTopic topic(final TopicImage topic)
    {
        final MetadataResponseData.MetadataResponseTopic result = new MetadataResponseData.MetadataResponseTopic()
            .setName(topic.name())
            .setTopicId(uuid(topic.topicId()))
            .setErrorCode(Errors.NONE.code());
        for (final PartitionImage partition : topic.partitions())
        {
            result.partitions().add(new MetadataResponseData.MetadataResponsePartition()
                .setPartitionIndex(partition.partition())
                .setErrorCode(Errors.NONE.code())
                .setLeaderId(partition.leader())
                .setLeaderEpoch(partition.leaderEpoch())
                .setReplicaNodes(new ArrayList<>(partition.replicas()))
                .setIsrNodes(new ArrayList<>(partition.isr())));
        }
        return result;
    }

    static Uuid uuid(final UUID uuid)
    {
        return uuid == null ? Uuid.ZERO_UUID : new Uuid(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
    }
}
