package dev.millrace.runtime.state;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The time-to-live rules of one state ({@link StateTtlConfig}) against the instance's processing-time clock:
 * wrapping values with their timestamp, deciding expiry, and reading a single wrapped value with cleanup on
 * read.
 */
final class TtlSupport
{
    private final String stateName;
    private final long ttlMs;
    private final boolean updateOnRead;
    private final boolean returnExpired;
    private final LongSupplier clockMs;

    TtlSupport(final String stateName, final StateTtlConfig config, final LongSupplier clockMs)
    {
        this.stateName = stateName;
        this.ttlMs = config.timeToLive().toMillis();
        this.updateOnRead = config.updateType() == StateTtlConfig.UpdateType.ON_READ_AND_WRITE;
        this.returnExpired = config.stateVisibility() == StateTtlConfig.StateVisibility.RETURN_EXPIRED_IF_NOT_CLEANED_UP;
        this.clockMs = clockMs;
    }

    TtlValue wrap(final Object value)
    {
        return new TtlValue(value, clockMs.getAsLong());
    }

    boolean updateOnRead()
    {
        return updateOnRead;
    }

    boolean returnExpired()
    {
        return returnExpired;
    }

    boolean expired(final TtlValue value)
    {
        return expired(value, clockMs.getAsLong());
    }

    boolean expired(final TtlValue value, final long nowMs)
    {
        return nowMs - value.lastAccessMs() >= ttlMs;
    }

    long nowMs()
    {
        return clockMs.getAsLong();
    }

    TtlValue cast(final Object stored)
    {
        if (stored instanceof TtlValue value)
        {
            return value;
        }
        throw new IllegalStateException("state " + stateName + " has a time-to-live but holds a value written "
            + "without one (" + stored.getClass().getName() + "); restore it into a state without TTL");
    }

    /**
     * Reads one wrapped value: an expired one is removed (and returned only with
     * RETURN_EXPIRED_IF_NOT_CLEANED_UP), a live one gets a new timestamp under ON_READ_AND_WRITE.
     */
    Object read(final ValueStore store, final Object namespace)
    {
        final Object stored = store.get(namespace);
        if (stored == null)
        {
            return null;
        }
        final TtlValue value = cast(stored);
        if (expired(value))
        {
            store.put(namespace, null);
            return returnExpired ? value.value() : null;
        }
        if (updateOnRead)
        {
            store.put(namespace, wrap(value.value()));
        }
        return value.value();
    }

    /** Reads one wrapped value to update it: an expired one counts as absent and is not refreshed. */
    Object readForUpdate(final ValueStore store, final Object namespace)
    {
        final Object stored = store.get(namespace);
        if (stored == null)
        {
            return null;
        }
        final TtlValue value = cast(stored);
        return expired(value) ? null : value.value();
    }

    /**
     * @param stored a stored object of this state's kind
     * @param kind   the state's kind
     * @param nowMs  the time to judge by
     * @return the object without its expired parts, or null when nothing is left (for full-snapshot cleanup)
     */
    @SuppressWarnings("unchecked")
    Object withoutExpired(final Object stored, final String kind, final long nowMs)
    {
        switch (kind)
        {
            case "list":
            {
                final ArrayList<Object> live = new ArrayList<>();
                for (final Object element : (List<Object>) stored)
                {
                    if (!expired(cast(element), nowMs))
                    {
                        live.add(element);
                    }
                }
                return live.isEmpty() ? null : live;
            }
            case "map":
            {
                final HashMap<Object, Object> live = new HashMap<>();
                for (final Map.Entry<Object, Object> entry : ((Map<Object, Object>) stored).entrySet())
                {
                    if (!expired(cast(entry.getValue()), nowMs))
                    {
                        live.put(entry.getKey(), entry.getValue());
                    }
                }
                return live.isEmpty() ? null : live;
            }
            default:
                return expired(cast(stored), nowMs) ? null : stored;
        }
    }
}
