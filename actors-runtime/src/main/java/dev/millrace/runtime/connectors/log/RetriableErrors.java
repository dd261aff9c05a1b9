package dev.millrace.runtime.connectors.log;

import dev.millrace.broker.partition.PartitionProtocol.ErrorCode;
import java.util.EnumSet;
import java.util.Set;

/**
 * The partition errors after which the same request may be sent again. A fetch changes nothing, so any transient
 * refusal may be retried; a produce may be sent again only when the first try wrote nothing. acks=all's
 * {@link ErrorCode#REQUEST_TIMED_OUT} means the batch was appended to the leader and only its commit timed out: the
 * sink is not an idempotent producer, so sending it again could write the records twice.
 */
final class RetriableErrors
{
    private static final Set<ErrorCode> PRODUCE_NOTHING_WRITTEN = EnumSet.of(ErrorCode.NOT_LEADER_OR_FOLLOWER,
        ErrorCode.KAFKA_STORAGE_ERROR, ErrorCode.NOT_ENOUGH_REPLICAS, ErrorCode.FENCED_LEADER_EPOCH,
        ErrorCode.UNKNOWN_LEADER_EPOCH);

    private static final Set<ErrorCode> FETCH_TRANSIENT = EnumSet.of(ErrorCode.NOT_LEADER_OR_FOLLOWER,
        ErrorCode.KAFKA_STORAGE_ERROR, ErrorCode.REQUEST_TIMED_OUT, ErrorCode.NOT_ENOUGH_REPLICAS,
        ErrorCode.FENCED_LEADER_EPOCH, ErrorCode.UNKNOWN_LEADER_EPOCH);

    private RetriableErrors()
    {
    }

    /**
     * @param error a partition's refusal of a produce
     * @return whether the batch may be sent again after a pause: the refusal says nothing was appended
     */
    static boolean mayResendProduce(final ErrorCode error)
    {
        return PRODUCE_NOTHING_WRITTEN.contains(error);
    }

    /**
     * @param error a partition's refusal of a fetch
     * @return whether to fetch again after a pause
     */
    static boolean mayRetryFetch(final ErrorCode error)
    {
        return FETCH_TRANSIENT.contains(error);
    }
}
