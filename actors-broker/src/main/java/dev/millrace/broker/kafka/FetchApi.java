package dev.millrace.broker.kafka;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import dev.millrace.broker.node.Broker;
import dev.millrace.broker.partition.PartitionProtocol;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import org.apache.kafka.common.message.FetchRequestData;
import org.apache.kafka.common.message.FetchResponseData;
import org.apache.kafka.common.protocol.Errors;
import org.apache.kafka.common.record.internal.MemoryRecords;
import org.apache.kafka.common.requests.AbstractRequest;
import org.apache.kafka.common.requests.AbstractResponse;
import org.apache.kafka.common.requests.FetchRequest;
import org.apache.kafka.common.requests.FetchResponse;
import org.apache.kafka.common.requests.RequestHeader;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Fetch with Kafka's semantics for the request as a whole: the response goes out as soon as the data of <em>all</em>
 * its partitions reaches {@code minBytes}, an error occurs, or {@code maxWaitMs} has passed, never later because one
 * partition is empty.
 *
 * <p>How: a <b>pass</b> asks every partition at once for what it has now ({@link Broker.FetchLocal} with min bytes 0
 * and max wait 0). If the pass carries {@code minBytes} or more, or an error, or the request does not want to wait, it is
 * the response. Otherwise every partition that can still grow gets a <b>probe</b>: a long-polling {@link Broker.FetchLocal},
 * up to the remaining wait, for more bytes than the pass saw there (an empty partition: one byte, with max bytes 1,
 * which still returns one whole batch). When a probe comes back with more, another pass is made and judged the same
 * way; a partition whose probe came back gets a new one with the time left; at most one probe per partition is
 * outstanding per request. When all probes have timed out (the deadline), a last pass is the response. A probe's own
 * bytes are never sent: the pass reads all partitions at one moment, from the offsets the client asked for. Once the
 * response is made, every probe still outstanding (another partition answered first) is withdrawn
 * ({@link PartitionProtocol.CancelFetch}): left parked until its wait ended, such probes piled up in the replicas of
 * partitions without new data (each fetch of a busy consumer left one per idle partition, for up to
 * {@code maxWaitMs}), were re-read on every append and, past the replica's {@code max-parked-fetches}, made new probes
 * come back empty at once, so the request served the rest of its wait without a probe.
 *
 * <p>Two guards keep a consumer from spinning: probes that end empty before the deadline (a replica at its
 * {@code max-parked-fetches} answers at once) and a wake-up whose pass brings no more bytes both make the listener
 * serve the rest of the wait itself before the last pass.
 *
 * <p>The request's {@code maxBytes} caps the response: partitions are filled in request order and, once the total
 * passes the cap, the rest are answered with no records (high watermark still set), as Kafka does; the first
 * partition with data is always whole, so a consumer always progresses.
 *
 * <p>The stored batches are sent as they are, never re-encoded, and never copied by the listener: every pass and probe
 * is a {@link PartitionProtocol.FetchLocal}, answered with a {@link PartitionProtocol.FetchedRegion} (segment file,
 * position, length), and the response's records are {@link RegionRecords} over it, which the NIO listener sends with
 * {@code FileChannel.transferTo} ({@code sendfile}). A partition led by another broker is answered with
 * NOT_LEADER_OR_FOLLOWER (a region is valid only in its leader's JVM), so the client refreshes its metadata and fetches
 * from the leader. No fetch sessions: every response is a full one
 * (session id 0), which clients accept.
 *
 * <p>Threading: each request's steps run one after another (each chained on the previous one's completion), so a
 * request's state needs no locks; different requests share nothing.
 */
final class FetchApi implements KafkaApi
{
    /** A probe wakes the request on any data; one byte still brings one whole batch, which is as small as it gets. */
    private static final int PROBE_BYTES = 1;

    private final BrokerContext context;

    FetchApi(final BrokerContext context)
    {
        this.context = context;
    }

