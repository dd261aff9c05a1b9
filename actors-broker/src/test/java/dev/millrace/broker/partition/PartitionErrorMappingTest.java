package dev.millrace.broker.partition;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.millrace.broker.log.LogException;
import dev.millrace.broker.partition.PartitionProtocol.ErrorCode;
import dev.millrace.serialization.batch.InvalidBatchException;
import org.junit.jupiter.api.Test;

class PartitionErrorMappingTest
{
    private static ErrorCode codeOf(final LogException.Category category)
    {
        return PartitionReplica.errorCodeOf(new LogException(category, "test"));
    }

    private static ErrorCode codeOf(final InvalidBatchException.Reason reason)
    {
        return PartitionReplica.errorCodeOf(
            new LogException(LogException.Category.INVALID_BATCH, "test", new InvalidBatchException(reason, 0, "test")));
    }

    @Test
    void shouldMapLogFailuresToKafkaErrors()
    {
        assertEquals(ErrorCode.OFFSET_OUT_OF_RANGE, codeOf(LogException.Category.OFFSET_OUT_OF_RANGE));
        assertEquals(ErrorCode.MESSAGE_TOO_LARGE, codeOf(LogException.Category.RECORD_TOO_LARGE));
        assertEquals(ErrorCode.NOT_LEADER_OR_FOLLOWER, codeOf(LogException.Category.FENCED_LEADER_EPOCH));
        assertEquals(ErrorCode.CORRUPT_MESSAGE, codeOf(LogException.Category.INVALID_BATCH));
        assertEquals(ErrorCode.KAFKA_STORAGE_ERROR, codeOf(LogException.Category.IO));
        assertEquals(ErrorCode.KAFKA_STORAGE_ERROR, codeOf(LogException.Category.CORRUPT));
        assertEquals(ErrorCode.KAFKA_STORAGE_ERROR, codeOf(LogException.Category.CLOSED));
    }

    @Test
    void shouldCallDamagedBytesCorruptAndUnacceptableBatchesInvalid()
    {
        assertEquals(ErrorCode.CORRUPT_MESSAGE, codeOf(InvalidBatchException.Reason.BAD_CRC));
        assertEquals(ErrorCode.CORRUPT_MESSAGE, codeOf(InvalidBatchException.Reason.TRUNCATED));
        assertEquals(ErrorCode.CORRUPT_MESSAGE, codeOf(InvalidBatchException.Reason.LENGTH_OUT_OF_RANGE));
        assertEquals(ErrorCode.CORRUPT_MESSAGE, codeOf(InvalidBatchException.Reason.BAD_COMPRESSED_DATA));
        assertEquals(ErrorCode.INVALID_RECORD, codeOf(InvalidBatchException.Reason.BAD_MAGIC));
        assertEquals(ErrorCode.INVALID_RECORD, codeOf(InvalidBatchException.Reason.UNKNOWN_COMPRESSION));
        assertEquals(ErrorCode.INVALID_RECORD, codeOf(InvalidBatchException.Reason.BAD_RECORD));
    }
}
