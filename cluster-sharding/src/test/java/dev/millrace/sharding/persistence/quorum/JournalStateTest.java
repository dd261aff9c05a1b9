package dev.millrace.sharding.persistence.quorum;

import org.agrona.ExpandableArrayBuffer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The replicated state machine on its own, stepped single-threaded: fencing by sequence number, deletes, snapshot
 * store selection and the service snapshot round trip.
 */
class JournalStateTest
{
    private final JournalState state = new JournalState();

    private static QuorumMessage.AtomicEntry entry(final String pid, final long first, final long last)
    {
        final List<QuorumMessage.Event> events = new ArrayList<>();
        for (long s = first; s <= last; s++)
        {
            events.add(new QuorumMessage.Event(s, (pid + "-" + s).getBytes(StandardCharsets.UTF_8)));
        }
        return new QuorumMessage.AtomicEntry(pid, first, last, events);
    }

    private List<Long> replayAll(final JournalState from, final String pid)
    {
        final List<Long> sequenceNrs = new ArrayList<>();
        from.replay(pid, 0, Long.MAX_VALUE, Long.MAX_VALUE, (event) -> sequenceNrs.add(event.sequenceNr()));
        return sequenceNrs;
    }

    @Test
    void shouldAcceptOnlyTheNextSequenceNumber()
    {
        assertEquals(Arrays.asList((String)null), state.write(List.of(entry("p", 1, 3))));

        final List<String> stale = state.write(List.of(entry("p", 2, 2)));
        final List<String> gap = state.write(List.of(entry("p", 5, 5)));

        assertNotNull(stale.get(0));
        assertTrue(stale.get(0).contains("next sequence number is 4"), stale.get(0));
        assertNotNull(gap.get(0));
        assertEquals(List.of(1L, 2L, 3L), replayAll(state, "p"));
        assertEquals(3L, state.highest("p"));
    }

    @Test
    void shouldAcknowledgeARepeatOfTheLastWriteWithoutStoringItAgain()
    {
        state.write(List.of(entry("p", 1, 2)));
        state.write(List.of(entry("p", 3, 4), entry("p", 5, 5), entry("q", 1, 1)));

        // Not marked as a repeat: refused like any stale write.
        assertNotNull(state.write(List.of(entry("p", 5, 5)), false).get(0));
        // Re-sent by the client after a failover: the same bytes, ending at each stream's highest.
        assertEquals(Arrays.asList(null, null, null),
            state.write(List.of(entry("p", 3, 4), entry("p", 5, 5), entry("q", 1, 1)), true));
        assertEquals(List.of(1L, 2L, 3L, 4L, 5L), replayAll(state, "p"));
        assertEquals(5L, state.highest("p"));
    }

    @Test
    void shouldRefuseARepeatThatIsNotTheLastWriteOrHasOtherBytes()
    {
        state.write(List.of(entry("p", 1, 2)));
        state.write(List.of(entry("p", 3, 3)));

        // Written over since: a stale writer.
        assertNotNull(state.write(List.of(entry("p", 1, 2)), true).get(0));
        // Another writer's bytes for the same sequence numbers.
        final QuorumMessage.AtomicEntry other = new QuorumMessage.AtomicEntry("p", 3, 3,
            List.of(new QuorumMessage.Event(3, "other-writer".getBytes(StandardCharsets.UTF_8))));
        assertNotNull(state.write(List.of(other), true).get(0));
        assertEquals(List.of(1L, 2L, 3L), replayAll(state, "p"));
    }

    @Test
    void shouldJudgeEntriesOfOneWriteOneByOne()
    {
        final List<String> results = state.write(List.of(entry("p", 1, 2), entry("p", 7, 7), entry("p", 3, 3)));

        assertNull(results.get(0));
        assertNotNull(results.get(1));
        assertNull(results.get(2));
        assertEquals(List.of(1L, 2L, 3L), replayAll(state, "p"));
    }

    @Test
    void shouldMovePastRejectedWriteWithoutStoringIt()
    {
        state.write(List.of(entry("p", 1, 1), new QuorumMessage.AtomicEntry("p", 2, 3, List.of()), entry("p", 4, 4)));

        assertEquals(List.of(1L, 4L), replayAll(state, "p"));
        assertEquals(4L, state.highest("p"));
    }

