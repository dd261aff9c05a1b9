package dev.millrace.broker.partition;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongConsumer;

import dev.millrace.broker.partition.PartitionProtocol.Appended;
import dev.millrace.broker.partition.PartitionProtocol.ErrorCode;
import dev.millrace.broker.partition.PartitionProtocol.ProduceReply;
import dev.millrace.broker.partition.PartitionProtocol.Rejected;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * acks=all produces that are in the leader's log but not committed yet (Kafka's produce purgatory): each waits until
 * the high watermark reaches {@code endOffset} (one past its last record), then is answered with its
 * {@link Appended}; or is failed (ISR below {@code min.insync.replicas}, leadership lost, timeout). Each has a key, for
 * its timeout timer; {@code cancelTimer} is called with the key of every entry that leaves.
 *
 * <p>Threading: not thread-safe; owned by the leader's actor.
 */
final class PendingAcks
{
    private record Pending(long endOffset, Appended appended, ActorRef<ProduceReply> replyTo)
    {
    }

    private final Map<Long, Pending> pending = new LinkedHashMap<>();
    private long nextKey;

    /** Adds a produce waiting for {@code endOffset}; returns its key. */
    long add(final long endOffset, final Appended appended, final ActorRef<ProduceReply> replyTo)
    {
        final long key = nextKey++;
        pending.put(key, new Pending(endOffset, appended, replyTo));
        return key;
    }

    int size()
    {
        return pending.size();
    }

    /**
     * Answers every produce the high watermark has passed: with its {@link Appended} if the ISR still has
     * {@code min.insync.replicas}, else with {@link ErrorCode#NOT_ENOUGH_REPLICAS_AFTER_APPEND}.
     */
    void complete(final long highWatermark, final boolean enoughInsync, final LongConsumer cancelTimer)
    {
        final Iterator<Map.Entry<Long, Pending>> entries = pending.entrySet().iterator();
        while (entries.hasNext())
        {
            final Map.Entry<Long, Pending> entry = entries.next();
            final Pending waiting = entry.getValue();
            if (waiting.endOffset() <= highWatermark)
            {
                entries.remove();
                cancelTimer.accept(entry.getKey());
                waiting.replyTo().tell(enoughInsync ? waiting.appended() : notEnoughAfterAppend(waiting));
            }
        }
    }

    /** Fails the produce with {@code key} (its timeout): it was appended, but not committed in time. */
    void timedOut(final long key, final String message)
    {
        final Pending waiting = pending.remove(key);
        if (waiting != null)
        {
            waiting.replyTo().tell(new Rejected(waiting.appended().topicPartition(), ErrorCode.REQUEST_TIMED_OUT, message));
        }
    }

    /** Fails every waiting produce with {@code error}. */
    void failAll(final ErrorCode error, final String message, final LongConsumer cancelTimer)
    {
        for (final Map.Entry<Long, Pending> entry : pending.entrySet())
        {
            cancelTimer.accept(entry.getKey());
            entry.getValue().replyTo().tell(new Rejected(entry.getValue().appended().topicPartition(), error, message));
        }
        pending.clear();
    }

    private static Rejected notEnoughAfterAppend(final Pending waiting)
    {
        return new Rejected(waiting.appended().topicPartition(), ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND,
            "the batch at offset " + waiting.appended().baseOffset() + " was appended but the ISR fell below " +
            "min.insync.replicas before it was committed; retry (an idempotent producer's retry is deduplicated)");
    }
}
