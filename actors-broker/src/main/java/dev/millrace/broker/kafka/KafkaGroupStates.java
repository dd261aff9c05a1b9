package dev.millrace.broker.kafka;

import dev.millrace.broker.group.GroupState;

/** Kafka's names of the classic group states, as DescribeGroups and ListGroups carry them. */
final class KafkaGroupStates
{
    private KafkaGroupStates()
    {
    }

    static String name(final GroupState state)
    {
        return switch (state)
        {
            case EMPTY -> "Empty";
            case PREPARING_REBALANCE -> "PreparingRebalance";
            case COMPLETING_REBALANCE -> "CompletingRebalance";
            case STABLE -> "Stable";
            case DEAD -> "Dead";
        };
    }
}