    @Override
    public CompletionStage<AbstractResponse> handle(final RequestHeader header, final AbstractRequest request, final InetSocketAddress client)
    {
        final FetchRequestData data = ((FetchRequest)request).data();
        final List<Slot> slots = new ArrayList<>();
        for (final FetchRequestData.FetchTopic topic : data.topics())
        {
            for (final FetchRequestData.FetchPartition partition : topic.partitions())
            {
                slots.add(new Slot(topic, partition));
            }
        }
        return new Operation(data, slots).run();
    }

    private static int maxBytes(final Slot slot)
    {
        return Math.max(1, slot.partition().partitionMaxBytes());
    }

    /** One partition of the request. */
    private record Slot(FetchRequestData.FetchTopic topic, FetchRequestData.FetchPartition partition)
    {
        TopicPartition topicPartition()
        {
            return new TopicPartition(topic.topic(), partition.partition());
        }
    }

    /** One request from its first pass to its response. */
    private final class Operation
    {
        private final FetchRequestData data;
        private final List<Slot> slots;
        private final int minBytes;
        private final long maxWaitMs;
        private final long deadlineNs;
        /** The outstanding probe of each slot, null when it has none. */
        private final List<CompletableFuture<Boolean>> probes;
        /** Where each slot's probe is answered (the ask's reply actor): names it to withdraw it. */
        private final List<ActorRef<?>> probeReplyTo;
        /** Bytes each slot had in the last pass: a probe waits for more than that. */
        private final int[] seen;
        /** Bytes of the last pass; -1 before the first. A wake-up whose pass brings no more is no progress. */
        private long lastTotal = -1;

        Operation(final FetchRequestData data, final List<Slot> slots)
        {
            this.data = data;
            this.slots = slots;
            this.minBytes = Math.max(0, data.minBytes());
            this.maxWaitMs = Math.max(0, data.maxWaitMs());
            this.deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxWaitMs);
            this.probes = new ArrayList<>(slots.size());
            this.probeReplyTo = new ArrayList<>(slots.size());
            this.seen = new int[slots.size()];
            for (int i = 0; i < slots.size(); i++)
            {
                probes.add(null);
                probeReplyTo.add(null);
            }
        }

        CompletionStage<AbstractResponse> run()
        {
            return pass().thenCompose(this::judge).whenComplete((response, failure) -> withdrawProbes());
        }

        /**
         * Withdraws the probes still parked in their replicas: the response is made, they can only cost (a place
         * among the replica's parked fetches, a read on each of its appends). One that is answering meanwhile is
         * not affected.
         */
        private void withdrawProbes()
        {
            for (int i = 0; i < slots.size(); i++)
            {
                final CompletableFuture<Boolean> probe = probes.get(i);
                if (probe != null && !probe.isDone())
                {
                    context.broker().tell(new Broker.CancelFetch(
                        new PartitionProtocol.CancelFetch(slots.get(i).topicPartition(), probeReplyTo.get(i))));
                }
            }
        }

        private CompletionStage<AbstractResponse> judge(final List<PartitionProtocol.FetchLocalReply> replies)
        {
            final long remainingMs = remainingMs();
            if (maxWaitMs == 0 || remainingMs <= 0 || satisfied(replies) || slots.isEmpty())
            {
                return CompletableFuture.completedFuture(response(replies));
            }
            final long total = record(replies);
            if (lastTotal >= 0 && total <= lastTotal)
            {
                // Woken, yet the pass found nothing more (a partition at a byte cap this listener does not know):
                // probing again would spin, so the rest of the wait is served here.
                return finalPassAfter(remainingMs);
            }
            lastTotal = total;
            return awaitProbe(remainingMs).thenCompose(this::afterProbe);
        }

        /** Notes each slot's bytes; returns the total. */
        private long record(final List<PartitionProtocol.FetchLocalReply> replies)
        {
            long total = 0;
            for (int i = 0; i < replies.size(); i++)
            {
                seen[i] = replies.get(i) instanceof PartitionProtocol.FetchedRegion fetched ? fetched.length() : 0;
                total += seen[i];
            }
            return total;
        }

