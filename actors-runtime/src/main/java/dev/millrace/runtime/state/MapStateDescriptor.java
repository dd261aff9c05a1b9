package dev.millrace.runtime.state;

/**
 * Describes a {@link MapState}.
 *
 * @param <K> user key type
 * @param <V> user value type
 */
public final class MapStateDescriptor<K, V> extends StateDescriptor
{
    /**
     * @param name      the state's name
     * @param keyType   the map's key class
     * @param valueType the map's value class
     */
    public MapStateDescriptor(final String name, final Class<K> keyType, final Class<V> valueType)
    {
        super(name);
        if (keyType == null || valueType == null)
        {
            throw new IllegalArgumentException("state " + name + ": key and value types must not be null");
        }
    }

    @Override
    public String kind()
    {
        return "map";
    }
}
