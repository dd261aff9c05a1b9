package dev.millrace.multinode.verify;

import java.util.List;
import java.util.Map;

import org.apache.kafka.common.TopicPartition;

/**
 * What one {@link VerifiableConsumer} session did.
 *
 * @param session        the consumer's name.
 * @param records        what it read, in the order it read it.
 * @param startPositions each partition's position when the session first got it: its group's committed offset, or
 *                       the reset position (earliest) when the group had none. A group that carries on shows its
 *                       last session's {@code committed} here.
 * @param committed      the offsets it last committed successfully, by partition.
 * @param endOffsets     the end offsets it read up to when it was told to read to the end (empty otherwise).
 * @param reachedEnd     whether its positions reached {@code endOffsets} (false without them).
 * @param errors         errors it went through (polls, commits, positions), by description, with their counts.
 */
public record ConsumerResult(
    String session,
    List<ConsumedRecord> records,
    Map<TopicPartition, Long> startPositions,
    Map<TopicPartition, Long> committed,
    Map<TopicPartition, Long> endOffsets,
    boolean reachedEnd,
    Map<String, Long> errors)
{
    public ConsumerResult
    {
        records = List.copyOf(records);
        startPositions = Map.copyOf(startPositions);
        committed = Map.copyOf(committed);
        endOffsets = Map.copyOf(endOffsets);
        errors = Map.copyOf(errors);
    }

    @Override
    public String toString()
    {
        return session + ": read " + records.size() + ", start positions " + startPositions + ", committed " + committed +
            (endOffsets.isEmpty() ? "" : ", end offsets " + endOffsets + (reachedEnd ? " (reached)" : " (NOT reached)")) +
            (errors.isEmpty() ? "" : ", errors " + errors);
    }
}
