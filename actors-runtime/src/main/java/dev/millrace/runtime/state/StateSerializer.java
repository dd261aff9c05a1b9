package dev.millrace.runtime.state;

/**
 * Turns a state snapshot (a tree of plain Java objects: maps, lists, records, boxed values) into bytes and
 * back. Pluggable so a backend can choose its format; {@link KryoStateSerializer} is the default.
 *
 * <p>Threading: an implementation may be confined to one operator instance.
 */
public interface StateSerializer
{
    /**
     * @param snapshot the snapshot tree
     * @return its bytes
     */
    byte[] serialize(Object snapshot);

    /**
     * @param bytes bytes from {@link #serialize(Object)}
     * @return the snapshot tree
     */
    Object deserialize(byte[] bytes);
}
