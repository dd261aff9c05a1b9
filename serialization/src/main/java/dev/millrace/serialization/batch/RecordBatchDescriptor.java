package dev.millrace.serialization.batch;

import java.nio.ByteOrder;

/**
 * Layout of a Kafka v2 record batch (magic 2), the one format Millrace uses on the wire, on disk and in
 * the Kafka-protocol listener. All fields are big-endian.
 *
 * <pre>
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                        Base Offset (int64)                    |  0
 *  |                                                               |
 *  +---------------------------------------------------------------+
 *  |            Batch Length (int32, bytes after this field)       |  8
 *  +---------------------------------------------------------------+
 *  |                 Partition Leader Epoch (int32)                | 12
 *  +---------------+-----------------------------------------------+
 *  |  Magic (2)    |              CRC32C (uint32) ...              | 16
 *  +---------------+---------------+-------------------------------+
 *  |   ... CRC     |  Attributes (int16)           | Last Offset   | 20
 *  +---------------+-------------------------------+  Delta (int32)|
 *  |          ...                                  | Base          | 24
 *  +-----------------------------------------------+ Timestamp     |
 *  |        (int64) ...                                            | 28
 *  +---------------------------------------------------------------+
 *  |                    Max Timestamp (int64) at 35                |
 *  |                    Producer Id (int64) at 43                  |
 *  |  Producer Epoch (int16) at 51 | Base Sequence (int32) at 53   |
 *  |                 Records Count (int32) at 57                   |
 *  +---------------------------------------------------------------+
 *  |                   Records (varint-encoded) at 61 ...          |
 *  +---------------------------------------------------------------+
 * </pre>
 *
 * The CRC32C covers everything from the attributes to the end of the batch; it does not cover the base
 * offset, the length or the partition leader epoch, which is why a broker can assign offsets and stamp
 * epochs without recomputing it.
 *
 * <p>Attributes: bits 0–2 compression codec, bit 3 timestamp type (1 = log append time), bit 4
 * transactional, bit 5 control batch, bit 6 delete-horizon flag; other bits must be zero.
 */
public final class RecordBatchDescriptor
{
    public static final ByteOrder BYTE_ORDER = ByteOrder.BIG_ENDIAN;

    public static final byte MAGIC = 2;

    public static final int BASE_OFFSET_OFFSET = 0;
    public static final int LENGTH_OFFSET = 8;
    public static final int PARTITION_LEADER_EPOCH_OFFSET = 12;
    public static final int MAGIC_OFFSET = 16;
    public static final int CRC_OFFSET = 17;
    public static final int ATTRIBUTES_OFFSET = 21;
    public static final int LAST_OFFSET_DELTA_OFFSET = 23;
    public static final int BASE_TIMESTAMP_OFFSET = 27;
    public static final int MAX_TIMESTAMP_OFFSET = 35;
    public static final int PRODUCER_ID_OFFSET = 43;
    public static final int PRODUCER_EPOCH_OFFSET = 51;
    public static final int BASE_SEQUENCE_OFFSET = 53;
    public static final int RECORDS_COUNT_OFFSET = 57;
    public static final int RECORDS_OFFSET = 61;

    /** Bytes before the batch length field's count starts: base offset and the length itself. */
    public static final int LOG_OVERHEAD = 12;
    /** Size of a batch header, i.e. of a batch with no records. */
    public static final int HEADER_LENGTH = RECORDS_OFFSET;
    /** Smallest legal value of the length field. */
    public static final int MIN_BATCH_LENGTH = HEADER_LENGTH - LOG_OVERHEAD;

    public static final int COMPRESSION_CODEC_MASK = 0x07;
    public static final int TIMESTAMP_TYPE_MASK = 0x08;
    public static final int TRANSACTIONAL_FLAG_MASK = 0x10;
    public static final int CONTROL_FLAG_MASK = 0x20;
    public static final int DELETE_HORIZON_FLAG_MASK = 0x40;
    public static final int KNOWN_ATTRIBUTES_MASK = 0x7F;

    public static final long NO_PRODUCER_ID = -1L;
    public static final short NO_PRODUCER_EPOCH = -1;
    public static final int NO_SEQUENCE = -1;
    public static final int NO_PARTITION_LEADER_EPOCH = -1;
    public static final long NO_TIMESTAMP = -1L;

    private RecordBatchDescriptor()
    {
    }
}
