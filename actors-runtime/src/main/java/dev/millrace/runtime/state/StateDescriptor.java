package dev.millrace.runtime.state;

/**
 * Names a piece of keyed state and its kind. Two requests with the same name share the state; asking for a
 * name with another kind fails. The name is part of the snapshot format: keep it stable across versions of
 * a job.
 */
public abstract sealed class StateDescriptor permits ValueStateDescriptor, ListStateDescriptor, MapStateDescriptor,
    ReducingStateDescriptor, AggregatingStateDescriptor
{
    private final String name;
    private StateTtlConfig ttlConfig;

    StateDescriptor(final String name)
    {
        if (name == null || name.isEmpty())
        {
            throw new IllegalArgumentException("a state descriptor needs a non-empty name");
        }
        this.name = name;
    }

    /**
     * @return the state's name, unique within its operator
     */
    public final String name()
    {
        return name;
    }

    /**
     * Gives the state a time-to-live. Call it before the state is first requested from the runtime context.
     *
     * @param config the TTL
     */
    public final void enableTimeToLive(final StateTtlConfig config)
    {
        if (config == null)
        {
            throw new IllegalArgumentException("state " + name + ": the TTL configuration must not be null");
        }
        this.ttlConfig = config;
    }

    /**
     * @return the TTL, or null when entries never expire
     */
    public final StateTtlConfig ttlConfig()
    {
        return ttlConfig;
    }

    /**
     * @return the kind, as stored in snapshots
     */
    public abstract String kind();
}
