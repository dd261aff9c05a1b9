package dev.millrace.runtime.state;

/**
 * Describes a {@link ValueState}.
 *
 * @param <T> value type
 */
public final class ValueStateDescriptor<T> extends StateDescriptor
{
    /**
     * @param name the state's name
     * @param type the value's class (documentation and later typed serializers)
     */
    public ValueStateDescriptor(final String name, final Class<T> type)
    {
        super(name);
        if (type == null)
        {
            throw new IllegalArgumentException("state " + name + ": the value type must not be null");
        }
    }

    @Override
    public String kind()
    {
        return "value";
    }
}
