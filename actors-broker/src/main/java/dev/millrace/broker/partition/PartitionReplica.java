package dev.millrace.broker.partition;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

import dev.millrace.broker.log.FileRegion;
import dev.millrace.broker.log.LeaderEpochCache;
import dev.millrace.broker.log.Log;
import dev.millrace.broker.log.LogConfig;
import dev.millrace.broker.log.LogException;
import dev.millrace.broker.log.TimestampedOffset;
import dev.millrace.broker.partition.PartitionProtocol.Appended;
import dev.millrace.broker.partition.PartitionProtocol.Command;
import dev.millrace.broker.partition.PartitionProtocol.DeleteRecords;
import dev.millrace.broker.partition.PartitionProtocol.DescribeProducers;
import dev.millrace.broker.partition.PartitionProtocol.EpochEndOffset;
import dev.millrace.broker.partition.PartitionProtocol.ErrorCode;
import dev.millrace.broker.partition.PartitionProtocol.Fetch;
import dev.millrace.broker.partition.PartitionProtocol.FetchLocal;
import dev.millrace.broker.partition.PartitionProtocol.FetchRequest;
import dev.millrace.broker.partition.PartitionProtocol.Fetched;
import dev.millrace.broker.partition.PartitionProtocol.FetchedRegion;
import dev.millrace.broker.partition.PartitionProtocol.GetStatus;
import dev.millrace.broker.partition.PartitionProtocol.ListOffsets;
import dev.millrace.broker.partition.PartitionProtocol.OffsetForLeaderEpoch;
import dev.millrace.broker.partition.PartitionProtocol.OffsetFound;
import dev.millrace.broker.partition.PartitionProtocol.Produce;
import dev.millrace.broker.partition.PartitionProtocol.ProduceReply;
import dev.millrace.broker.partition.PartitionProtocol.ProducersDescribed;
import dev.millrace.broker.partition.PartitionProtocol.RecordsDeleted;
import dev.millrace.broker.partition.PartitionProtocol.Rejected;
import dev.millrace.broker.partition.PartitionProtocol.Status;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import dev.millrace.serialization.batch.InvalidBatchException;
import dev.millrace.serialization.batch.RecordBatchDescriptor;
import dev.millrace.serialization.batch.RecordBatchFlyweight;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One replica of one partition, as an actor that owns the partition's {@link Log}: it speaks
 * {@link PartitionProtocol} and, for now, always acts as the leader of a single-replica partition (the high
 * watermark is the log end offset; the leader epoch is a setting until the controller sets it).
 *
 * <p><b>Threading contract.</b> The actor is the log's single writer: every append, retention run, flush and the
 * close happen in its message handlers, one at a time. It never blocks on anything but the log's own file I/O.
 *
 * <p><b>Produce.</b> The payload is copied into a reused buffer (the message is never changed), walked once for
 * framing and producer ids, checked against the {@link ProducerStateManager}, then appended, which validates every
 * batch and appends all or nothing; only after a successful append is the producer state updated (decide, then
 * apply). Expected failures are {@link Rejected} replies; a storage failure ({@code IO}, {@code CORRUPT},
 * {@code CLOSED}) is answered with {@link ErrorCode#KAFKA_STORAGE_ERROR} and then thrown, so the actor stops
 * (supervision decides what next) and closes its log.
 *
 * <p><b>Fetch.</b> Answered at once when at least {@code minBytes} (or {@code maxBytes}) are readable, when
 * {@code maxWaitMs} is 0, or when {@code max-parked-fetches} fetches already wait; otherwise parked with a timer
 * of {@code maxWaitMs}. Every append re-checks the parked fetches below the new high watermark; a parked fetch is
 * answered when enough has arrived or when its timer fires, with whatever there is. No polling. Reads go through a
 * reused {@link FileRegion}; a {@link Fetch} copies it once into the reply's array, a {@link FetchLocal} (same
 * checks, same parking: both are a {@link FetchRequest}) is answered with a {@link FetchedRegion}, an immutable copy
 * of the region's coordinates, and copies no bytes.
 *
 * <p><b>Idempotence.</b> On start, the producer state is rebuilt by scanning every batch header from the log start
 * (a full scan, proportional to the log's batch count; a producer-state snapshot will bound it later).
 *
 * <p><b>Housekeeping.</b> Every {@code retention-check-interval}: {@link Log#deleteOldSegments()} and
 * {@link Log#flushIfDue()}. On stop, parked fetches are answered with {@link ErrorCode#NOT_LEADER_OR_FOLLOWER}
 * and the log is closed.
 */
public final class PartitionReplica extends AbstractBehavior<Command>
{
    /** The replica's own messages (timers): local only, never serialized, never sent by others. */
    sealed interface Internal extends Command, NoSerializationVerificationNeeded permits FetchTimedOut, RetentionTick
    {
    }

    private record FetchTimedOut(long key) implements Internal
    {
    }

    private enum RetentionTick implements Internal
    {
        INSTANCE
    }

    private static final byte[] NO_RECORDS = new byte[0];
    private static final long NO_TIMESTAMP = RecordBatchDescriptor.NO_TIMESTAMP;
    private static final int SCAN_BYTES = 1024 * 1024;

    private final PartitionReplicaSettings settings;
    private final TopicPartition topicPartition;
    private final TimerScheduler<Command> timers;
    private final Log log;
    private final ProducerStateManager producers = new ProducerStateManager();
    private final RecordBatchFlyweight batch = new RecordBatchFlyweight();
    private final FileRegion region = new FileRegion();
    private final UnsafeBuffer appendBuffer = new UnsafeBuffer(new byte[4096]);
    private final Map<Long, FetchRequest> parkedFetches = new LinkedHashMap<>();
    private long nextFetchKey;

    /**
     * Where replicas run: the dispatcher {@code millrace.broker.partition.dispatcher}, so that log I/O stays off Pekko's
     * default dispatcher. Spawn every replica with these props.
     */
    public static final Props PROPS = DispatcherSelector.fromConfig("millrace.broker.partition.dispatcher");

    /** The behavior of a replica; opens (and if needed recovers) the log in {@link PartitionReplicaSettings#logDir()}. */
    public static Behavior<Command> create(final PartitionReplicaSettings settings)
    {
        return Behaviors.setup(context -> Behaviors.withTimers(timers -> new PartitionReplica(context, timers, settings)));
    }

    private PartitionReplica(
        final ActorContext<Command> context, final TimerScheduler<Command> timers, final PartitionReplicaSettings settings)
    {
        super(context);
        this.settings = settings;
        this.topicPartition = settings.topicPartition();
        this.timers = timers;
        this.log = Log.open(settings.logDir(), settings.logConfig(), settings.clockMs());
        try
        {
            final long batches = rebuildProducerState(log, producers);
            context.getLog().info(
                "partition {} opened: offsets [{}, {}), {} segments, {} producers from {} batch headers",
                topicPartition, log.logStartOffset(), log.logEndOffset(), log.segmentCount(), producers.producerCount(),
                batches);
        }
        catch (final RuntimeException ex)
        {
            log.close();
            throw ex;
        }
        timers.startTimerWithFixedDelay(RetentionTick.INSTANCE, settings.retentionCheckInterval());
    }

    @Override
    public Receive<Command> createReceive()
    {
        return newReceiveBuilder()
            .onMessage(Produce.class, this::onProduce)
            .onMessage(Fetch.class, fetch -> fetch.replyTo() == null, this::onNoReplyTo)
            .onMessage(Fetch.class, this::onFetch)
            .onMessage(FetchLocal.class, fetch -> fetch.replyTo() == null, this::onNoReplyTo)
            .onMessage(FetchLocal.class, this::onFetch)
            .onMessage(ListOffsets.class, listOffsets -> listOffsets.replyTo() == null, this::onNoReplyTo)
            .onMessage(ListOffsets.class, this::onListOffsets)
            .onMessage(DeleteRecords.class, delete -> delete.replyTo() == null, this::onNoReplyTo)
            .onMessage(DeleteRecords.class, this::onDeleteRecords)
            .onMessage(OffsetForLeaderEpoch.class, request -> request.replyTo() == null, this::onNoReplyTo)
            .onMessage(OffsetForLeaderEpoch.class, this::onOffsetForLeaderEpoch)
            .onMessage(DescribeProducers.class, request -> request.replyTo() == null, this::onNoReplyTo)
            .onMessage(DescribeProducers.class, this::onDescribeProducers)
            .onMessage(GetStatus.class, getStatus -> getStatus.replyTo() == null, this::onNoReplyTo)
            .onMessage(GetStatus.class, this::onGetStatus)
            .onMessage(FetchTimedOut.class, this::onFetchTimedOut)
            .onMessageEquals(RetentionTick.INSTANCE, this::onRetentionTick)
            .onSignal(PostStop.class, this::onPostStop)
            .build();
    }

    /** A request nobody can be answered for is a sender's bug: drop it rather than fail the partition. */
    private Behavior<Command> onNoReplyTo(final Command command)
    {
        getContext().getLog().warn("partition {}: dropped {} without replyTo", topicPartition, command);
        return this;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Produce
    // ---------------------------------------------------------------------------------------------------------------

    private Behavior<Command> onProduce(final Produce produce)
    {
        final ProduceReply reply = produce(produce);
        if (produce.acks() != 0 && produce.replyTo() != null)
        {
            produce.replyTo().tell(reply);
        }
        else if (reply instanceof Rejected rejected)
        {
            getContext().getLog().debug("acks=0 produce to {} rejected, no reply: {}", topicPartition, rejected);
        }
        if (reply instanceof Appended)
        {
            completeParkedFetches();
        }
        return this;
    }

    private ProduceReply produce(final Produce produce)
    {
        if (!topicPartition.equals(produce.topicPartition()))
        {
            return misrouted(produce.topicPartition());
        }
        final short acks = produce.acks();
        if (acks != -1 && acks != 0 && acks != 1)
        {
            return rejected(ErrorCode.INVALID_REQUIRED_ACKS, "acks must be -1 (all), 0 or 1 but was " + acks);
        }
        final byte[] records = produce.records();
        if (records == null || records.length == 0)
        {
            return rejected(ErrorCode.INVALID_REQUEST, "a produce needs at least one record batch, got none");
        }
        final int length = records.length;
        if (appendBuffer.capacity() < length)
        {
            appendBuffer.wrap(new byte[Math.max(length, appendBuffer.capacity() * 2)]);
        }
        appendBuffer.putBytes(0, records);

        // Decide: framing and producer ids of every batch, before the log validates and appends.
        int batchCount = 0;
        int idempotentPosition = -1;
        int position = 0;
        while (position < length)
        {
            batch.wrap(appendBuffer, position);
            final int size;
            try
            {
                size = batch.validateFraming(length - position, Integer.MAX_VALUE, position);
            }
            catch (final InvalidBatchException ex)
            {
                return rejected(errorCodeOf(ex.reason()), "batch " + batchCount + " of the produce: " + ex.getMessage() +
                    "; nothing was appended, resend the batch");
            }
            if (batch.isControl())
            {
                return rejected(ErrorCode.INVALID_RECORD, "batch " + batchCount + " is a control batch: only the broker " +
                    "writes control batches; nothing was appended");
            }
            if (batch.isTransactional())
            {
                return rejected(ErrorCode.INVALID_RECORD, "batch " + batchCount + " is transactional: transactions are " +
                    "not supported yet; produce without a transactional id. Nothing was appended");
            }
            if (batch.producerId() != RecordBatchDescriptor.NO_PRODUCER_ID)
            {
                idempotentPosition = position;
            }
            batchCount++;
            position += size;
        }
        if (idempotentPosition >= 0 && batchCount > 1)
        {
            return rejected(ErrorCode.INVALID_RECORD, "a batch with a producer id must be the only batch of its produce " +
                "(as in Kafka's produce v3+), this one has " + batchCount + "; nothing was appended");
        }

        long producerId = RecordBatchDescriptor.NO_PRODUCER_ID;
        short producerEpoch = RecordBatchDescriptor.NO_PRODUCER_EPOCH;
        int firstSeq = RecordBatchDescriptor.NO_SEQUENCE;
        int lastSeq = RecordBatchDescriptor.NO_SEQUENCE;
        if (idempotentPosition >= 0)
        {
            batch.wrap(appendBuffer, idempotentPosition);
            producerId = batch.producerId();
            producerEpoch = batch.producerEpoch();
            firstSeq = batch.baseSequence();
            lastSeq = batch.lastSequence();
            if (producerEpoch < 0 || firstSeq < 0)
            {
                return rejected(ErrorCode.INVALID_RECORD, "batch of producer " + producerId + " has epoch " + producerEpoch +
                    " and base sequence " + firstSeq + ": an idempotent batch needs both >= 0; nothing was appended");
            }
            final ProducerStateManager.Verdict verdict = producers.check(producerId, producerEpoch, firstSeq, lastSeq);
            if (verdict != ProducerStateManager.Verdict.APPEND)
            {
                // A corrupt batch must be reported as corrupt, not as a sequence problem: the append would have
                // validated it, so validate it here on this (rare) path.
                final Rejected invalid = validateForRejection(length);
                if (invalid != null)
                {
                    return invalid;
                }
                switch (verdict)
                {
                    case DUPLICATE:
                        return new Appended(topicPartition, producers.duplicateFirstOffset(), NO_TIMESTAMP, log.logStartOffset());
                    case INVALID_PRODUCER_EPOCH:
                        return rejected(ErrorCode.INVALID_PRODUCER_EPOCH, "producer " + producerId + " epoch " + producerEpoch +
                            " is older than its current epoch " + producers.epoch(producerId) + ": a newer instance of " +
                            "this producer fenced it; close this producer. Nothing was appended");
                    default:
                        return rejected(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, "producer " + producerId + " epoch " +
                            producerEpoch + " sent sequences " + firstSeq + ".." + lastSeq + " but the last sequence " +
                            "appended at epoch " + producers.epoch(producerId) + " is " + producers.lastSequence(producerId) +
                            " (a new epoch starts at 0): a batch is missing; the producer must reset its sequence or be " +
                            "restarted. Nothing was appended");
                }
            }
        }

        final long firstOffset;
        final long lastOffset;
        final long logStartOffset;
        final long logAppendTime;
        try
        {
            final var result = log.append(appendBuffer, 0, length, settings.leaderEpoch());
            firstOffset = result.firstOffset();
            lastOffset = result.lastOffset();
            logStartOffset = result.logStartOffset();
            // With LogAppendTime the log stamped every batch with one clock reading: the producer is told it.
            logAppendTime = log.config().messageTimestampType() == LogConfig.TimestampType.LOG_APPEND_TIME ?
                result.maxTimestamp() : NO_TIMESTAMP;
        }
        catch (final LogException ex)
        {
            return rejectedOrFail(produce, ex);
        }

        // Apply: the batch is in the log.
        if (idempotentPosition >= 0)
        {
            producers.update(producerId, producerEpoch, firstSeq, lastSeq, firstOffset, lastOffset);
        }
        return new Appended(topicPartition, firstOffset, logAppendTime, logStartOffset);
    }

    /** Full validation of the batches in {@link #appendBuffer}, for a produce about to be refused anyway. */
    private Rejected validateForRejection(final int length)
    {
        int position = 0;
        while (position < length)
        {
            batch.wrap(appendBuffer, position);
            try
            {
                final int size = batch.validate(length - position, Integer.MAX_VALUE, position);
                if (size > settings.logConfig().maxMessageBytes())
                {
                    return rejected(ErrorCode.MESSAGE_TOO_LARGE, "batch at position " + position + " is " + size +
                        " bytes, above max.message.bytes=" + settings.logConfig().maxMessageBytes() + "; lower the " +
                        "producer's batch.size or raise the topic's max.message.bytes. Nothing was appended");
                }
                position += size;
            }
            catch (final InvalidBatchException ex)
            {
                return rejected(errorCodeOf(ex.reason()), ex.getMessage() + "; nothing was appended, resend the batch");
            }
        }
        return null;
    }

    private ProduceReply rejectedOrFail(final Produce produce, final LogException ex)
    {
        final ErrorCode code = errorCodeOf(ex);
        if (code == ErrorCode.KAFKA_STORAGE_ERROR)
        {
            if (produce.acks() != 0 && produce.replyTo() != null)
            {
                produce.replyTo().tell(rejected(code, ex.getMessage()));
            }
            throw storageFailure(ex);
        }
        return rejected(code, ex.getMessage());
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Fetch
    // ---------------------------------------------------------------------------------------------------------------

    /** A {@link Fetch} or a {@link FetchLocal}: the same checks and long poll, only the reply differs. */
    private Behavior<Command> onFetch(final FetchRequest fetch)
    {
        if (!topicPartition.equals(fetch.topicPartition()))
        {
            reply(fetch, misrouted(fetch.topicPartition()));
            return this;
        }
        if (fetch.maxBytes() <= 0 || fetch.minBytes() < 0 || fetch.maxWaitMs() < 0)
        {
            reply(fetch, rejected(ErrorCode.INVALID_REQUEST, "fetch needs maxBytes > 0, minBytes >= 0 and " +
                "maxWaitMs >= 0 but got " + fetch.maxBytes() + ", " + fetch.minBytes() + ", " + fetch.maxWaitMs()));
            return this;
        }
        final long logEndOffset = log.logEndOffset();
        if (fetch.fetchOffset() < log.logStartOffset() || fetch.fetchOffset() > logEndOffset)
        {
            reply(fetch, offsetOutOfRange(fetch.fetchOffset()));
            return this;
        }
        final int available = readAvailable(fetch);
        if (available < 0)
        {
            return this;
        }
        if (enough(fetch, available) || fetch.maxWaitMs() == 0 || parkedFetches.size() >= settings.maxParkedFetches())
        {
            replyFromRegion(fetch);
        }
        else
        {
            final long key = nextFetchKey++;
            parkedFetches.put(key, fetch);
            timers.startSingleTimer(key, new FetchTimedOut(key), Duration.ofMillis(fetch.maxWaitMs()));
        }
        return this;
    }

    private Behavior<Command> onFetchTimedOut(final FetchTimedOut timedOut)
    {
        final FetchRequest fetch = parkedFetches.remove(timedOut.key());
        if (fetch != null && readAvailable(fetch) >= 0)
        {
            replyFromRegion(fetch);
        }
        return this;
    }

    /** After an append: answers the parked fetches that now have enough. */
    private void completeParkedFetches()
    {
        if (parkedFetches.isEmpty())
        {
            return;
        }
        final long highWatermark = highWatermark();
        final Iterator<Map.Entry<Long, FetchRequest>> entries = parkedFetches.entrySet().iterator();
        while (entries.hasNext())
        {
            final Map.Entry<Long, FetchRequest> entry = entries.next();
            final FetchRequest fetch = entry.getValue();
            if (fetch.fetchOffset() >= highWatermark)
            {
                continue;
            }
            final int available = readAvailable(fetch);
            if (available < 0)
            {
                entries.remove();
                timers.cancel(entry.getKey());
            }
            else if (enough(fetch, available))
            {
                entries.remove();
                timers.cancel(entry.getKey());
                replyFromRegion(fetch);
            }
        }
    }

    /** Kafka's rule: answer once the bytes reach minBytes (capped by the byte limit); minBytes 0 answers at once. */
    private boolean enough(final FetchRequest fetch, final int available)
    {
        return available >= Math.min(fetch.minBytes(), Math.min(fetch.maxBytes(), settings.fetchMaxBytes()));
    }

    /**
     * Reads what the fetch would get into {@link #region}; returns its length, or -1 after answering the fetch with
     * an error.
     */
    private int readAvailable(final FetchRequest fetch)
    {
        try
        {
            final int maxBytes = Math.min(fetch.maxBytes(), settings.fetchMaxBytes());
            return log.read(fetch.fetchOffset(), maxBytes, highWatermark(), region) ? region.length() : 0;
        }
        catch (final LogException ex)
        {
            final ErrorCode code = errorCodeOf(ex);
            if (code == ErrorCode.OFFSET_OUT_OF_RANGE)
            {
                reply(fetch, offsetOutOfRange(fetch.fetchOffset()));
                return -1;
            }
            reply(fetch, rejected(code, ex.getMessage()));
            if (code == ErrorCode.KAFKA_STORAGE_ERROR)
            {
                throw storageFailure(ex);
            }
            return -1;
        }
    }

    /**
     * Answers the fetch with {@link #region} as last read for it: a {@link FetchLocal} with a snapshot of the region's
     * coordinates (the region itself is reused), a {@link Fetch} with a copy of its bytes.
     */
    private void replyFromRegion(final FetchRequest request)
    {
        if (request instanceof FetchLocal local)
        {
            final boolean empty = region.isEmpty();
            local.replyTo().tell(new FetchedRegion(
                topicPartition, empty ? null : region.channel(), empty ? 0 : region.position(), region.length(),
                empty ? -1 : region.firstOffset(), empty ? local.fetchOffset() : region.nextOffset(), highWatermark(),
                log.logStartOffset()));
            return;
        }
        final Fetch fetch = (Fetch)request;
        final int length = region.length();
        byte[] records = NO_RECORDS;
        if (length > 0)
        {
            records = new byte[length];
            try
            {
                final int read = region.readInto(ByteBuffer.wrap(records));
                if (read != length)
                {
                    throw new IOException("short read of " + read + " of " + length + " bytes");
                }
            }
            catch (final IOException ex)
            {
                final LogException failure = new LogException(
                    LogException.Category.IO, "read offset " + fetch.fetchOffset() + " of " + topicPartition, ex);
                fetch.replyTo().tell(rejected(ErrorCode.KAFKA_STORAGE_ERROR, failure.getMessage()));
                throw storageFailure(failure);
            }
        }
        fetch.replyTo().tell(new Fetched(topicPartition, records, highWatermark(), log.logStartOffset()));
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Offsets, deletion, status, housekeeping
    // ---------------------------------------------------------------------------------------------------------------

    private Behavior<Command> onListOffsets(final ListOffsets listOffsets)
    {
        if (!topicPartition.equals(listOffsets.topicPartition()))
        {
            listOffsets.replyTo().tell(misrouted(listOffsets.topicPartition()));
            return this;
        }
        if (listOffsets.spec() == null)
        {
            listOffsets.replyTo().tell(rejected(ErrorCode.INVALID_REQUEST, "list offsets needs a spec: EARLIEST, " +
                "LATEST or BY_TIMESTAMP"));
            return this;
        }
        final OffsetFound found;
        try
        {
            found = switch (listOffsets.spec())
            {
                case EARLIEST -> new OffsetFound(topicPartition, log.logStartOffset(), NO_TIMESTAMP);
                case LATEST -> new OffsetFound(topicPartition, highWatermark(), NO_TIMESTAMP);
                case BY_TIMESTAMP -> findByTimestamp(listOffsets.timestampMs());
            };
        }
        catch (final LogException ex)
        {
            listOffsets.replyTo().tell(rejected(errorCodeOf(ex), ex.getMessage()));
            if (errorCodeOf(ex) == ErrorCode.KAFKA_STORAGE_ERROR)
            {
                throw storageFailure(ex);
            }
            return this;
        }
        listOffsets.replyTo().tell(found);
        return this;
    }

    /** Only committed records count: one at or above the high watermark is not found yet. */
    private OffsetFound findByTimestamp(final long timestampMs)
    {
        final TimestampedOffset found = log.findByTimestamp(timestampMs);
        return null == found || found.offset() >= highWatermark() ? new OffsetFound(topicPartition, -1, NO_TIMESTAMP) :
            new OffsetFound(topicPartition, found.offset(), found.timestamp());
    }

    private Behavior<Command> onDeleteRecords(final DeleteRecords delete)
    {
        if (!topicPartition.equals(delete.topicPartition()))
        {
            delete.replyTo().tell(misrouted(delete.topicPartition()));
            return this;
        }
        final long highWatermark = highWatermark();
        final long before = delete.beforeOffset() == -1 ? highWatermark : delete.beforeOffset();
        if (before < 0 || before > highWatermark)
        {
            delete.replyTo().tell(rejected(ErrorCode.OFFSET_OUT_OF_RANGE, "cannot delete records before " +
                delete.beforeOffset() + ": use an offset in [0, " + highWatermark + "] (the high watermark), or -1 for " +
                "the high watermark"));
            return this;
        }
        try
        {
            log.deleteRecordsBefore(before);
        }
        catch (final LogException ex)
        {
            delete.replyTo().tell(rejected(errorCodeOf(ex), ex.getMessage()));
            if (errorCodeOf(ex) == ErrorCode.KAFKA_STORAGE_ERROR)
            {
                throw storageFailure(ex);
            }
            return this;
        }
        delete.replyTo().tell(new RecordsDeleted(topicPartition, log.logStartOffset()));
        return this;
    }

    /**
     * Kafka's rule: the epoch asked about, if it is the current one, ends at the log end offset; an epoch above the
     * current one is unknown (-1, -1); an older one ends where the first later epoch in the log starts, and is
     * reported as the largest epoch at or below it that the log has (the one asked about if the log has none below).
     * The current epoch may not be in the epoch cache yet (nothing appended with it): it still ends at the log end.
     */
    private Behavior<Command> onOffsetForLeaderEpoch(final OffsetForLeaderEpoch request)
    {
        if (!topicPartition.equals(request.topicPartition()))
        {
            request.replyTo().tell(misrouted(request.topicPartition()));
            return this;
        }
        final int asked = request.leaderEpoch();
        final int current = settings.leaderEpoch();
        if (asked < 0 || asked > current)
        {
            request.replyTo().tell(new EpochEndOffset(
                topicPartition, LeaderEpochCache.UNDEFINED_EPOCH, LeaderEpochCache.UNDEFINED_OFFSET));
            return this;
        }
        if (asked == current)
        {
            request.replyTo().tell(new EpochEndOffset(topicPartition, current, log.logEndOffset()));
            return this;
        }
        final LeaderEpochCache epochs = log.leaderEpochs();
        int floor = LeaderEpochCache.UNDEFINED_EPOCH;
        long endOffset = log.logEndOffset();
        for (int i = 0; i < epochs.size(); i++)
        {
            if (epochs.epochAt(i) <= asked)
            {
                floor = epochs.epochAt(i);
            }
            else
            {
                endOffset = epochs.startOffsetAt(i);
                break;
            }
        }
        request.replyTo().tell(new EpochEndOffset(
            topicPartition, floor == LeaderEpochCache.UNDEFINED_EPOCH ? asked : floor, endOffset));
        return this;
    }

    private Behavior<Command> onDescribeProducers(final DescribeProducers request)
    {
        if (!topicPartition.equals(request.topicPartition()))
        {
            request.replyTo().tell(misrouted(request.topicPartition()));
            return this;
        }
        request.replyTo().tell(new ProducersDescribed(topicPartition, producers.describe()));
        return this;
    }

    private Behavior<Command> onGetStatus(final GetStatus getStatus)
    {
        getStatus.replyTo().tell(new Status(
            topicPartition, settings.leaderEpoch(), log.logStartOffset(), log.logEndOffset(), highWatermark(),
            log.segmentCount(), log.sizeInBytes(), producers.producerCount(), parkedFetches.size()));
        return this;
    }

    private Behavior<Command> onRetentionTick()
    {
        try
        {
            final int deleted = log.deleteOldSegments();
            if (deleted > 0)
            {
                getContext().getLog().info(
                    "partition {}: retention deleted {} segments, log start offset now {}", topicPartition, deleted,
                    log.logStartOffset());
            }
            log.flushIfDue();
        }
        catch (final LogException ex)
        {
            throw storageFailure(ex);
        }
        return this;
    }

    private Behavior<Command> onPostStop(final PostStop stop)
    {
        answerParkedFetches(ErrorCode.NOT_LEADER_OR_FOLLOWER, "partition replica " + topicPartition + " stopped; " +
            "refresh metadata and fetch again");
        try
        {
            log.close();
        }
        catch (final RuntimeException ex)
        {
            getContext().getLog().error("partition {}: closing the log failed", topicPartition, ex);
        }
        return this;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------------------------

    /** One replica, so every appended record is committed: the high watermark is the log end offset. */
    private long highWatermark()
    {
        return log.logEndOffset();
    }

    private void answerParkedFetches(final ErrorCode code, final String message)
    {
        for (final Map.Entry<Long, FetchRequest> entry : parkedFetches.entrySet())
        {
            timers.cancel(entry.getKey());
            reply(entry.getValue(), rejected(code, message));
        }
        parkedFetches.clear();
    }

    /** Answers everyone waiting and returns the exception to throw, so that supervision sees the failure. */
    private LogException storageFailure(final LogException ex)
    {
        getContext().getLog().error("partition {}: storage failure, stopping the replica", topicPartition, ex);
        answerParkedFetches(ErrorCode.KAFKA_STORAGE_ERROR, "the log of " + topicPartition + " failed: " + ex.getMessage() +
            "; fetch from another replica");
        return ex;
    }

    /** Sends {@code rejected} to the fetch's {@code replyTo}, whichever of the two fetches it is. */
    private static void reply(final FetchRequest fetch, final Rejected rejected)
    {
        if (fetch instanceof FetchLocal local)
        {
            local.replyTo().tell(rejected);
        }
        else
        {
            ((Fetch)fetch).replyTo().tell(rejected);
        }
    }

    private Rejected rejected(final ErrorCode code, final String message)
    {
        return new Rejected(topicPartition, code, message);
    }

    private Rejected misrouted(final TopicPartition asked)
    {
        return rejected(ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, "this replica serves " + topicPartition + ", not " + asked +
            "; refresh metadata and send to the right partition");
    }

    private Rejected offsetOutOfRange(final long offset)
    {
        return rejected(ErrorCode.OFFSET_OUT_OF_RANGE, "offset " + offset + " is outside [" + log.logStartOffset() + ", " +
            log.logEndOffset() + "]; reset the position with ListOffsets (EARLIEST or LATEST)");
    }

    /** The client error for a log failure; {@link ErrorCode#KAFKA_STORAGE_ERROR} means the replica must stop. */
    static ErrorCode errorCodeOf(final LogException ex)
    {
        return switch (ex.category())
        {
            case OFFSET_OUT_OF_RANGE -> ErrorCode.OFFSET_OUT_OF_RANGE;
            case INVALID_BATCH -> ex.batchReason() == null ? ErrorCode.CORRUPT_MESSAGE : errorCodeOf(ex.batchReason());
            case RECORD_TOO_LARGE -> ErrorCode.MESSAGE_TOO_LARGE;
            case FENCED_LEADER_EPOCH -> ErrorCode.NOT_LEADER_OR_FOLLOWER;
            case NON_CONTIGUOUS, CONFIG -> ErrorCode.INVALID_REQUEST;
            case CORRUPT, IO, CLOSED -> ErrorCode.KAFKA_STORAGE_ERROR;
        };
    }

    /** Bytes that are not a sound batch are corrupt; a sound batch the broker does not accept is an invalid record. */
    static ErrorCode errorCodeOf(final InvalidBatchException.Reason reason)
    {
        return switch (reason)
        {
            case TRUNCATED, LENGTH_OUT_OF_RANGE, BAD_CRC, BAD_VARINT, BAD_COMPRESSED_DATA -> ErrorCode.CORRUPT_MESSAGE;
            case BAD_MAGIC, UNKNOWN_COMPRESSION, BAD_RECORD -> ErrorCode.INVALID_RECORD;
        };
    }

    /**
     * Replays the header of every batch from the log start into {@code producers}; returns the number of batches
     * read. A full scan: fine for now, to be bounded by a producer-state snapshot.
     */
    static long rebuildProducerState(final Log log, final ProducerStateManager producers)
    {
        producers.clear();
        final FileRegion scan = new FileRegion();
        final RecordBatchFlyweight header = new RecordBatchFlyweight();
        final UnsafeBuffer view = new UnsafeBuffer(new byte[0]);
        ByteBuffer bytes = ByteBuffer.allocate(0);
        long batches = 0;
        long next = log.logStartOffset();
        while (log.read(next, SCAN_BYTES, Long.MAX_VALUE, scan))
        {
            if (bytes.capacity() < scan.length())
            {
                bytes = ByteBuffer.allocate(Math.max(scan.length(), SCAN_BYTES));
            }
            bytes.clear();
            try
            {
                if (scan.readInto(bytes) != scan.length())
                {
                    throw new IOException("short read of " + scan);
                }
            }
            catch (final IOException ex)
            {
                throw new LogException(LogException.Category.IO, "rebuild producer state from " + log.directory(), ex);
            }
            view.wrap(bytes.array(), 0, scan.length());
            int position = 0;
            while (position < scan.length())
            {
                header.wrap(view, position);
                if (header.producerId() != RecordBatchDescriptor.NO_PRODUCER_ID)
                {
                    producers.update(
                        header.producerId(), header.producerEpoch(), header.baseSequence(), header.lastSequence(),
                        header.baseOffset(), header.lastOffset());
                }
                position += header.sizeInBytes();
                batches++;
            }
            next = scan.nextOffset();
        }
        return batches;
    }
}
