package dev.millrace.broker.node;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import dev.millrace.broker.controller.ControllerProtocol;
import dev.millrace.broker.controller.ControllerProtocol.GetMetadata;
import org.junit.jupiter.api.Test;

class PendingCommandsTest
{
    private static final long MS = 1_000_000L;

    private static ControllerProtocol command()
    {
        return new GetMetadata(null);
    }

    @Test
    void dropsTheOldestBeyondCapacityAndDrainsInOrder()
    {
        final PendingCommands pending = new PendingCommands(Duration.ofSeconds(1), 2);
        final ControllerProtocol first = command();
        final ControllerProtocol second = command();
        final ControllerProtocol third = command();
        assertFalse(pending.add(first, 0));
        assertFalse(pending.add(second, 0));
        assertTrue(pending.add(third, 0), "full: the oldest goes");
        final List<ControllerProtocol> drained = new ArrayList<>();
        pending.drainTo(drained::add);
        assertEquals(2, drained.size());
        assertTrue(drained.get(0) == second && drained.get(1) == third, "oldest first, the first one dropped");
        assertEquals(0, pending.size());
    }

    @Test
    void expiresCommandsAfterTheirTimeout()
    {
        final PendingCommands pending = new PendingCommands(Duration.ofMillis(100), 10);
        pending.add(command(), 0);
        pending.add(command(), 50 * MS);
        assertEquals(0, pending.expire(99 * MS));
        assertEquals(1, pending.expire(100 * MS));
        assertEquals(1, pending.size());
        assertEquals(1, pending.expire(150 * MS));
        assertEquals(0, pending.size());
    }

    @Test
    void refusesANonPositiveCapacity()
    {
        assertThrows(IllegalArgumentException.class, () -> new PendingCommands(Duration.ofSeconds(1), 0));
    }
}
