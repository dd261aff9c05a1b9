package dev.millrace.broker.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import org.apache.kafka.common.network.ByteBufferSend;
import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.record.internal.DefaultRecordsSend;
import org.apache.kafka.common.record.internal.UnalignedFileRecords;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The NIO listener's contract with a responder the test controls (requests are a 4-byte id, responses the id and a
 * payload): request order whatever the completion order, no bytes for a request without a response, an oversized
 * frame closing only its connection, reading stopped at the in-flight limit for a client that does not read, and a
 * response whose file region was closed before it was sent closing its connection.
 */
class NioKafkaListenerTest
{
    private static final int REQUEST_MAX_BYTES = 1024;
    private static final long DEADLINE_MS = 20_000;

    @TempDir
    Path dir;

    private NioKafkaListener listener;

    @AfterEach
    void close()
    {
        if (listener != null)
        {
            listener.close();
            assertTrue(listener.closed().toCompletableFuture().isDone(), "the selector thread ended");
        }
    }

    private NioKafkaListener bind(final int maxInFlight, final NioKafkaListener.Responder responder) throws IOException
    {
        listener = NioKafkaListener.bind(
            new KafkaListenerSettings(true, "127.0.0.1", 0, REQUEST_MAX_BYTES, maxInFlight, KafkaListenerSettings.Io.NIO),
            responder, LoggerFactory.getLogger(NioKafkaListenerTest.class));
        return listener;
    }

    private Socket connect() throws IOException
    {
        final Socket socket = new Socket("127.0.0.1", listener.localAddress().getPort());
        socket.setSoTimeout((int)DEADLINE_MS);
        return socket;
    }

