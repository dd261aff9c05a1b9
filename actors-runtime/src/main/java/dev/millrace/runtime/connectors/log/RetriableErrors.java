package dev.millrace.runtime.connectors.log;

import dev.millrace.broker.partition.PartitionProtocol.ErrorCode;
import java.util.EnumSet;
import java.util.Set;

/** The partition errors after which the same request may succeed later, with nothing written by the first try. */
final class RetriableErrors
{
    private static final Set<ErrorCode> RETRIABLE = EnumSet.of(ErrorCode.NOT_LEADER_OR_FOLLOWER,
        ErrorCode.KAFKA_STORAGE_ERROR, ErrorCode.REQUEST_TIMED_OUT, ErrorCode.NOT_ENOUGH_REPLICAS,
        ErrorCode.FENCED_LEADER_EPOCH, ErrorCode.UNKNOWN_LEADER_EPOCH);

    private RetriableErrors()
    {
    }

    /**
     * @param error a partition's refusal
     * @return whether to try again after a pause
     */
    static boolean isRetriable(final ErrorCode error)
    {
        return RETRIABLE.contains(error);
    }
}
