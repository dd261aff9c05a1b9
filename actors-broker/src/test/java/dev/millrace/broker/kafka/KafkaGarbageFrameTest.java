package dev.millrace.broker.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import dev.millrace.broker.node.BrokerNode;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.message.ApiVersionsResponseData;
import org.apache.kafka.common.message.OffsetFetchRequestData;
import org.apache.kafka.common.message.OffsetFetchResponseData;
import org.apache.kafka.common.message.RequestHeaderData;
import org.apache.kafka.common.protocol.ApiKeys;
import org.apache.kafka.common.protocol.ByteBufferAccessor;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.requests.ApiVersionsResponse;
import org.apache.kafka.common.requests.RequestUtils;
import org.apache.kafka.common.requests.ResponseHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Garbage on a socket closes that connection and nothing else: a seeded fuzzer sends negative and oversized sizes,
 * empty and truncated frames and unknown api keys, each on its own connection, while a real producer keeps producing.
 * An API version the listener does not implement is answered with UNSUPPORTED_VERSION, not dropped.
 */
class KafkaGarbageFrameTest
{
    private static final long SEED = 0x5EED_4B4AL;
    private static final int GARBAGE_CONNECTIONS = 40;
    private static final int REQUEST_MAX_BYTES = 1 << 20;

    @TempDir
    Path dataDir;

