package dev.millrace.broker.controller;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import dev.millrace.serialization.kryo.MillraceMessage;

/**
 * The controller's state and the metadata it publishes: registered brokers, topics with their partition
 * assignment, leaders, leader epochs and ISR, and the next producer id to hand out.
 *
 * <p>Immutable: every {@code withXxx} returns a new image. Only the controller's event handlers call them (STYLE
 * rule 3), so an image is always the result of replaying the journal (or a snapshot plus its tail).
 *
 * @param brokers        registered brokers by id.
 * @param topics         topics by name.
 * @param nextProducerId the first producer id of the next block; every id below it has been handed out.
 */
public record ClusterImage(Map<Integer, BrokerRegistration> brokers, Map<String, TopicImage> topics, long nextProducerId)
    implements MillraceMessage
{
    /** The image of a controller that has never persisted an event. */
    public static final ClusterImage EMPTY = new ClusterImage(Map.of(), Map.of(), 0);

    public ClusterImage
    {
        brokers = Map.copyOf(brokers);
        topics = Map.copyOf(topics);
    }

    public Optional<TopicImage> topic(final String name)
    {
        return Optional.ofNullable(topics.get(name));
    }

    /** Registered broker ids in ascending order, the order the replica assignor walks. */
    public List<Integer> sortedBrokerIds()
    {
        final List<Integer> ids = new ArrayList<>(brokers.keySet());
        ids.sort(null);
        return ids;
    }

    /** Topic names in ascending order. */
    public List<String> sortedTopicNames()
    {
        final List<String> names = new ArrayList<>(topics.keySet());
        names.sort(null);
        return names;
    }

    public ClusterImage withBroker(final BrokerRegistration broker)
    {
        final Map<Integer, BrokerRegistration> newBrokers = new HashMap<>(brokers);
        newBrokers.put(broker.brokerId(), broker);
        return new ClusterImage(newBrokers, topics, nextProducerId);
    }

    public ClusterImage withTopic(final TopicImage topic)
    {
        final Map<String, TopicImage> newTopics = new HashMap<>(topics);
        newTopics.put(topic.name(), topic);
        return new ClusterImage(brokers, newTopics, nextProducerId);
    }

    public ClusterImage withoutTopic(final String name)
    {
        final Map<String, TopicImage> newTopics = new HashMap<>(topics);
        newTopics.remove(name);
        return new ClusterImage(brokers, newTopics, nextProducerId);
    }

    public ClusterImage withNextProducerId(final long newNextProducerId)
    {
        return new ClusterImage(brokers, topics, newNextProducerId);
    }

    /** The image with each changed partition replaced; a change for a topic that does not exist is an error. */
    public ClusterImage withPartitionChanges(final List<PartitionChange> changes)
    {
        final Map<String, TopicImage> newTopics = new HashMap<>(topics);
        for (final PartitionChange change : changes)
        {
            final TopicImage topic = newTopics.get(change.topic());
            if (topic == null || change.partition().partition() >= topic.partitionCount())
            {
                throw new IllegalStateException("journal holds a change of " + change.topic() + "-" +
                    change.partition().partition() + ", which does not exist");
            }
            newTopics.put(change.topic(), topic.withPartition(change.partition()));
        }
        return new ClusterImage(brokers, newTopics, nextProducerId);
    }
}
