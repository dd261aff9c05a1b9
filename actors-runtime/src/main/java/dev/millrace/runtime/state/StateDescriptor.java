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
     * @return the kind, as stored in snapshots
     */
    public abstract String kind();
}
