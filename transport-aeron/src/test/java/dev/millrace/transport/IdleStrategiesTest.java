package dev.millrace.transport;

import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.BusySpinIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpIdleStrategy;
import org.agrona.concurrent.SleepingIdleStrategy;
import org.agrona.concurrent.YieldingIdleStrategy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(10)
class IdleStrategiesTest
{
    @Test
    void shouldCreateEachNamedStrategy()
    {
        final IdleStrategies.Params params = IdleStrategies.Params.DEFAULTS;
        assertInstanceOf(SleepingIdleStrategy.class, IdleStrategies.create("sleeping", params));
        assertInstanceOf(BackoffIdleStrategy.class, IdleStrategies.create("backoff", params));
        assertInstanceOf(YieldingIdleStrategy.class, IdleStrategies.create("yielding", params));
        assertInstanceOf(BusySpinIdleStrategy.class, IdleStrategies.create("busy-spin", params));
        assertInstanceOf(NoOpIdleStrategy.class, IdleStrategies.create("noop", params));
    }

    @Test
    void shouldCreateANewStatefulInstancePerCall()
    {
        final IdleStrategy first = IdleStrategies.create("backoff", IdleStrategies.Params.DEFAULTS);
        final IdleStrategy second = IdleStrategies.create("backoff", IdleStrategies.Params.DEFAULTS);
        assertNotSame(first, second);
    }

    @Test
    void shouldPassParksToTheStrategies()
    {
        final IdleStrategies.Params params = new IdleStrategies.Params(2_000_000, 3, 4, 5_000, 6_000_000);
        final String sleeping = IdleStrategies.create("sleeping", params).toString();
        assertTrue(sleeping.contains("2000000"), sleeping);
        final String backoff = IdleStrategies.create("backoff", params).toString();
        assertTrue(backoff.contains("6000000"), backoff);
    }

    @Test
    void shouldRejectUnknownNameListingTheKnownOnes()
    {
        final IllegalArgumentException ex = assertThrows(
            IllegalArgumentException.class, () -> IdleStrategies.create("spinny", IdleStrategies.Params.DEFAULTS));
        assertEquals("'spinny' is not one of [sleeping, backoff, yielding, busy-spin, noop]", ex.getMessage());
    }

    @Test
    void shouldClassifyBusyStrategies()
    {
        assertTrue(IdleStrategies.isBusy("busy-spin"));
        assertTrue(IdleStrategies.isBusy("noop"));
        assertTrue(IdleStrategies.isBusy("yielding"));
        assertFalse(IdleStrategies.isBusy("sleeping"));
        assertFalse(IdleStrategies.isBusy("backoff"));
    }

    @Test
    void shouldRejectParamsOutOfRange()
    {
        assertThrows(IllegalArgumentException.class, () -> new IdleStrategies.Params(0, 1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new IdleStrategies.Params(1, -1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new IdleStrategies.Params(1, 1, -1, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> new IdleStrategies.Params(1, 1, 1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> new IdleStrategies.Params(1, 1, 1, 10, 5));
    }
}