        private CompletionStage<AbstractResponse> finalPassAfter(final long delayMs)
        {
            if (delayMs <= 0)
            {
                return pass().thenApply(this::response);
            }
            return context.after(Duration.ofMillis(delayMs))
                .thenCompose(waited -> pass())
                .thenApply(this::response);
        }

        /**
         * Data arrived: one more pass, judged like the first. No probe found data: the last pass answers, at the
         * deadline. Probes end empty before it only when a replica would not park them (its
         * {@code max-parked-fetches} is reached and it answers at once): then the wait is served here, so that
         * consumers do not turn into a busy loop of empty fetches.
         */
        private CompletionStage<AbstractResponse> afterProbe(final Boolean data)
        {
            if (data)
            {
                return pass().thenCompose(this::judge);
            }
            return finalPassAfter(remainingMs());
        }

        /**
         * Makes sure each slot that can still grow has a probe, then waits for the first that brings data: true when
         * one did; false when none did before the deadline (all timed out), or no slot can grow.
         */
        private CompletionStage<Boolean> awaitProbe(final long remainingMs)
        {
            final List<CompletableFuture<Boolean>> open = new ArrayList<>(slots.size());
            for (int i = 0; i < slots.size(); i++)
            {
                CompletableFuture<Boolean> probe = probes.get(i);
                if ((probe == null || probe.isDone()) && seen[i] < maxBytes(slots.get(i)))
                {
                    probe = probe(i, remainingMs);
                    probes.set(i, probe);
                }
                if (probe != null && !probe.isDone())
                {
                    open.add(probe);
                }
            }
            return anyData(open);
        }

        /** Waits for the first probe with data: true then; false when all end without. */
        private CompletionStage<Boolean> anyData(final List<CompletableFuture<Boolean>> pending)
        {
            final CompletableFuture<Boolean> result = new CompletableFuture<>();
            if (pending.isEmpty())
            {
                result.complete(false);
                return result;
            }
            // Probes complete on the actor system's threads, possibly together.
            final AtomicInteger open = new AtomicInteger(pending.size());
            for (final CompletableFuture<Boolean> probe : pending)
            {
                probe.whenComplete((data, failure) ->
                {
                    if (Boolean.TRUE.equals(data))
                    {
                        result.complete(true);
                    }
                    if (open.decrementAndGet() == 0)
                    {
                        result.complete(false);
                    }
                });
            }
            return result;
        }

        /**
         * A long poll for more than the {@code seen} bytes the slot had: true when it brought more or an error (both
         * end the wait), false when it timed out. An empty slot is probed for one byte (one whole batch comes back,
         * the least there is); a slot with data for {@code seen + 1} bytes within its max bytes, since whole batches
         * only grow the read while they fit.
         */
        private CompletableFuture<Boolean> probe(final int index, final long waitMs)
        {
            final Slot slot = slots.get(index);
            final int seenBytes = seen[index];
            final Duration timeout = context.askTimeout().plusMillis(waitMs);
            final int probeMaxBytes = seenBytes == 0 ? PROBE_BYTES : maxBytes(slot);
            final int probeMinBytes = seenBytes + 1;
            // The ask builds the message on this thread, so the reply actor is known when it returns.
            return context.<PartitionProtocol.FetchLocalReply>ask(replyTo ->
                {
                    probeReplyTo.set(index, replyTo);
                    return new Broker.FetchLocal(new PartitionProtocol.FetchLocal(
                        slot.topicPartition(), slot.partition().fetchOffset(), probeMaxBytes, probeMinBytes, waitMs, replyTo));
                }, timeout)
                .handle((reply, failure) -> reply instanceof PartitionProtocol.Rejected ||
                    reply instanceof PartitionProtocol.FetchedRegion fetched && fetched.length() > seenBytes)
                .toCompletableFuture();
        }


