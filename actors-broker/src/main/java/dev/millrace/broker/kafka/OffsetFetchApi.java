package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.group.CommittedOffset;
import dev.millrace.broker.group.GroupCoordinator;
import dev.millrace.broker.node.Broker;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.OffsetFetchRequest;
import org.apache.kafka.common.requests.OffsetFetchResponse;
import org.apache.kafka.common.requests.RequestHeader;

/**
 * OffsetFetch (by topic name, up to v9) through {@link Broker.OffsetFetch}: v1-7 read one group, v8+ a batch. A
 * partition without a committed offset is answered with offset -1, as Kafka does; null topics read every committed
 * partition.
 */
final class OffsetFetchApi implements KafkaApi
{
    private static final short BATCHED_VERSION = 8;
    private static final short TOP_LEVEL_ERROR_VERSION = 2;

    private final BrokerContext context;

    OffsetFetchApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final OffsetFetchRequestData data = ((OffsetFetchRequest)request).data();
        final short version = header.apiVersion();
        if (version < BATCHED_VERSION)
        {
            final List<OffsetFetchRequestData.OffsetFetchRequestTopics> topics = data.topics() == null ? null :
                data.topics().stream().map(topic -> new OffsetFetchRequestData.OffsetFetchRequestTopics()
                    .setName(topic.name()).setPartitionIndexes(topic.partitionIndexes())).toList();
            return fetch(data.groupId(), topics).thenApply(group -> single(group, version));
        }
        final List<OffsetFetchResponseData.OffsetFetchResponseGroup> groups = new ArrayList<>();
        final List<CompletableFuture<?>> pending = new ArrayList<>();
        for (final OffsetFetchRequestData.OffsetFetchRequestGroup group : data.groups())
        {
            final int index = groups.size();
            groups.add(null);
            pending.add(fetch(group.groupId(), group.topics())
                .thenAccept(response -> groups.set(index, response))
                .toCompletableFuture());
        }
        return CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new))
            .thenApply(done -> new OffsetFetchResponse(new OffsetFetchResponseData().setGroups(groups), version));
    }

    private CompletionStage<OffsetFetchResponseData.OffsetFetchResponseGroup> fetch(
        final String groupId, final List<OffsetFetchRequestData.OffsetFetchRequestTopics> topics)
    {
        final Optional<List<TopicPartition>> partitions;
        if (topics == null)
        {
            partitions = Optional.empty();
        }
        else
        {
            final List<TopicPartition> asked = new ArrayList<>();
            topics.forEach(topic -> topic.partitionIndexes().forEach(
                partition -> asked.add(new TopicPartition(topic.name(), partition))));
            partitions = Optional.of(asked);
        }
        return context.<GroupCoordinator.OffsetFetchResponse>ask(replyTo -> new Broker.OffsetFetch(groupId,
                new GroupCoordinator.OffsetFetch(partitions, replyTo)))
            .thenApply(reply -> group(groupId, partitions, reply));
    }

    private static OffsetFetchResponseData.OffsetFetchResponseGroup group(
        final String groupId, final Optional<List<TopicPartition>> asked, final GroupCoordinator.OffsetFetchResponse reply)
    {
        final OffsetFetchResponseData.OffsetFetchResponseGroup group = new OffsetFetchResponseData.OffsetFetchResponseGroup()
            .setGroupId(groupId).setErrorCode((short)reply.error().code());
        final Map<TopicPartition, CommittedOffset> offsets = reply.offsets();
        final List<TopicPartition> partitions = asked.orElseGet(() -> new ArrayList<>(offsets.keySet()));
        for (final TopicPartition partition : partitions)
        {
            OffsetFetchResponseData.OffsetFetchResponseTopics topic = null;
            for (final OffsetFetchResponseData.OffsetFetchResponseTopics existing : group.topics())
            {
                if (existing.name().equals(partition.topic()))
                {
                    topic = existing;
                }
            }
            if (topic == null)
            {
                topic = new OffsetFetchResponseData.OffsetFetchResponseTopics().setName(partition.topic());
                group.topics().add(topic);
            }
            final CommittedOffset committed = offsets.get(partition);
            topic.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartitions()
                .setPartitionIndex(partition.partition())
                .setErrorCode(Errors.NONE.code())
                .setCommittedOffset(committed == null ? OffsetFetchResponse.INVALID_OFFSET : committed.offset())
                .setCommittedLeaderEpoch(committed == null ? -1 : committed.leaderEpoch())
                .setMetadata(committed == null ? OffsetFetchResponse.NO_METADATA : committed.metadata()));
        }
        return group;
    }

    /**
     * The v1-7 shape: one group's offsets at the top level. v1 has no top-level error code, so there, as in Kafka, a
     * group error goes into every partition's.
     */
    private static AbstractResponse single(final OffsetFetchResponseData.OffsetFetchResponseGroup group, final short version)
    {
        final OffsetFetchResponseData data = new OffsetFetchResponseData().setErrorCode(group.errorCode());
        for (final OffsetFetchResponseData.OffsetFetchResponseTopics topic : group.topics())
        {
            final OffsetFetchResponseData.OffsetFetchResponseTopic old =
                new OffsetFetchResponseData.OffsetFetchResponseTopic().setName(topic.name());
            data.topics().add(old);
            for (final OffsetFetchResponseData.OffsetFetchResponsePartitions partition : topic.partitions())
            {
                old.partitions().add(new OffsetFetchResponseData.OffsetFetchResponsePartition()
                    .setPartitionIndex(partition.partitionIndex())
                    .setErrorCode(version < TOP_LEVEL_ERROR_VERSION && group.errorCode() != Errors.NONE.code() ?
                        group.errorCode() : partition.errorCode())
                    .setCommittedOffset(partition.committedOffset())
                    .setCommittedLeaderEpoch(partition.committedLeaderEpoch())
                    .setMetadata(partition.metadata()));
            }
        }
        return new OffsetFetchResponse(data, version);
    }
}
