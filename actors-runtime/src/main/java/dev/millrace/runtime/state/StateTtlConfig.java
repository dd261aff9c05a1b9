package dev.millrace.runtime.state;

import java.time.Duration;

/**
 * Time-to-live of keyed state, as in Flink: an entry (a value, a list element, a map entry) expires
 * {@link #timeToLive()} after it was last written — or also read, with {@link UpdateType#ON_READ_AND_WRITE}.
 * Time is the operator instance's processing-time clock (injectable: {@code LocalJobRunner.submit(system,
 * graph, clock)}).
 *
 * <p>Cleanup: an expired entry is removed when it is read (always), and, with {@link #cleanupFullSnapshot()},
 * left out of every snapshot (the live state keeps it until it is read). Nothing sweeps state in the
 * background, so a key that is never read again keeps its expired entries until a snapshot/restore.
 *
 * <pre>
 * ValueStateDescriptor&lt;Long&gt; lastSeen = new ValueStateDescriptor&lt;&gt;("last-seen", Long.class);
 * lastSeen.enableTimeToLive(StateTtlConfig.newBuilder(Duration.ofHours(1))
 *     .setUpdateType(StateTtlConfig.UpdateType.ON_READ_AND_WRITE)
 *     .setStateVisibility(StateTtlConfig.StateVisibility.NEVER_RETURN_EXPIRED)
 *     .cleanupFullSnapshot()
 *     .build());
 * </pre>
 *
 * <p>Threading: immutable.
 *
 * @param timeToLive          how long an entry lives after its last update; positive
 * @param updateType          what refreshes an entry's timestamp
 * @param stateVisibility     whether an expired entry that is still stored may be returned
 * @param cleanupFullSnapshot whether snapshots leave expired entries out
 */
public record StateTtlConfig(Duration timeToLive, UpdateType updateType, StateVisibility stateVisibility,
                             boolean cleanupFullSnapshot)
{
    /** What refreshes an entry's last-access timestamp. */
    public enum UpdateType
    {
        /** Creating and writing an entry (Flink's OnCreateAndWrite); the default. */
        ON_CREATE_AND_WRITE,
        /** Creating, writing and reading it (Flink's OnReadAndWrite). */
        ON_READ_AND_WRITE
    }

    /** Whether an expired entry that was not cleaned up yet may be returned. */
    public enum StateVisibility
    {
        /** An expired entry reads as absent; the default. */
        NEVER_RETURN_EXPIRED,
        /** The read that finds an expired entry still returns it (and removes it); later reads do not. */
        RETURN_EXPIRED_IF_NOT_CLEANED_UP
    }

    public StateTtlConfig
    {
        if (timeToLive == null || timeToLive.isNegative() || timeToLive.isZero())
        {
            throw new IllegalArgumentException("state time-to-live must be positive: " + timeToLive);
        }
        if (updateType == null || stateVisibility == null)
        {
            throw new IllegalArgumentException("state TTL update type and visibility must not be null");
        }
    }

    /**
     * @param timeToLive how long an entry lives after its last update
     * @return a builder with {@link UpdateType#ON_CREATE_AND_WRITE}, {@link StateVisibility#NEVER_RETURN_EXPIRED}
     *         and no full-snapshot cleanup
     */
    public static Builder newBuilder(final Duration timeToLive)
    {
        return new Builder(timeToLive);
    }

    /** Builds a {@link StateTtlConfig}. */
    public static final class Builder
    {
        private final Duration timeToLive;
        private UpdateType updateType = UpdateType.ON_CREATE_AND_WRITE;
        private StateVisibility stateVisibility = StateVisibility.NEVER_RETURN_EXPIRED;
        private boolean cleanupFullSnapshot;

        private Builder(final Duration timeToLive)
        {
            this.timeToLive = timeToLive;
        }

        /** @param type what refreshes an entry @return this */
        public Builder setUpdateType(final UpdateType type)
        {
            this.updateType = type;
            return this;
        }

        /** @param visibility whether expired entries may be returned @return this */
        public Builder setStateVisibility(final StateVisibility visibility)
        {
            this.stateVisibility = visibility;
            return this;
        }

        /** Leaves expired entries out of snapshots. @return this */
        public Builder cleanupFullSnapshot()
        {
            this.cleanupFullSnapshot = true;
            return this;
        }

        /** @return the configuration */
        public StateTtlConfig build()
        {
            return new StateTtlConfig(timeToLive, updateType, stateVisibility, cleanupFullSnapshot);
        }
    }
}
