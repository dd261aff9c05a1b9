package dev.millrace.broker.kafka;

import dev.millrace.broker.partition.PartitionProtocol.FetchedRegion;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.UnalignedFileRecords;

/**
 * A fetch response's records as a view of the segment file they are stored in, so that writing the response sends
 * them from the file instead of from a copy: kafka-clients' {@code SendBuilder} writes any records that are not
 * {@link MemoryRecords} through their own send, and {@link UnalignedFileRecords} (kafka-clients' region of an open
 * file, which Kafka itself sends) hands its bytes to {@code TransferableChannel.transferFrom(file, position, count)}:
 * on a socket that is {@code FileChannel.transferTo} ({@code sendfile}), into memory a positional read.
 *
 * <p>The region is read when the response is written, not when it is made: if retention, DeleteRecords or a stop of
 * the replica closes the segment in between, the write throws {@link java.nio.channels.ClosedChannelException} (see
 * {@link FetchedRegion}).
 *
 * <p>Threading: the records are immutable; the file is read with positional I/O, which other readers do not disturb.
 */
final class RegionRecords
{
    private RegionRecords()
    {
    }

    /** The region's batches; {@link MemoryRecords#EMPTY} for an empty region (which has no file). */
    static BaseRecords of(final FetchedRegion region)
    {
        return region.isEmpty() ? MemoryRecords.EMPTY :
            new UnalignedFileRecords(region.channel(), region.position(), region.length());
    }
}
