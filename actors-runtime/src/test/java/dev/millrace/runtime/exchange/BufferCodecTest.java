package dev.millrace.runtime.exchange;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.millrace.runtime.execution.Buffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A buffer survives encoding element for element; bad sizes and bad bytes fail naming the problem. */
class BufferCodecTest
{
    /** A user type no registration table knows. */
    record Bid(String bidder, long price, List<String> tags)
    {
    }

    /** A plain class without a no-argument constructor. */
    static final class Point
    {
        private final int x;
        private final int y;

        Point(final int x, final int y)
        {
            this.x = x;
            this.y = y;
        }
    }

    @Test
    void shouldRoundTripRecordsAndControlElementsInOrder()
    {
        final BufferCodec sender = new BufferCodec(getClass().getClassLoader(), 256 * 1024);
        final BufferCodec receiver = new BufferCodec(getClass().getClassLoader(), 256 * 1024);
        final Buffer buffer = new Buffer(8);
        final Bid bid = new Bid("alice", 42, List.of("a", "b"));
        buffer.add(Buffer.RECORD, bid, 1_000);
        buffer.add(Buffer.WATERMARK, null, 999);
        buffer.add(Buffer.RECORD, new Point(3, 4), 1_001);
        buffer.add(Buffer.RECORD, Map.of("k", 7L), Long.MIN_VALUE);
        buffer.add(Buffer.IDLE, null, 0);
        buffer.add(Buffer.ACTIVE, null, 0);
        buffer.add(Buffer.END_OF_INPUT, null, 0);

        final Buffer copy = receiver.decode(sender.encode(buffer));

        assertEquals(buffer.size(), copy.size());
        assertEquals(3, copy.recordCount());
        for (int i = 0; i < buffer.size(); i++)
        {
            assertEquals(buffer.kind(i), copy.kind(i), "kind " + i);
            assertEquals(buffer.timestamp(i), copy.timestamp(i), "timestamp " + i);
        }
        assertEquals(bid, copy.value(0));
        assertNotSame(bid, copy.value(0));
        assertNull(copy.value(1));
        final Point point = (Point) copy.value(2);
        assertEquals(3, point.x);
        assertEquals(4, point.y);
        assertEquals(Map.of("k", 7L), copy.value(3));
        // The codec's output buffer is reused: a second, different buffer still encodes on its own.
        final Buffer second = new Buffer(1);
        second.add(Buffer.RECORD, "x", 5);
        assertEquals("x", receiver.decode(sender.encode(second)).value(0));
    }

    @Test
    void shouldWriteARecordTypesClassNameOncePerBuffer()
    {
        final BufferCodec sender = new BufferCodec(getClass().getClassLoader(), 256 * 1024);
        final BufferCodec receiver = new BufferCodec(getClass().getClassLoader(), 256 * 1024);
        for (int round = 0; round < 2; round++)
        {
            final Buffer buffer = new Buffer(100);
            for (int i = 0; i < 100; i++)
            {
                buffer.add(Buffer.RECORD, new Bid("b" + i, i, List.of()), i);
            }
            final byte[] bytes = sender.encode(buffer);
            final int nameLength = Bid.class.getName().length();
            assertTrue(bytes.length < nameLength * 3 + 100 * 20, bytes.length + " bytes: the name is not repeated");
            // Each buffer stands alone: a fresh receiver (another node, or after a restart) can read it.
            assertEquals(new Bid("b99", 99, List.of()), receiver.decode(bytes).value(99));
            assertEquals(new Bid("b0", 0, List.of()),
                new BufferCodec(getClass().getClassLoader(), 256 * 1024).decode(bytes).value(0));
        }
    }

    @Test
    void shouldRefuseABufferLargerThanARemoteMessageNamingTheSettings()
    {
        final BufferCodec codec = new BufferCodec(getClass().getClassLoader(), 1_024);
        final Buffer buffer = new Buffer(4);
        buffer.add(Buffer.RECORD, "x".repeat(2_000), 1);
        final ExchangeEncodingException e = assertThrows(ExchangeEncodingException.class, () -> codec.encode(buffer));
        assertTrue(e.getMessage().contains("millrace.runtime.exchange.buffer-records"), e.getMessage());
        assertTrue(e.getMessage().contains("pekko.remote.artery.advanced.maximum-frame-size"), e.getMessage());
    }

    /** A node of a cyclic graph. */
    static final class Node
    {
        private Node next;
    }

    @Test
    void shouldRefuseACyclicRecordNamingItsType()
    {
        final BufferCodec codec = new BufferCodec(getClass().getClassLoader(), 256 * 1024);
        final Node node = new Node();
        node.next = node;
        final Buffer buffer = new Buffer(1);
        buffer.add(Buffer.RECORD, node, 1);
        final ExchangeEncodingException e = assertThrows(ExchangeEncodingException.class, () -> codec.encode(buffer));
        assertTrue(e.getMessage().contains(Node.class.getName()), e.getMessage());
        // The codec still works afterwards.
        final Buffer plain = new Buffer(1);
        plain.add(Buffer.RECORD, "ok", 2);
        assertEquals("ok", codec.decode(codec.encode(plain)).value(0));
    }

    @Test
    void shouldRefuseBytesThatAreNotAnEncodedBuffer()
    {
        final BufferCodec codec = new BufferCodec(getClass().getClassLoader(), 1_024);
        final ExchangeEncodingException version = assertThrows(ExchangeEncodingException.class,
            () -> codec.decode(new byte[] {9, 0, 0, 0, 0}));
        assertTrue(version.getMessage().contains("version 9"), version.getMessage());
        final Buffer buffer = new Buffer(1);
        buffer.add(Buffer.RECORD, "abc", 1);
        final byte[] bytes = codec.encode(buffer);
        final byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 2);
        assertThrows(ExchangeEncodingException.class, () -> codec.decode(truncated));
    }
}
