package dev.millrace.broker.group;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock that tests move by hand. */
final class MutableClock extends Clock
{
    private volatile long nowMs;

    MutableClock(final long nowMs)
    {
        this.nowMs = nowMs;
    }

    void advance(final Duration duration)
    {
        nowMs += duration.toMillis();
    }

    @Override
    public long millis()
    {
        return nowMs;
    }

    @Override
    public Instant instant()
    {
        return Instant.ofEpochMilli(nowMs);
    }

    @Override
    public ZoneId getZone()
    {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(final ZoneId zone)
    {
        throw new UnsupportedOperationException("tests use UTC");
    }
}
