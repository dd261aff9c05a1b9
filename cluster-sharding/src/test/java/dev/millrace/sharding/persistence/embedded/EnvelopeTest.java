package dev.millrace.sharding.persistence.embedded;

import dev.millrace.sharding.persistence.EventEnvelope;
import org.junit.jupiter.api.Test;

import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EnvelopeTest
{
    @Test
    void shouldRoundTripEventEnvelope()
    {
        final EventEnvelope envelope = new EventEnvelope(
            42, "ser-manifest", "adapter-ü", "writer-uuid", 1_700_000_000_123L, Set.of("b", "a"), new byte[] {1, 2, 3});

        final EventEnvelope decoded = EventEnvelope.decode(envelope.encode());

        assertEquals(42, decoded.serializerId());
        assertEquals("ser-manifest", decoded.serializerManifest());
        assertEquals("adapter-ü", decoded.adapterManifest());
        assertEquals("writer-uuid", decoded.writerUuid());
        assertEquals(1_700_000_000_123L, decoded.timestamp());
        assertEquals(Set.of("a", "b"), decoded.tags());
        assertArrayEquals(new byte[] {1, 2, 3}, decoded.payload());
    }

    @Test
    void shouldRefuseUnknownEventEnvelopeVersion()
    {
        final byte[] bytes = new EventEnvelope(1, "", "", "", 0L, Set.of(), new byte[0]).encode();
        bytes[0] = 2;

        final IllegalStateException ex = assertThrows(IllegalStateException.class, () -> EventEnvelope.decode(bytes));
        assertTrue(ex.getMessage().contains("version 2"), ex.getMessage());
    }

    @Test
    void shouldRefuseTruncatedEventEnvelope()
    {
        final byte[] bytes = new EventEnvelope(1, "m", "", "", 0L, Set.of(), new byte[] {9, 9, 9}).encode();
        final byte[] truncated = java.util.Arrays.copyOf(bytes, bytes.length - 1);

        assertThrows(IllegalStateException.class, () -> EventEnvelope.decode(truncated));
    }

    @Test
    void shouldRoundTripSnapshotEnvelope()
    {
        final SnapshotEnvelope decoded = SnapshotEnvelope.decode(new SnapshotEnvelope(7, "m", new byte[] {5}).encode());

        assertEquals(7, decoded.serializerId());
        assertEquals("m", decoded.serializerManifest());
        assertArrayEquals(new byte[] {5}, decoded.payload());
    }

    @Test
    void shouldOrderEventKeysBySequenceNumberWithinPersistenceId()
    {
        final byte[] low = JournalKeyDescriptor.eventKey(1, 255);
        final byte[] high = JournalKeyDescriptor.eventKey(1, 256);
        final byte[] nextPid = JournalKeyDescriptor.eventKey(2, 1);

        assertTrue(java.util.Arrays.compareUnsigned(low, high) < 0);
        assertTrue(java.util.Arrays.compareUnsigned(high, nextPid) < 0);
        assertEquals(1, JournalKeyDescriptor.pidId(high));
        assertEquals(256, JournalKeyDescriptor.sequenceNr(high));
    }

    @Test
    void shouldKeepSnapshotKeysOfPrefixPersistenceIdsApart()
    {
        final byte[] shortPid = SnapshotEnvelope.pidPrefix("a");
        final byte[] longPid = SnapshotEnvelope.pidPrefix("ab");
        final byte[] key = SnapshotEnvelope.key(longPid, 1, 2);

        assertTrue(SnapshotEnvelope.hasPrefix(key, longPid));
        assertTrue(!SnapshotEnvelope.hasPrefix(key, shortPid));
        assertEquals(1, SnapshotEnvelope.sequenceNr(key));
        assertEquals(2, SnapshotEnvelope.timestamp(key));
    }
}
