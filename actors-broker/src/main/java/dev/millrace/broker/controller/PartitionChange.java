package dev.millrace.broker.controller;

import java.util.Objects;

import dev.millrace.serialization.kryo.MillraceMessage;

/**
 * One partition's new state, as decided by the controller (a leader election, an ISR change): what
 * {@link ControllerEvent.PartitionsChanged} carries and what the controller then publishes to the partition's replicas.
 *
 * @param topic     the topic's name.
 * @param partition the partition as it is after the change (epochs already raised).
 */
public record PartitionChange(String topic, PartitionImage partition) implements MillraceMessage
{
    public PartitionChange
    {
        Objects.requireNonNull(topic, "topic");
        Objects.requireNonNull(partition, "partition");
    }
}
