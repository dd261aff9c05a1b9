package dev.millrace.runtime.state;

import dev.millrace.runtime.api.ReduceFunction;

/**
 * Describes a {@link ReducingState}.
 *
 * @param <T> value type
 */
public final class ReducingStateDescriptor<T> extends StateDescriptor
{
    private final ReduceFunction<T> reduceFunction;

    /**
     * @param name           the state's name
     * @param reduceFunction combines added values
     * @param type           the value class
     */
    public ReducingStateDescriptor(final String name, final ReduceFunction<T> reduceFunction, final Class<T> type)
    {
        super(name);
        if (reduceFunction == null || type == null)
        {
            throw new IllegalArgumentException("state " + name + ": function and type must not be null");
        }
        this.reduceFunction = reduceFunction;
    }

    /**
     * @return the function that combines added values
     */
    public ReduceFunction<T> reduceFunction()
    {
        return reduceFunction;
    }

    @Override
    public String kind()
    {
        return "reducing";
    }
}
