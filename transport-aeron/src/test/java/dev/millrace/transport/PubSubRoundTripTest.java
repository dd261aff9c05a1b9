package dev.millrace.transport;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.logbuffer.FragmentHandler;
import org.agrona.BitUtil;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

/**
 * The embedded driver carries Millrace's own traffic: 10,000 messages through a publication and a subscription
 * of its client, over IPC and over UDP on loopback, in order and complete. One thread offers and polls, so
 * back-pressure is relieved by polling; waits are bounded and idle with a parking strategy, never a sleep.
 */
class PubSubRoundTripTest
{
    private static final int STREAM_ID = 1001;
    private static final int MESSAGES = 10_000;
    private static final int MESSAGE_LENGTH = 64;
    private static final long MAX_IDLE_ROUNDS = 200_000;

    @TempDir
    Path tempDir;

    @Test
    void shouldExchangeTenThousandMessagesOverIpc()
    {
        final Path dir = tempDir.resolve("ipc");
        assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
        {
            try (EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(DriverTesting.smallConfig(dir)))
            {
                assertEquals(MESSAGES, exchange(driver.aeron(), "aeron:ipc", MESSAGE_LENGTH, MESSAGES));
            }
        });
        assertFalse(Files.exists(dir));
    }

    @Test
    void shouldExchangeTenThousandMessagesOverUdpLoopback()
    {
        final Path dir = tempDir.resolve("udp");
        assertTimeoutPreemptively(Duration.ofSeconds(30), () ->
        {
            try (EmbeddedMediaDriver driver = EmbeddedMediaDriver.launch(DriverTesting.smallConfig(dir)))
            {
                final String channel = "aeron:udp?endpoint=127.0.0.1:" + freeUdpPort();
                assertEquals(MESSAGES, exchange(driver.aeron(), channel, MESSAGE_LENGTH, MESSAGES));
            }
        });
        assertFalse(Files.exists(dir));
    }

    /**
     * Sends {@code count} messages carrying their sequence number and receives them on the same thread.
     *
     * @return how many arrived, in order (an out-of-order or missing message fails the test).
     */
    static int exchange(final Aeron aeron, final String channel, final int messageLength, final int count)
    {
        final IdleStrategy idle = IdleStrategies.create(IdleStrategies.BACKOFF, IdleStrategies.Params.DEFAULTS);
        final UnsafeBuffer buffer = new UnsafeBuffer(
            ByteBuffer.allocateDirect(BitUtil.align(messageLength, BitUtil.CACHE_LINE_LENGTH)));
        final int[] received = new int[1];
        final FragmentHandler handler = (msg, offset, length, header) ->
        {
            assertEquals(messageLength, length);
            assertEquals(received[0], msg.getInt(offset), "in order, nothing lost");
            received[0]++;
        };

        try (Subscription subscription = aeron.addSubscription(channel, STREAM_ID);
            ExclusivePublication publication = aeron.addExclusivePublication(channel, STREAM_ID))
        {
            long rounds = 0;
            idle.reset();
            while (!publication.isConnected() || !subscription.isConnected())
            {
                idle.idle();
                if (++rounds > MAX_IDLE_ROUNDS)
                {
                    throw new AssertionError("publication never connected on " + channel);
                }
            }

            for (int sequence = 0; sequence < count; sequence++)
            {
                buffer.putInt(0, sequence);
                rounds = 0;
                idle.reset();
                long result;
                while ((result = publication.offer(buffer, 0, messageLength)) < 0)
                {
                    if (result == Publication.CLOSED || result == Publication.MAX_POSITION_EXCEEDED ||
                        result == Publication.NOT_CONNECTED)
                    {
                        throw new AssertionError("offer failed on " + channel + ": " + Publication.errorString(result));
                    }
                    // BACK_PRESSURED or ADMIN_ACTION: make room by consuming, then retry a bounded number of times.
                    idle.idle(subscription.poll(handler, 256));
                    if (++rounds > MAX_IDLE_ROUNDS)
                    {
                        throw new AssertionError("still " + Publication.errorString(result) + " at " + sequence);
                    }
                }
                subscription.poll(handler, 16);
            }

            rounds = 0;
            idle.reset();
            while (received[0] < count)
            {
                idle.idle(subscription.poll(handler, 256));
                if (++rounds > MAX_IDLE_ROUNDS)
                {
                    throw new AssertionError("received " + received[0] + " of " + count + " on " + channel);
                }
            }
        }
        return received[0];
    }

    static int freeUdpPort() throws Exception
    {
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            return socket.getLocalPort();
        }
    }
}