    @Test
    @Timeout(60)
    void shouldWriteResponsesInRequestOrderWhenTheyCompleteInReverseAndSkipRequestsWithoutResponse() throws Exception
    {
        final Map<Integer, CompletableFuture<Send>> responses = new ConcurrentHashMap<>();
        bind(16, (request, client) ->
        {
            final CompletableFuture<Send> response = new CompletableFuture<>();
            responses.put(request.getInt(), response);
            return response;
        });
        final int requests = 8;
        try (Socket socket = connect())
        {
            final OutputStream out = socket.getOutputStream();
            for (int id = 0; id < requests; id++)
            {
                out.write(frame(id));
            }
            out.flush();
            awaitTrue(() -> responses.size() == requests, "all requests handled at once");
            // Completed last to first, on other threads; request 3 wants no response.
            for (int id = requests - 1; id >= 0; id--)
            {
                final int completed = id;
                final Send send = id == 3 ? null : response(id, 10 + id);
                CompletableFuture.runAsync(() -> responses.get(completed).complete(send)).join();
            }
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            for (int id = 0; id < requests; id++)
            {
                if (id == 3)
                {
                    continue;
                }
                final int size = in.readInt();
                assertEquals(4 + 10 + id, size);
                assertEquals(id, in.readInt(), "responses in request order");
                in.readFully(new byte[10 + id]);
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldCloseOnlyTheConnectionWithAnOversizedOrNegativeFrame() throws Exception
    {
        bind(16, (request, client) -> CompletableFuture.completedFuture(response(request.getInt(), 5)));
        try (Socket good = connect())
        {
            for (final int size : List.of(REQUEST_MAX_BYTES + 1, -1))
            {
                try (Socket bad = connect())
                {
                    bad.getOutputStream().write(ByteBuffer.allocate(4 + 8).putInt(size).array());
                    assertClosed(bad.getInputStream(), "a frame of " + size + " bytes");
                }
                good.getOutputStream().write(frame(size));
                final DataInputStream in = new DataInputStream(good.getInputStream());
                assertEquals(4 + 5, in.readInt());
                assertEquals(size, in.readInt(), "the other connection is still served");
                in.readFully(new byte[5]);
            }
        }
    }

    @Test
    @Timeout(60)
    void shouldStopReadingAClientThatDoesNotReadItsResponsesAtTheInFlightLimit() throws Exception
    {
        // Larger than any socket buffer: the first response cannot be written whole while the client does not read.
        final int responseBytes = 16 << 20;
        final int maxInFlight = 3;
        final int requests = 12;
        final AtomicInteger handled = new AtomicInteger();
        final ByteBuffer payload = ByteBuffer.allocate(responseBytes);
        bind(maxInFlight, (request, client) ->
        {
            handled.incrementAndGet();
            final ByteBuffer header = ByteBuffer.allocate(8).putInt(4 + responseBytes).putInt(request.getInt()).flip();
            return CompletableFuture.completedFuture(new ByteBufferSend(header, payload.duplicate()));
        });
        try (Socket socket = new Socket())
        {
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(new InetSocketAddress("127.0.0.1", listener.localAddress().getPort()));
            socket.setSoTimeout((int)DEADLINE_MS);
            final OutputStream out = socket.getOutputStream();
            for (int id = 0; id < requests; id++)
            {
                out.write(frame(id));
            }
            out.flush();
            awaitTrue(() -> handled.get() >= maxInFlight, "the first requests handled");
            // Nothing to wait for: the listener must not read more while the client reads nothing. A second is many
            // selector rounds; any read past the limit would show.
            for (int look = 0; look < 20; look++)
            {
                assertEquals(maxInFlight, handled.get(), "requests handled while the client reads nothing");
                Thread.sleep(50);
            }
            final DataInputStream in = new DataInputStream(socket.getInputStream());
            final byte[] body = new byte[responseBytes];
            for (int id = 0; id < requests; id++)
            {
                assertEquals(4 + responseBytes, in.readInt());
                assertEquals(id, in.readInt());
                in.readFully(body);
                assertTrue(handled.get() <= id + 1 + maxInFlight, "never more than the limit ahead of the reader");
            }
            assertEquals(requests, handled.get());
        }
    }

    @Test
    @Timeout(60)
    void shouldCloseTheConnectionWhenAResponsesFileRegionWasClosedBeforeItWasSent() throws Exception
    {
        final Path segment = dir.resolve("segment");
        Files.write(segment, new byte[4096]);
        final FileChannel file = FileChannel.open(segment, StandardOpenOption.READ);
        final CompletableFuture<Send> regionResponse = new CompletableFuture<>();
        bind(16, (request, client) ->
        {
            final int id = request.getInt();
            return id == 1 ? regionResponse : CompletableFuture.completedFuture(response(id, 1));
        });
        try (Socket deleted = connect(); Socket other = connect())
        {
            deleted.getOutputStream().write(frame(1));
            // Retention closes the segment after the fetch read the region, before the response is written.
            file.close();
            regionResponse.complete(new DefaultRecordsSend<>(new UnalignedFileRecords(file, 0, 4096)));
            assertClosed(deleted.getInputStream(), "a response whose segment was closed");

            other.getOutputStream().write(frame(2));
            final DataInputStream in = new DataInputStream(other.getInputStream());
            assertEquals(4 + 1, in.readInt());
            assertEquals(2, in.readInt());
        }
    }

    @Test
    @Timeout(60)
    void shouldStopAcceptingOnUnbindWhileOpenConnectionsGoOn() throws Exception
    {
        bind(16, (request, client) -> CompletableFuture.completedFuture(response(request.getInt(), 2)));
        try (Socket open = connect())
        {
            // Served once, so accepted: a connection still in the accept backlog is reset when the socket closes.
            open.getOutputStream().write(frame(8));
            final DataInputStream in = new DataInputStream(open.getInputStream());
            assertEquals(4 + 2, in.readInt());
            assertEquals(8, in.readInt());
            in.readFully(new byte[2]);

            listener.unbind().toCompletableFuture().get(DEADLINE_MS, TimeUnit.MILLISECONDS);
            assertThrows(ConnectException.class, () -> new Socket("127.0.0.1", listener.localAddress().getPort()).close());
            open.getOutputStream().write(frame(9));
            assertEquals(4 + 2, in.readInt());
            assertEquals(9, in.readInt());
        }
    }

    private static byte[] frame(final int id)
    {
        return ByteBuffer.allocate(8).putInt(4).putInt(id).array();
    }

    private static Send response(final int id, final int payloadBytes)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(4 + 4 + payloadBytes);
        buffer.putInt(4 + payloadBytes).putInt(id).position(0);
        return new ByteBufferSend(buffer);
    }

    private static void assertClosed(final InputStream in, final String what) throws IOException
    {
        try
        {
            while (true)
            {
                if (in.read() < 0)
                {
                    return;
                }
            }
        }
        catch (final SocketException ex)
        {
            // Reset by the listener: closed as well.
        }
    }

    private static void awaitTrue(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + DEADLINE_MS;
        while (!condition.getAsBoolean())
        {
            if (System.currentTimeMillis() > deadline)
            {
                throw new AssertionError("not within " + DEADLINE_MS + " ms: " + what);
            }
            Thread.sleep(10);
        }
    }
}
