package dev.millrace.broker.controller;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.millrace.serialization.kryo.MillraceMessage;

/**
 * The controller's journal: every change to the {@link ClusterImage}, in the past tense. Events carry the decision
 * (assignment, leaders, the allocated block) rather than the request, so replay never re-decides anything.
 *
 * <ul>
 *   <li>{@link BrokerRegistered} - a broker joined or changed its endpoint;</li>
 *   <li>{@link TopicCreated} - a topic with its full assignment, leaders and epoch 0;</li>
 *   <li>{@link TopicDeleted} - a topic and all its partitions are gone;</li>
 *   <li>{@link TopicConfigsAltered} - a topic's config overrides were replaced by the ones carried;</li>
 *   <li>{@link PartitionsAdded} - new partitions appended to a topic;</li>
 *   <li>{@link ProducerIdsAllocated} - the block [start, start + size) was handed out;</li>
 *   <li>{@link PartitionsChanged} - leaders, leader epochs, ISRs of some partitions changed (one decision: a
 *       failover, an ISR change, a controlled shutdown, a preferred-leader election).</li>
 * </ul>
 *
 * <p>Persisted through Kryo: a record's components are its format (see KryoPekkoSerializer); never change one,
 * add a new event instead.
 */
public sealed interface ControllerEvent extends MillraceMessage
{
    record BrokerRegistered(BrokerRegistration broker) implements ControllerEvent
    {
    }

    record TopicCreated(TopicImage topic) implements ControllerEvent
    {
    }

    record TopicDeleted(String name, UUID topicId) implements ControllerEvent
    {
    }

    /** @param configs the topic's complete set of overrides after the change. */
    record TopicConfigsAltered(String name, Map<String, String> configs) implements ControllerEvent
    {
        public TopicConfigsAltered
        {
            configs = Map.copyOf(configs);
        }
    }

    record PartitionsAdded(String name, List<PartitionImage> partitions) implements ControllerEvent
    {
        public PartitionsAdded
        {
            partitions = List.copyOf(partitions);
        }
    }

    record ProducerIdsAllocated(long firstProducerId, int blockSize) implements ControllerEvent
    {
    }

    /** @param changes each changed partition as it is now. */
    record PartitionsChanged(List<PartitionChange> changes) implements ControllerEvent
    {
        public PartitionsChanged
        {
            changes = List.copyOf(changes);
        }
    }
}
