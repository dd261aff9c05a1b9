package dev.millrace.multinode.verify;

import java.util.Objects;

import org.apache.kafka.common.TopicPartition;

/**
 * What became of one record a {@link VerifiableProducer} sent: {@link Acked} with the partition and offset the broker
 * answered, or {@link Failed} with the error. A failed send is ambiguous (the broker may have written it before the
 * error reached the producer), so {@link DeliveryCheck} neither demands nor forbids reading it back.
 */
public sealed interface SendResult permits SendResult.Acked, SendResult.Failed
{
    /** The record's value. */
    RecordValue value();

    /**
     * The broker acknowledged the record (with the producer's acks, {@code all} for a {@link VerifiableProducer}).
     *
     * @param value     what was sent.
     * @param partition where the broker says it is.
     * @param offset    its offset there, {@code >= 0}.
     */
    record Acked(RecordValue value, TopicPartition partition, long offset) implements SendResult
    {
        public Acked
        {
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(partition, "partition");
            if (offset < 0)
            {
                throw new IllegalArgumentException("an acknowledged offset must be >= 0 but was " + offset + " for " + value);
            }
        }
    }

    /**
     * The send failed, or no answer came before the producer was closed.
     *
     * @param value     what was sent.
     * @param partition the partition it was sent to, or null when it was never assigned one.
     * @param error     why, for reports (the exception's class and message).
     */
    record Failed(RecordValue value, TopicPartition partition, String error) implements SendResult
    {
        public Failed
        {
            Objects.requireNonNull(value, "value");
            Objects.requireNonNull(error, "error");
        }
    }
}
