package dev.millrace.broker.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

import dev.millrace.broker.partition.PartitionProtocol.FetchedRegion;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.SendBuilder;
import org.apache.kafka.common.record.internal.BaseRecords;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Records over a region of a segment file: their size is the region's, and written (into memory for pekko-streams,
 * with sendfile to a socket for nio) they are exactly the stored batches between the region's bounds, inside a
 * fetch response laid out as kafka-clients serializes it whole.
 */
class RegionRecordsTest
{
    private static final TopicPartition PARTITION = new TopicPartition("orders", 3);

    @TempDir
    Path dir;

    @Test
    @Timeout(30)
    void shouldHaveTheRegionsSizeAndWriteExactlyItsBatchesIntoMemoryAndToASocket() throws Exception
    {
        final MemoryRecords before = batch(0, "before");
        final MemoryRecords first = batch(1, "first");
        final MemoryRecords second = batch(2, "x".repeat(100_000));
        final MemoryRecords after = batch(3, "after");
        try (FileChannel file = FileChannel.open(dir.resolve("segment"),
            StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            for (final MemoryRecords batch : List.of(before, first, second, after))
            {
                file.write(batch.buffer().duplicate());
            }
            final int position = before.sizeInBytes();
            final int length = first.sizeInBytes() + second.sizeInBytes();
            final FetchedRegion region = new FetchedRegion(PARTITION, file, position, length, 1, 3, 4, 0);
            final BaseRecords records = RegionRecords.of(region);
            assertEquals(length, records.sizeInBytes());

            final byte[] stored = concat(first, second);
            assertArrayEquals(stored, ByteStringChannel.collect(records.toSend()).toArray(), "read into memory");
            assertArrayEquals(stored, sendThroughSocket(records.toSend()), "sent with transferTo");

            // Inside a fetch response: the same bytes as kafka-clients serializing the response with the batches.
            final short version = 12;
            final ResponseHeader header = new ResponseHeader(7, ApiKeys.FETCH.responseHeaderVersion(version));
            final byte[] sent = sendThroughSocket(SendBuilder.buildResponseSend(header, response(records), version));
            final ByteBuffer body = RequestUtils.serialize(header.data(), header.headerVersion(),
                response(MemoryRecords.readableRecords(ByteBuffer.wrap(stored))), version);
            final ByteBuffer expected = ByteBuffer.allocate(4 + body.remaining()).putInt(body.remaining()).put(body);
            assertArrayEquals(expected.array(), sent);
        }
    }

    @Test
    void shouldBeEmptyMemoryRecordsForAnEmptyRegion()
    {
        assertSame(MemoryRecords.EMPTY, RegionRecords.of(new FetchedRegion(PARTITION, null, 0, 0, -1, 5, 5, 0)));
    }

    private static FetchResponseData response(final BaseRecords records)
    {
        final FetchResponseData data = new FetchResponseData().setSessionId(0);
        data.responses().add(new FetchResponseData.FetchableTopicResponse().setTopic(PARTITION.topic())
            .setPartitions(List.of(new FetchResponseData.PartitionData().setPartitionIndex(PARTITION.partition())
                .setHighWatermark(4).setRecords(records))));
        return data;
    }

    private static MemoryRecords batch(final long offset, final String value)
    {
        return MemoryRecords.withRecords(offset, Compression.NONE,
            new SimpleRecord("k".getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] concat(final MemoryRecords... batches)
    {
        final ByteBuffer all = ByteBuffer.allocate(Arrays.stream(batches).mapToInt(MemoryRecords::sizeInBytes).sum());
        for (final MemoryRecords batch : batches)
        {
            all.put(batch.buffer().duplicate());
        }
        return all.array();
    }

    /** Writes the send to a non-blocking loopback socket as the listener does, reading the other end meanwhile. */
    private static byte[] sendThroughSocket(final Send send) throws IOException
    {
        try (ServerSocketChannel server = ServerSocketChannel.open().bind(new InetSocketAddress("127.0.0.1", 0));
            SocketChannel writer = SocketChannel.open(server.getLocalAddress());
            SocketChannel reader = server.accept())
        {
            writer.configureBlocking(false);
            final SocketTransferableChannel channel = new SocketTransferableChannel(writer);
            final ByteBuffer received = ByteBuffer.allocate(Math.toIntExact(send.size()));
            while (!send.completed() || received.hasRemaining())
            {
                if (!send.completed())
                {
                    send.writeTo(channel);
                }
                if (received.hasRemaining() && reader.read(received) < 0)
                {
                    throw new IOException("the socket closed after " + received.position() + " bytes");
                }
            }
            return received.array();
        }
    }
}
