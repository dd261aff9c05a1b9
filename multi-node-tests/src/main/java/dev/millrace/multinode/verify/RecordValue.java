package dev.millrace.multinode.verify;

import java.util.Objects;
import java.util.Optional;

/**
 * The value a {@link VerifiableProducer} writes: {@code <producer>:<sequence>}, where the producer is a name unique in
 * one run and the sequence counts the producer's sends from 0 in the order {@code send} was called. Reading one
 * back tells who sent it and when, which is all {@link DeliveryCheck} needs.
 *
 * @param producer the producer's name (no {@code ':'}).
 * @param sequence the producer's send counter, {@code >= 0}.
 */
public record RecordValue(String producer, long sequence)
{
    public RecordValue
    {
        Objects.requireNonNull(producer, "producer");
        if (producer.isEmpty() || producer.indexOf(':') >= 0)
        {
            throw new IllegalArgumentException("a producer name must be non-empty and without ':' but was '" + producer + "'");
        }
        if (sequence < 0)
        {
            throw new IllegalArgumentException("sequence must be >= 0 but was " + sequence);
        }
    }

    /** The value as written: {@code <producer>:<sequence>}. */
    public String encode()
    {
        return producer + ':' + sequence;
    }

    /** The value read back, or empty when {@code value} is not of the form {@code <producer>:<sequence>}. */
    public static Optional<RecordValue> parse(final String value)
    {
        if (value == null)
        {
            return Optional.empty();
        }
        final int colon = value.lastIndexOf(':');
        if (colon <= 0 || colon == value.length() - 1 || value.indexOf(':') != colon)
        {
            return Optional.empty();
        }
        try
        {
            final long sequence = Long.parseLong(value.substring(colon + 1));
            return sequence < 0 ? Optional.empty() : Optional.of(new RecordValue(value.substring(0, colon), sequence));
        }
        catch (final NumberFormatException ex)
        {
            return Optional.empty();
        }
    }

    @Override
    public String toString()
    {
        return encode();
    }
}
