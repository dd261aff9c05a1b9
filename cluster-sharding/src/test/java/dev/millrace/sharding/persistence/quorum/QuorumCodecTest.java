package dev.millrace.sharding.persistence.quorum;

import dev.millrace.sharding.persistence.EventEnvelope;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every {@link QuorumMessage} survives an encode/decode round trip at a non-zero offset, and bad bytes are refused.
 */
class QuorumCodecTest
{
    private static final QuorumMessage.Event E1 = new QuorumMessage.Event(7, bytes("seven"));
    private static final QuorumMessage.Event E2 = new QuorumMessage.Event(8, new byte[0]);

    private static byte[] bytes(final String text)
    {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static QuorumMessage roundTrip(final QuorumMessage message)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(16);
        final int offset = 13;
        final int length = QuorumCodec.encode(message, buffer, offset);
        // Decode from a copy, as the egress hands over another buffer.
        final UnsafeBuffer copy = new UnsafeBuffer(Arrays.copyOfRange(buffer.byteArray(), 0, offset + length));
        return QuorumCodec.decode(copy, offset, length);
    }

    private static void assertEvents(final List<QuorumMessage.Event> expected, final List<QuorumMessage.Event> actual)
    {
        assertEquals(expected.size(), actual.size());
        for (int i = 0; i < expected.size(); i++)
        {
            assertEquals(expected.get(i).sequenceNr(), actual.get(i).sequenceNr());
            assertArrayEquals(expected.get(i).body(), actual.get(i).body());
        }
    }

    @Test
    void shouldRoundTripWrite()
    {
        final QuorumMessage.Write write = new QuorumMessage.Write(42, List.of(
            new QuorumMessage.AtomicEntry("pid-ü", 7, 8, List.of(E1, E2)),
            new QuorumMessage.AtomicEntry("rejected", 3, 4, List.of())));

        final QuorumMessage.Write decoded = (QuorumMessage.Write)roundTrip(write);

        assertEquals(42, decoded.correlationId());
        assertEquals(2, decoded.entries().size());
        assertEquals("pid-ü", decoded.entries().get(0).persistenceId());
        assertEquals(7, decoded.entries().get(0).firstSequenceNr());
        assertEquals(8, decoded.entries().get(0).lastSequenceNr());
        assertEvents(List.of(E1, E2), decoded.entries().get(0).events());
        assertEquals(List.of(), decoded.entries().get(1).events());
        assertEquals(false, decoded.repeat());

        final QuorumMessage.Write repeat = (QuorumMessage.Write)roundTrip(write.asRepeat());
        assertEquals(true, repeat.repeat(), "a re-sent write stays marked as a repeat");
        assertEquals(42, repeat.correlationId());
        assertEvents(List.of(E1, E2), repeat.entries().get(0).events());
    }

    @Test
    void shouldRoundTripCommandsWithoutBodies()
    {
        assertEquals(new QuorumMessage.DeleteTo(1, "p", Long.MAX_VALUE), roundTrip(new QuorumMessage.DeleteTo(1, "p", Long.MAX_VALUE)));
        assertEquals(new QuorumMessage.ReadHighest(2, "p"), roundTrip(new QuorumMessage.ReadHighest(2, "p")));
        assertEquals(new QuorumMessage.Replay(3, "p", 1, 9, 5), roundTrip(new QuorumMessage.Replay(3, "p", 1, 9, 5)));
        assertEquals(new QuorumMessage.DeleteSnapshot(4, "p", 10, 0), roundTrip(new QuorumMessage.DeleteSnapshot(4, "p", 10, 0)));
        assertEquals(new QuorumMessage.DeleteSnapshots(5, "p", 1, 2, 3, 4),
            roundTrip(new QuorumMessage.DeleteSnapshots(5, "p", 1, 2, 3, 4)));
        assertEquals(new QuorumMessage.LoadSnapshot(6, "p", 1, 2, 3, 4, 5, 6),
            roundTrip(new QuorumMessage.LoadSnapshot(6, "p", 1, 2, 3, 4, 5, 6)));
        assertEquals(new QuorumMessage.Done(7), roundTrip(new QuorumMessage.Done(7)));
        assertEquals(new QuorumMessage.Highest(8, 99), roundTrip(new QuorumMessage.Highest(8, 99)));
        assertEquals(new QuorumMessage.StateStream("p", 10, 4), roundTrip(new QuorumMessage.StateStream("p", 10, 4)));
        assertEquals(new QuorumMessage.StateEnd(3), roundTrip(new QuorumMessage.StateEnd(3)));
    }

