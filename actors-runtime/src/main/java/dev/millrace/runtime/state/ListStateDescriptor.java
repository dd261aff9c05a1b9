package dev.millrace.runtime.state;

/**
 * Describes a {@link ListState}.
 *
 * @param <T> element type
 */
public final class ListStateDescriptor<T> extends StateDescriptor
{
    /**
     * @param name the state's name
     * @param type the element class
     */
    public ListStateDescriptor(final String name, final Class<T> type)
    {
        super(name);
        if (type == null)
        {
            throw new IllegalArgumentException("state " + name + ": the element type must not be null");
        }
    }

    @Override
    public String kind()
    {
        return "list";
    }
}
