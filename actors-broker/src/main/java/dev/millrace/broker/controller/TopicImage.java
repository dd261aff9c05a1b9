package dev.millrace.broker.controller;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import dev.millrace.serialization.kryo.MillraceMessage;

/**
 * A topic as the controller knows it.
 *
 * <p>Immutable; part of {@link ClusterImage}.
 *
 * @param name              the topic name (validated by {@link TopicNames}).
 * @param topicId           unique for the lifetime of the topic: a topic deleted and created again gets a new id.
 * @param replicationFactor replicas per partition.
 * @param configs           the topic-level config overrides (Kafka key names); absent keys take broker defaults.
 * @param partitions        the partitions, index {@code i} at position {@code i}.
 */
public record TopicImage(
    String name,
    UUID topicId,
    int replicationFactor,
    Map<String, String> configs,
    List<PartitionImage> partitions) implements MillraceMessage
{
    public TopicImage
    {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(topicId, "topicId");
        configs = Map.copyOf(configs);
        partitions = List.copyOf(partitions);
    }

    public int partitionCount()
    {
        return partitions.size();
    }

    public TopicImage withConfigs(final Map<String, String> newConfigs)
    {
        return new TopicImage(name, topicId, replicationFactor, newConfigs, partitions);
    }

    public TopicImage withPartitionsAdded(final List<PartitionImage> added)
    {
        final List<PartitionImage> all = new ArrayList<>(partitions);
        all.addAll(added);
        return new TopicImage(name, topicId, replicationFactor, configs, all);
    }

    /** The topic with partition {@code changed.partition()} replaced by {@code changed}. */
    public TopicImage withPartition(final PartitionImage changed)
    {
        final List<PartitionImage> all = new ArrayList<>(partitions);
        all.set(changed.partition(), changed);
        return new TopicImage(name, topicId, replicationFactor, configs, all);
    }
}