    @Test
    @Timeout(60)
    void shouldCloseOnlyTheConnectionThatSentGarbageWhileAWellBehavedProducerKeepsWorking() throws Exception
    {
        final Random random = new Random(SEED);
        try (BrokerNode node = BrokerNode.start(KafkaClientsTest.nodeConfig(dataDir)))
        {
            KafkaClientsTest.createTopic(node, "fuzzed", 1);
            try (KafkaProducer<byte[], byte[]> producer = KafkaClientsTest.producer(node))
            {
                final List<Future<RecordMetadata>> sent = new ArrayList<>();
                for (int i = 0; i < GARBAGE_CONNECTIONS; i++)
                {
                    sent.add(producer.send(new ProducerRecord<>("fuzzed", KafkaClientsTest.key(i), KafkaClientsTest.value(i))));
                    final byte[] garbage = garbage(random);
                    assertClosedAfter(node.kafkaPort(), garbage, "seed " + SEED + ", connection " + i);
                }
                for (int i = 0; i < GARBAGE_CONNECTIONS; i++)
                {
                    assertEquals(i, sent.get(i).get(20, TimeUnit.SECONDS).offset());
                }
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldAnswerAnUnsupportedVersionWithUnsupportedVersionAndKeepTheConnection() throws Exception
    {
        try (BrokerNode node = BrokerNode.start(KafkaClientsTest.nodeConfig(dataDir));
            Socket socket = new Socket("127.0.0.1", node.kafkaPort()))
        {
            socket.setSoTimeout(10_000);
            final OutputStream out = socket.getOutputStream();
            final DataInputStream in = new DataInputStream(socket.getInputStream());

            // OffsetFetch v10 names topics by id, which this listener does not serve yet.
            final short fetchVersion = 10;
            out.write(frame(RequestUtils.serialize(
                new RequestHeaderData().setRequestApiKey(ApiKeys.OFFSET_FETCH.id).setRequestApiVersion(fetchVersion)
                    .setCorrelationId(7).setClientId("fuzz"),
                ApiKeys.OFFSET_FETCH.requestHeaderVersion(fetchVersion),
                new OffsetFetchRequestData().setGroups(List.of(
                    new OffsetFetchRequestData.OffsetFetchRequestGroup().setGroupId("g").setTopics(null))),
                fetchVersion)));
            final ByteBuffer fetchResponse = readFrame(in);
            assertEquals(7, ResponseHeader.parse(fetchResponse,
                ApiKeys.OFFSET_FETCH.responseHeaderVersion(fetchVersion)).correlationId());
            final OffsetFetchResponseData offsets =
                new OffsetFetchResponseData(new ByteBufferAccessor(fetchResponse), fetchVersion);
            assertEquals(Errors.UNSUPPORTED_VERSION.code(), offsets.groups().get(0).errorCode());

            // ApiVersions from a client newer than the broker: the v0 response with the supported versions.
            final ByteBuffer newer = ByteBuffer.allocate(2 + 2 + 4 + 2 + 1);
            newer.putShort(ApiKeys.API_VERSIONS.id).putShort((short)(ApiKeys.API_VERSIONS.latestVersion() + 1))
                .putInt(8).putShort((short)-1).put((byte)0).flip();
            out.write(frame(newer));
            final ByteBuffer versionsResponse = readFrame(in);
            assertEquals(8, ResponseHeader.parse(versionsResponse, (short)0).correlationId());
            final ApiVersionsResponseData versions =
                ApiVersionsResponse.parse(new ByteBufferAccessor(versionsResponse), (short)0).data();
            assertEquals(Errors.UNSUPPORTED_VERSION.code(), versions.errorCode());
            assertTrue(versions.apiKeys().find(ApiKeys.PRODUCE.id) != null);
            assertEquals(9, versions.apiKeys().find(ApiKeys.OFFSET_FETCH.id).maxVersion());
            assertEquals(null, versions.apiKeys().find(ApiKeys.DESCRIBE_ACLS.id));
        }
    }

    /** One kind of garbage, chosen and filled by the seeded random. */
    private static byte[] garbage(final Random random)
    {
        final int kind = random.nextInt(5);
        final ByteBuffer buffer;
        switch (kind)
        {
            case 0 -> // a negative size
            {
                buffer = ByteBuffer.allocate(4 + 16);
                buffer.putInt(Integer.MIN_VALUE | random.nextInt());
            }
            case 1 -> // a size beyond socket.request.max.bytes
            {
                buffer = ByteBuffer.allocate(4 + 16);
                buffer.putInt(REQUEST_MAX_BYTES + 1 + random.nextInt(Integer.MAX_VALUE - REQUEST_MAX_BYTES - 1));
            }
            case 2 -> // an empty frame: no header at all
            {
                buffer = ByteBuffer.allocate(4);
                buffer.putInt(0);
            }
            case 3 -> // an api key no Kafka version knows, then random bytes
            {
                final int bodyBytes = 8 + random.nextInt(64);
                buffer = ByteBuffer.allocate(4 + bodyBytes);
                buffer.putInt(bodyBytes).putShort((short)(1000 + random.nextInt(30_000)));
            }
            default -> // a valid Metadata header with its body cut off
            {
                buffer = ByteBuffer.allocate(4 + 2 + 2 + 4 + 2 + 1);
                buffer.putInt(buffer.capacity() - 4).putShort(ApiKeys.METADATA.id).putShort(ApiKeys.METADATA.latestVersion())
                    .putInt(random.nextInt()).putShort((short)-1).put((byte)0);
            }
        }
        while (buffer.hasRemaining())
        {
            buffer.put((byte)random.nextInt());
        }
        return buffer.array();
    }

    private static void assertClosedAfter(final int port, final byte[] garbage, final String what) throws IOException
    {
        try (Socket socket = new Socket("127.0.0.1", port))
        {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(garbage);
            socket.getOutputStream().flush();
            final InputStream in = socket.getInputStream();
            try
            {
                assertEquals(-1, in.read(), what + ": the listener answered garbage instead of closing");
            }
            catch (final SocketTimeoutException ex)
            {
                throw new AssertionError(what + ": the connection stayed open", ex);
            }
            catch (final SocketException ex)
            {
                // Reset by the listener: closed as well.
            }
        }
    }

    private static byte[] frame(final ByteBuffer body)
    {
        final ByteBuffer framed = ByteBuffer.allocate(4 + body.remaining());
        framed.putInt(body.remaining()).put(body);
        return framed.array();
    }

    private static ByteBuffer readFrame(final DataInputStream in) throws IOException
    {
        final byte[] bytes = new byte[in.readInt()];
        in.readFully(bytes);
        return ByteBuffer.wrap(bytes);
    }
}
