package dev.millrace.multinode.verify;

import java.util.Objects;

import org.apache.kafka.common.TopicPartition;

/**
 * One record a consumer read, in the order it was read.
 *
 * @param session   the consumer session that read it (a {@link VerifiableConsumer}'s name): offsets must increase
 *                  within one session and partition; a later session may start again from its group's committed
 *                  offset.
 * @param partition where it was read.
 * @param offset    its offset.
 * @param value     the value as read (null for a null value).
 */
public record ConsumedRecord(String session, TopicPartition partition, long offset, String value)
{
    public ConsumedRecord
    {
        Objects.requireNonNull(session, "session");
        Objects.requireNonNull(partition, "partition");
    }

    @Override
    public String toString()
    {
        return partition + "@" + offset + "=" + value + " (" + session + ")";
    }
}
