package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.controller.BrokerRegistration;
import dev.millrace.broker.controller.ClusterImage;
import dev.millrace.broker.controller.PartitionImage;
import dev.millrace.broker.controller.PublishedMetadata;
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
 * Metadata, from the image this node's broker holds (published by the controller): every live registered broker with
 * its advertised host, port and rack (this node with the listener's own address), the controller's broker id, and
 * per partition its leader, leader epoch, replicas, ISR and offline replicas (replicas whose broker is not live). A
 * partition without a leader (-1) carries {@link Errors#LEADER_NOT_AVAILABLE}, so that clients retry. A requested
 * topic that does not exist is {@link Errors#UNKNOWN_TOPIC_OR_PARTITION}: topics are never auto-created.
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
        return context.clusterMetadata(namedTopics(metadata))
            .thenApply(published -> response(published, metadata, header.apiVersion()));
    }

    /** The topics a request names (none when it asks for all topics, or names them only by id). */
    private static Set<String> namedTopics(final MetadataRequest request)
    {
        if (request.data().topics() == null)
        {
            return Set.of();
        }
        final Set<String> names = new HashSet<>();
        for (final MetadataRequestData.MetadataRequestTopic topic : request.data().topics())
        {
            if (topic.name() != null)
            {
                names.add(topic.name());
            }
        }
        return names;
    }

    private AbstractResponse response(final PublishedMetadata published, final MetadataRequest request, final short version)
    {
        final ClusterImage image = published.image();
        final MetadataResponseData response = new MetadataResponseData()
            .setClusterId(CLUSTER_ID)
            .setControllerId(controllerId(context, published));
        for (final BrokerRegistration broker : liveBrokers(context, published))
        {
            response.brokers().add(new MetadataResponseData.MetadataResponseBroker()
                .setNodeId(broker.brokerId()).setHost(broker.host()).setPort(broker.port())
                .setRack(broker.rack().orElse(null)));
        }
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
                .map(topic -> topic(topic, published))
                .orElseGet(() -> new MetadataResponseData.MetadataResponseTopic()
                    .setName(name).setErrorCode(Errors.UNKNOWN_TOPIC_OR_PARTITION.code())));
        }
        return new MetadataResponse(response, version);
    }

    /**
     * The live registered brokers, ascending; this node with the listener's bound address (its registration carries
     * the configured advertised port), and always listed: the client is talking to it.
     */
    static List<BrokerRegistration> liveBrokers(final BrokerContext context, final PublishedMetadata published)
    {
        final List<BrokerRegistration> brokers = new ArrayList<>();
        boolean self = false;
        for (final int brokerId : published.image().sortedBrokerIds())
        {
            final BrokerRegistration registration = published.image().brokers().get(brokerId);
            if (brokerId == context.brokerId())
            {
                brokers.add(new BrokerRegistration(
                    brokerId, context.host(), context.port().getAsInt(), registration.rack()));
                self = true;
            }
            else if (published.liveBrokers().contains(brokerId))
            {
                brokers.add(registration);
            }
        }
        if (!self)
        {
            brokers.add(0, new BrokerRegistration(context.brokerId(), context.host(), context.port().getAsInt(),
                Optional.empty()));
        }
        return brokers;
    }

    /** The broker running the controller; this node while it is not known yet (no publication received). */
    static int controllerId(final BrokerContext context, final PublishedMetadata published)
    {
        return published.controllerId() >= 0 ? published.controllerId() : context.brokerId();
    }

    private MetadataResponseData.MetadataResponseTopic topic(final TopicImage topic, final PublishedMetadata published)
    {
        final MetadataResponseData.MetadataResponseTopic result = new MetadataResponseData.MetadataResponseTopic()
            .setName(topic.name())
            .setTopicId(uuid(topic.topicId()))
            .setErrorCode(Errors.NONE.code());
        for (final PartitionImage partition : topic.partitions())
        {
            final List<Integer> offline = new ArrayList<>();
            for (final int replica : partition.replicas())
            {
                if (replica != context.brokerId() && !published.liveBrokers().isEmpty() && !published.isLive(replica))
                {
                    offline.add(replica);
                }
            }
            result.partitions().add(new MetadataResponseData.MetadataResponsePartition()
                .setPartitionIndex(partition.partition())
                .setErrorCode(partition.hasLeader() ? Errors.NONE.code() : Errors.LEADER_NOT_AVAILABLE.code())
                .setLeaderId(partition.leader())
                .setLeaderEpoch(partition.leaderEpoch())
                .setReplicaNodes(new ArrayList<>(partition.replicas()))
                .setIsrNodes(new ArrayList<>(partition.isr()))
                .setOfflineReplicas(offline));
        }
        return result;
    }

    static Uuid uuid(final UUID uuid)
    {
        return uuid == null ? Uuid.ZERO_UUID : new Uuid(uuid.getMostSignificantBits(), uuid.getLeastSignificantBits());
    }
}
