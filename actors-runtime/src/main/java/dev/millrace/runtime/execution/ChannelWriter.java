package dev.millrace.runtime.execution;

import dev.millrace.runtime.exchange.BufferCodec;
import java.util.ArrayDeque;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The sending end of one channel (one edge, one receiving instance): fills a buffer, sends full buffers
 * against credit, and keeps the buffers it has no credit for. The instance stops taking input while any
 * of its channels holds such buffers ({@link #isBlocked()}), which is how back-pressure reaches the sources.
 *
 * <p>A receiver in this JVM gets each buffer by reference ({@code Deliver}); a receiver on another node gets
 * it encoded once into bytes ({@code DeliverBytes}, over Artery). Either way a buffer is one credit, so the
 * buffers in flight on a channel (sent, and not yet reported consumed by a credit) never exceed the credit.
 *
 * <p>Threading: confined to the sending instance's actor.
 */
final class ChannelWriter
{
    private final ActorRef<OperatorInstance.Command> receiver;
    private final int receiverChannel;
    private final int bufferRecords;
    private final ExchangeMetrics metrics;
    /** Null when the receiver is in this JVM. */
    private final BufferCodec codec;
    private final ArrayDeque<Buffer> waiting = new ArrayDeque<>();
    private Buffer current;
    private int credits;
    private long sent;
    private long consumed;

    /**
     * @param codec encodes buffers for a receiver on another node; null when the receiver is in this JVM
     */
    ChannelWriter(final ActorRef<OperatorInstance.Command> receiver, final int receiverChannel, final int bufferRecords,
        final ExchangeMetrics metrics, final BufferCodec codec)
    {
        this.receiver = receiver;
        this.receiverChannel = receiverChannel;
        this.bufferRecords = bufferRecords;
        this.metrics = metrics;
        this.codec = codec;
        this.current = new Buffer(bufferRecords);
    }

    void add(final byte kind, final Object value, final long timestamp)
    {
        current.add(kind, value, timestamp);
        if (current.isFull())
        {
            seal();
        }
    }

    /** Sends (or queues) the partly filled buffer, so records do not wait for more to come. */
    void flush()
    {
        if (current.size() > 0)
        {
            seal();
        }
    }

    void onCredit(final int granted, final int consumedBuffers)
    {
        credits += granted;
        consumed += consumedBuffers;
        metrics.onConsumed(consumedBuffers);
        while (credits > 0 && !waiting.isEmpty())
        {
            send(waiting.poll());
        }
    }

    boolean isBlocked()
    {
        return !waiting.isEmpty();
    }

    /** @return whether the receiver consumed every buffer sent (then this sender may stop) */
    boolean isDrained()
    {
        return waiting.isEmpty() && sent == consumed;
    }

    private void seal()
    {
        final Buffer full = current;
        current = new Buffer(bufferRecords);
        if (credits > 0 && waiting.isEmpty())
        {
            send(full);
        }
        else
        {
            waiting.add(full);
        }
    }

    private void send(final Buffer buffer)
    {
        credits--;
        sent++;
        metrics.onSent(buffer);
        if (codec == null)
        {
            receiver.tell(new OperatorInstance.Deliver(receiverChannel, buffer));
        }
        else
        {
            final byte[] bytes = codec.encode(buffer);
            metrics.onEncoded(bytes.length);
            receiver.tell(new OperatorInstance.DeliverBytes(receiverChannel, bytes));
        }
    }
}
