package dev.millrace.broker.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.kafka.common.compress.Compression;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.SendBuilder;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.record.internal.SimpleRecord;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.requests.ResponseHeader;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class ByteStringChannelTest
{
    @Test
    void shouldCollectAFetchResponseIntoTheSameBytesAsSerializingItWhole()
    {
        final MemoryRecords records = MemoryRecords.withRecords(Compression.NONE,
            new SimpleRecord("k".getBytes(StandardCharsets.UTF_8), "v".repeat(1000).getBytes(StandardCharsets.UTF_8)),
            new SimpleRecord(null, "second".getBytes(StandardCharsets.UTF_8)));
        final FetchResponseData data = new FetchResponseData().setSessionId(0);
        data.responses().add(new FetchResponseData.FetchableTopicResponse().setTopic("orders")
            .setPartitions(List.of(new FetchResponseData.PartitionData().setPartitionIndex(3)
                .setHighWatermark(2).setRecords(records))));
        final short version = 12;
        final ResponseHeader header = new ResponseHeader(42, ApiKeys.FETCH.responseHeaderVersion(version));

        final ByteString collected = ByteStringChannel.collect(SendBuilder.buildResponseSend(header, data, version));

        final ByteBuffer body = RequestUtils.serialize(header.data(), header.headerVersion(), data, version);
        final ByteBuffer expected = ByteBuffer.allocate(4 + body.remaining()).putInt(body.remaining()).put(body).flip();
        final byte[] expectedBytes = new byte[expected.remaining()];
        expected.get(expectedBytes);
        assertEquals(expectedBytes.length, collected.size());
        assertArrayEquals(expectedBytes, collected.toArray());
    }

    @Test
    void shouldCopyDirectBuffersAndWrapHeapOnes()
    {
        final ByteStringChannel channel = new ByteStringChannel();
        final ByteBuffer direct = ByteBuffer.allocateDirect(3).put(new byte[] {1, 2, 3}).flip();
        final ByteBuffer heap = ByteBuffer.wrap(new byte[] {9, 4, 5, 6, 9}, 1, 3);

        assertEquals(6, channel.write(new ByteBuffer[] {direct, heap}));
        assertEquals(0, direct.remaining());
        assertEquals(0, heap.remaining());
        assertEquals(ByteString.fromArray(new byte[] {1, 2, 3, 4, 5, 6}), channel.bytes());
    }
}
