package dev.millrace.runtime.connectors.log;

import dev.millrace.broker.partition.PartitionProtocol.ErrorCode;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which refusals the sink may answer by sending the batch again, and which the source by fetching again. */
class RetriableErrorsTest
{
    @Test
    void aProduceWhoseCommitTimedOutIsNotSentAgainBecauseTheLeaderAlreadyAppendedIt()
    {
        assertFalse(RetriableErrors.mayResendProduce(ErrorCode.REQUEST_TIMED_OUT));
        assertFalse(RetriableErrors.mayResendProduce(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND));
        assertTrue(RetriableErrors.mayRetryFetch(ErrorCode.REQUEST_TIMED_OUT));
    }

    @Test
    void refusalsThatWroteNothingAreRetriedByBoth()
    {
        for (final ErrorCode error : new ErrorCode[] {ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.NOT_ENOUGH_REPLICAS,
            ErrorCode.FENCED_LEADER_EPOCH, ErrorCode.UNKNOWN_LEADER_EPOCH})
        {
            assertTrue(RetriableErrors.mayResendProduce(error), error.name());
            assertTrue(RetriableErrors.mayRetryFetch(error), error.name());
        }
    }

    @Test
    void badInputIsRetriedByNeither()
    {
        for (final ErrorCode error : new ErrorCode[] {ErrorCode.MESSAGE_TOO_LARGE, ErrorCode.CORRUPT_MESSAGE,
            ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.OFFSET_OUT_OF_RANGE})
        {
            assertFalse(RetriableErrors.mayResendProduce(error), error.name());
            assertFalse(RetriableErrors.mayRetryFetch(error), error.name());
        }
    }
}
