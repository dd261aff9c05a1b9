package dev.millrace.runtime.execution;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counters of a job's exchanges, shared by its instances: buffers and records sent, buffers in flight (sent
 * and not yet reported consumed by the receiver's credit, which is what credit bounds; counted by the
 * senders, so it holds for receivers on other nodes too) with their high-water mark, and per
 * vertex the time its instances spent blocked waiting for credit (back-pressure).
 *
 * <p>Threading: thread-safe (atomics); read by the job master and tests.
 */
public final class ExchangeMetrics
{
    private final AtomicLong buffersSent = new AtomicLong();
    private final AtomicLong recordsSent = new AtomicLong();
    private final AtomicLong buffersInFlight = new AtomicLong();
    private final AtomicLong maxBuffersInFlight = new AtomicLong();
    private final AtomicLong encodedBuffers = new AtomicLong();
    private final AtomicLong encodedBytes = new AtomicLong();
    private final AtomicLongArray blockedNanosByVertex;

    /**
     * @param vertexCount number of vertices of the job
     */
    public ExchangeMetrics(final int vertexCount)
    {
        blockedNanosByVertex = new AtomicLongArray(vertexCount);
    }

    void onSent(final Buffer buffer)
    {
        buffersSent.incrementAndGet();
        recordsSent.addAndGet(buffer.recordCount());
        final long inFlight = buffersInFlight.incrementAndGet();
        maxBuffersInFlight.accumulateAndGet(inFlight, Math::max);
    }

    /** @param buffers buffers a receiver reported consumed (in a credit) */
    void onConsumed(final int buffers)
    {
        if (buffers != 0)
        {
            buffersInFlight.addAndGet(-buffers);
        }
    }

    /** @param bytes the size of a buffer encoded for a receiver on another node */
    void onEncoded(final int bytes)
    {
        encodedBuffers.incrementAndGet();
        encodedBytes.addAndGet(bytes);
    }

    void onBlocked(final int vertexId, final long nanos)
    {
        blockedNanosByVertex.addAndGet(vertexId, nanos);
    }

    /** @return buffers sent over all exchanges */
    public long buffersSent()
    {
        return buffersSent.get();
    }

    /** @return records sent over all exchanges */
    public long recordsSent()
    {
        return recordsSent.get();
    }

    /** @return buffers sent and not yet consumed */
    public long buffersInFlight()
    {
        return buffersInFlight.get();
    }

    /** @return the highest number of buffers in flight at once */
    public long maxBuffersInFlight()
    {
        return maxBuffersInFlight.get();
    }

    /** @return buffers encoded for receivers on other nodes (the rest went by reference) */
    public long encodedBuffers()
    {
        return encodedBuffers.get();
    }

    /** @return bytes of the buffers encoded for receivers on other nodes */
    public long encodedBytes()
    {
        return encodedBytes.get();
    }

    /** @param vertexId a vertex @return nanoseconds its instances waited for credit */
    public long blockedNanos(final int vertexId)
    {
        return blockedNanosByVertex.get(vertexId);
    }
}
