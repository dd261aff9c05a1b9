package dev.millrace.runtime.execution;

/**
 * A batch of stream elements on one channel: records with their timestamps, and the control elements that
 * travel in order with them (watermarks, idle/active status, end of input). One buffer is one message and
 * one credit, which is what amortizes the actor hop over many records.
 *
 * <p>Layout: three parallel arrays of {@link #capacity()} slots; slot {@code i < size} holds
 * {@code kinds[i]}, {@code values[i]} (the record, else null) and {@code timestamps[i]} (the record's event
 * time or the watermark). In process the buffer is handed over, never copied; the sender must not touch it
 * after sending. To a receiver on another node {@code exchange.BufferCodec} encodes the same sequence into
 * bytes once, and the receiver decodes it into a new buffer.
 *
 * <p>Threading: written by the sending instance, then read by the receiving one (the actor message is the
 * happens-before edge).
 */
public final class Buffer
{
    /** A record. */
    public static final byte RECORD = 0;
    /** A watermark, in the timestamp slot. */
    public static final byte WATERMARK = 1;
    /** The sender's output went idle. */
    public static final byte IDLE = 2;
    /** The sender's output is active again. */
    public static final byte ACTIVE = 3;
    /** The sender will send nothing more on this channel. */
    public static final byte END_OF_INPUT = 4;

    private final byte[] kinds;
    private final Object[] values;
    private final long[] timestamps;
    private int size;
    private int recordCount;

    /**
     * @param capacity number of element slots
     */
    public Buffer(final int capacity)
    {
        kinds = new byte[capacity];
        values = new Object[capacity];
        timestamps = new long[capacity];
    }

    /**
     * @param kind      the element kind
     * @param value     the record, or null
     * @param timestamp the timestamp or watermark
     */
    public void add(final byte kind, final Object value, final long timestamp)
    {
        kinds[size] = kind;
        values[size] = value;
        timestamps[size] = timestamp;
        size++;
        if (kind == RECORD)
        {
            recordCount++;
        }
    }

    /** @return whether no slot is free */
    public boolean isFull()
    {
        return size == kinds.length;
    }

    /** @return number of elements */
    public int size()
    {
        return size;
    }

    /** @return number of record elements */
    public int recordCount()
    {
        return recordCount;
    }

    /** @return number of slots */
    public int capacity()
    {
        return kinds.length;
    }

    /** @param index slot @return its kind */
    public byte kind(final int index)
    {
        return kinds[index];
    }

    /** @param index slot @return its record, or null */
    public Object value(final int index)
    {
        return values[index];
    }

    /** @param index slot @return its timestamp or watermark */
    public long timestamp(final int index)
    {
        return timestamps[index];
    }
}
