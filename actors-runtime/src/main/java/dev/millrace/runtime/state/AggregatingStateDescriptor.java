package dev.millrace.runtime.state;

import dev.millrace.runtime.api.AggregateFunction;

/**
 * Describes an {@link AggregatingState}: the accumulator is what is stored.
 *
 * @param <IN>  input type
 * @param <ACC> accumulator type
 * @param <OUT> result type
 */
public final class AggregatingStateDescriptor<IN, ACC, OUT> extends StateDescriptor
{
    private final AggregateFunction<IN, ACC, OUT> aggregateFunction;

    /**
     * @param name              the state's name
     * @param aggregateFunction accumulates added values
     */
    public AggregatingStateDescriptor(final String name, final AggregateFunction<IN, ACC, OUT> aggregateFunction)
    {
        super(name);
        if (aggregateFunction == null)
        {
            throw new IllegalArgumentException("state " + name + ": the aggregate function must not be null");
        }
        this.aggregateFunction = aggregateFunction;
    }

    /**
     * @return the function that accumulates added values
     */
    public AggregateFunction<IN, ACC, OUT> aggregateFunction()
    {
        return aggregateFunction;
    }

    @Override
    public String kind()
    {
        return "aggregating";
    }
}
