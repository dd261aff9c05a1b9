package dev.millrace.broker.group;

import dev.millrace.serialization.kryo.MillraceMessage;

/**
 * A partition of a topic, the key of a group's committed offsets.
 *
 * @param topic     topic name
 * @param partition partition index, from 0
 */
public record TopicPartition(String topic, int partition) implements MillraceMessage
{
    @Override
    public String toString()
    {
        return topic + "-" + partition;
    }
}