        /**
         * What every partition has now, in request order; a partition that did not answer within the ask timeout is
         * null (answered with UNKNOWN_SERVER_ERROR, which consumers log and retry).
         */
        private CompletionStage<List<PartitionProtocol.FetchLocalReply>> pass()
        {
            final List<CompletableFuture<PartitionProtocol.FetchLocalReply>> replies = new ArrayList<>(slots.size());
            for (final Slot slot : slots)
            {
                final int maxBytes = maxBytes(slot);
                replies.add(context.<PartitionProtocol.FetchLocalReply>ask(replyTo -> new Broker.FetchLocal(new PartitionProtocol.FetchLocal(
                        slot.topicPartition(), slot.partition().fetchOffset(), maxBytes, 0, 0, replyTo)))
                    .exceptionally(failure -> null)
                    .toCompletableFuture());
            }
            return CompletableFuture.allOf(replies.toArray(CompletableFuture[]::new)).thenApply(done ->
            {
                final List<PartitionProtocol.FetchLocalReply> results = new ArrayList<>(replies.size());
                replies.forEach(reply -> results.add(reply.join()));
                return results;
            });
        }

        /** Enough bytes, or an error to report (Kafka answers at once on an error). */
        private boolean satisfied(final List<PartitionProtocol.FetchLocalReply> replies)
        {
            long bytes = 0;
            for (final PartitionProtocol.FetchLocalReply reply : replies)
            {
                if (reply == null || reply instanceof PartitionProtocol.Rejected)
                {
                    return true;
                }
                bytes += ((PartitionProtocol.FetchedRegion)reply).length();
            }
            return bytes >= minBytes;
        }

        private long remainingMs()
        {
            return TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
        }

        private AbstractResponse response(final List<PartitionProtocol.FetchLocalReply> replies)
        {
            final FetchResponseData response = new FetchResponseData().setErrorCode(Errors.NONE.code()).setSessionId(0);
            final int maxBytes = data.maxBytes() > 0 ? data.maxBytes() : Integer.MAX_VALUE;
            long bytes = 0;
            FetchRequestData.FetchTopic topic = null;
            FetchResponseData.FetchableTopicResponse topicResponse = null;
            for (int i = 0; i < slots.size(); i++)
            {
                final Slot slot = slots.get(i);
                if (topic != slot.topic())
                {
                    topic = slot.topic();
                    topicResponse = new FetchResponseData.FetchableTopicResponse()
                        .setTopic(slot.topic().topic()).setTopicId(slot.topic().topicId());
                    response.responses().add(topicResponse);
                }
                final FetchResponseData.PartitionData partition =
                    new FetchResponseData.PartitionData().setPartitionIndex(slot.partition().partition());
                topicResponse.partitions().add(partition);
                final PartitionProtocol.FetchLocalReply reply = replies.get(i);
                if (reply instanceof PartitionProtocol.FetchedRegion fetched)
                {
                    // Over the response's cap: no records for this partition this time (the first data always fits).
                    final boolean fits = bytes == 0 || bytes + fetched.length() <= maxBytes;
                    bytes += fits ? fetched.length() : 0;
                    partition.setErrorCode(Errors.NONE.code())
                        .setHighWatermark(fetched.highWatermark())
                        .setLastStableOffset(fetched.highWatermark())
                        .setLogStartOffset(fetched.logStartOffset())
                        .setRecords(fits ? RegionRecords.of(fetched) : MemoryRecords.EMPTY);
                }
                else
                {
                    final short error = reply instanceof PartitionProtocol.Rejected rejected ?
                        rejected.error().kafkaCode() : Errors.UNKNOWN_SERVER_ERROR.code();
                    partition.setErrorCode(error)
                        .setHighWatermark(-1)
                        .setLastStableOffset(-1)
                        .setLogStartOffset(-1)
                        .setRecords(MemoryRecords.EMPTY);
                }
            }
            return FetchResponse.of(response);
        }
    }
}