    @Test
    void shouldDeleteUpToHighestOnlyAndKeepHighest()
    {
        state.write(List.of(entry("p", 1, 3)));

        state.deleteTo("p", Long.MAX_VALUE);
        state.write(List.of(entry("p", 4, 5)));

        assertEquals(List.of(4L, 5L), replayAll(state, "p"));
        assertEquals(5L, state.highest("p"));
    }

    @Test
    void shouldReplayWithinBoundsAndMax()
    {
        state.write(List.of(entry("p", 1, 10)));
        final List<Long> replayed = new ArrayList<>();

        state.replay("p", 3, 8, 4, (event) -> replayed.add(event.sequenceNr()));

        assertEquals(List.of(3L, 4L, 5L, 6L), replayed);
    }

    @Test
    void shouldSelectNewestMatchingSnapshotBeforeCursor()
    {
        state.saveSnapshot("p", 10, 100, new byte[] {1});
        state.saveSnapshot("p", 20, 200, new byte[] {2});
        state.saveSnapshot("p", 30, 300, new byte[] {3});

        final QuorumMessage.SnapshotLoaded latest = state.loadSnapshot(
            new QuorumMessage.LoadSnapshot(1, "p", 0, Long.MAX_VALUE, 0, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE));
        final QuorumMessage.SnapshotLoaded beforeLatest = state.loadSnapshot(
            new QuorumMessage.LoadSnapshot(2, "p", 0, Long.MAX_VALUE, 0, Long.MAX_VALUE, 30, 300));
        final QuorumMessage.SnapshotLoaded bounded = state.loadSnapshot(
            new QuorumMessage.LoadSnapshot(3, "p", 0, 25, 0, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE));

        assertEquals(30, latest.sequenceNr());
        assertEquals(20, beforeLatest.sequenceNr());
        assertEquals(20, bounded.sequenceNr());
        state.deleteSnapshot("p", 20, 0);
        assertEquals(10, state.loadSnapshot(new QuorumMessage.LoadSnapshot(
            4, "p", 0, 25, 0, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE)).sequenceNr());
        state.deleteSnapshots(new QuorumMessage.DeleteSnapshots(5, "p", 0, Long.MAX_VALUE, 0, Long.MAX_VALUE));
        assertNull(state.loadSnapshot(new QuorumMessage.LoadSnapshot(
            6, "p", 0, Long.MAX_VALUE, 0, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE)).body());
    }

    @Test
    void shouldRestoreEverythingFromItsSnapshotRecordsInBoundedChunks()
    {
        for (int p = 0; p < 3; p++)
        {
            state.write(List.of(entry("p" + p, 1, 50)));
        }
        state.deleteTo("p0", 10);
        state.saveSnapshot("p1", 50, 5, new byte[] {9});
        final List<QuorumMessage> records = new ArrayList<>();
        final int maxChunkBytes = 256;

        state.writeTo(maxChunkBytes, (record) -> records.add(roundTrip(record)));

        final JournalState restored = new JournalState();
        boolean ended = false;
        for (final QuorumMessage record : records)
        {
            if (record instanceof QuorumMessage.StateEvents events)
            {
                final int bytes = events.events().stream().mapToInt((e) -> QuorumCodec.EVENT_OVERHEAD + e.body().length).sum();
                assertTrue(events.events().size() == 1 || bytes <= maxChunkBytes, "chunk of " + bytes + " bytes");
            }
            ended = restored.load(record);
        }
        assertTrue(ended);
        assertEquals(40, replayAll(restored, "p0").size());
        assertEquals(50L, restored.highest("p0"));
        assertEquals(replayAll(state, "p2"), replayAll(restored, "p2"));
        assertArrayEquals(new byte[] {9}, restored.loadSnapshot(new QuorumMessage.LoadSnapshot(
            1, "p1", 0, Long.MAX_VALUE, 0, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE)).body());
        assertEquals(Arrays.asList((String)null), restored.write(List.of(entry("p0", 51, 51))));
    }

    @Test
    void shouldRefuseSnapshotWhoseEndDoesNotMatch()
    {
        final JournalState restored = new JournalState();
        restored.load(new QuorumMessage.StateStream("p", 1, 0));

        assertThrows(IllegalStateException.class, () -> restored.load(new QuorumMessage.StateEnd(2)));
    }

    private static QuorumMessage roundTrip(final QuorumMessage record)
    {
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(64);
        final int length = QuorumCodec.encode(record, buffer, 0);
        return QuorumCodec.decode(buffer, 0, length);
    }
}