    @Test
    void shouldRoundTripMessagesWithBodies()
    {
        final QuorumMessage.SaveSnapshot save = (QuorumMessage.SaveSnapshot)roundTrip(
            new QuorumMessage.SaveSnapshot(9, "p", 10, 1234, bytes("state")));
        assertEquals(10, save.sequenceNr());
        assertEquals(1234, save.timestamp());
        assertArrayEquals(bytes("state"), save.body());

        final QuorumMessage.SnapshotLoaded found = (QuorumMessage.SnapshotLoaded)roundTrip(
            new QuorumMessage.SnapshotLoaded(10, 20, 30, bytes("s")));
        assertEquals(20, found.sequenceNr());
        assertArrayEquals(bytes("s"), found.body());
        assertNull(((QuorumMessage.SnapshotLoaded)roundTrip(new QuorumMessage.SnapshotLoaded(11, 0, 0, null))).body());

        final QuorumMessage.ReplayChunk chunk = (QuorumMessage.ReplayChunk)roundTrip(
            new QuorumMessage.ReplayChunk(12, true, List.of(E1, E2)));
        assertTrue(chunk.last());
        assertEvents(List.of(E1, E2), chunk.events());

        final QuorumMessage.WriteResult result = (QuorumMessage.WriteResult)roundTrip(
            new QuorumMessage.WriteResult(13, Arrays.asList(null, "refused", null)));
        assertEquals(Arrays.asList(null, "refused", null), result.refusals());

        final QuorumMessage.StateEvents events = (QuorumMessage.StateEvents)roundTrip(
            new QuorumMessage.StateEvents("p", List.of(E1)));
        assertEvents(List.of(E1), events.events());
        final QuorumMessage.StateSnapshotEntry entry = (QuorumMessage.StateSnapshotEntry)roundTrip(
            new QuorumMessage.StateSnapshotEntry("p", 5, 6, bytes("x")));
        assertArrayEquals(bytes("x"), entry.body());
    }

    @Test
    void shouldRefuseUnknownVersionTypeAndTrailingBytes()
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64);
        final int length = QuorumCodec.encode(new QuorumMessage.Done(1), buffer, 0);

        buffer.putByte(0, (byte)9);
        assertThrows(IllegalStateException.class, () -> QuorumCodec.decode(buffer, 0, length));
        buffer.putByte(0, QuorumCodec.VERSION);
        buffer.putByte(1, (byte)99);
        assertThrows(IllegalStateException.class, () -> QuorumCodec.decode(buffer, 0, length));
        buffer.putByte(1, QuorumCodec.DONE);
        assertThrows(IllegalStateException.class, () -> QuorumCodec.decode(buffer, 0, length + 1));
    }

    @Test
    void shouldRoundTripEventEnvelope()
    {
        final EventEnvelope event = new EventEnvelope(17, "m", "adapter", "writer", 123L, Set.of("a", "b"), bytes("p"));

        final EventEnvelope decoded = EventEnvelope.decode(event.encode());

        assertEquals(17, decoded.serializerId());
        assertEquals("m", decoded.serializerManifest());
        assertEquals("adapter", decoded.adapterManifest());
        assertEquals("writer", decoded.writerUuid());
        assertEquals(123L, decoded.timestamp());
        assertEquals(Set.of("a", "b"), decoded.tags());
        assertArrayEquals(bytes("p"), decoded.payload());
    }
}
