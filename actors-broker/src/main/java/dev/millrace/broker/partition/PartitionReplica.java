package dev.millrace.broker.partition;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import dev.millrace.broker.log.AppendResult;
import dev.millrace.broker.log.FileRegion;
import dev.millrace.broker.log.LeaderEpochCache;
import dev.millrace.broker.log.Log;
import dev.millrace.broker.log.LogConfig;
import dev.millrace.broker.log.LogException;
import dev.millrace.broker.log.TimestampedOffset;
import dev.millrace.broker.partition.PartitionProtocol.Appended;
import dev.millrace.broker.partition.PartitionProtocol.CancelFetch;
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
import dev.millrace.broker.partition.PartitionProtocol.LeaderAndIsr;
import dev.millrace.broker.partition.PartitionProtocol.ListOffsets;
import dev.millrace.broker.partition.PartitionProtocol.OffsetForLeaderEpoch;
import dev.millrace.broker.partition.PartitionProtocol.OffsetFound;
import dev.millrace.broker.partition.PartitionProtocol.Produce;
import dev.millrace.broker.partition.PartitionProtocol.ProduceReply;
import dev.millrace.broker.partition.PartitionProtocol.ProducersDescribed;
import dev.millrace.broker.partition.PartitionProtocol.RecordsDeleted;
import dev.millrace.broker.partition.PartitionProtocol.Rejected;
import dev.millrace.broker.partition.PartitionProtocol.ReplicaFetch;
import dev.millrace.broker.partition.PartitionProtocol.ReplicaFetchReply;
import dev.millrace.broker.partition.PartitionProtocol.ReplicaFetched;
import dev.millrace.broker.partition.PartitionProtocol.Status;
import dev.millrace.broker.partition.PartitionProtocol.TopicPartition;
import dev.millrace.serialization.batch.InvalidBatchException;
import dev.millrace.serialization.batch.RecordBatchDescriptor;
import dev.millrace.serialization.batch.RecordBatchFlyweight;
import org.agrona.concurrent.UnsafeBuffer;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
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
 * {@link PartitionProtocol} and is the partition's leader or one of its followers, as the controller decides
 * ({@link LeaderAndIsr}; see {@code docs/replication.md}). A single-replica partition is always its own leader and its
 * high watermark is its log end offset.
 *
 * <p><b>Roles.</b> The first decision comes with {@link Replication#initial()}, later ones as {@link LeaderAndIsr};
 * a stale one (lower leader epoch, or a partition epoch not above the last applied) is ignored. The leader appends
 * produce batches, parks its followers' {@link ReplicaFetch}es, tracks their log end offsets
 * ({@link FollowerTracker}), moves the high watermark to the minimum over the ISR, answers acks=all produces once the
 * high watermark passes them ({@link PendingAcks}) and asks the controller ({@link IsrChanger}) to shrink or expand
 * the ISR. A follower refuses clients ({@link ErrorCode#NOT_LEADER_OR_FOLLOWER}) and pulls from the leader through
 * {@link ReplicaPeers}, one fetch outstanding at a time, appending the leader's batches as they are (offsets and
 * epochs kept) and truncating first when the leader says the logs diverged.
 *
 * <p><b>Threading contract.</b> The actor is the log's single writer: every append, retention run, flush and the
 * close happen in its message handlers, one at a time. It never blocks on anything but the log's own file I/O.
 *
 * <p><b>Produce.</b> The payload is walked once for framing and producer ids and checked against the
 * {@link ProducerStateManager}; a request to append is then staged ({@link PendingAppends}) with the others that are
 * already in the mailbox, and the group is copied once into a direct buffer (the messages are never changed) and
 * appended as one, which validates every batch and appends all or nothing; only after a successful append is the
 * producer state updated (decide, then apply), and each request answered with its own base offset, in request order
 * (an acks=all one once the high watermark passes its own last offset). Any other message appends the staged
 * requests first. Expected failures are {@link Rejected} replies; a storage failure ({@code IO}, {@code CORRUPT},
 * {@code CLOSED}) is answered with {@link ErrorCode#KAFKA_STORAGE_ERROR} and then thrown, so the actor stops
 * (supervision decides what next) and closes its log.
 *
 * <p><b>Fetch.</b> Answered at once when at least {@code minBytes} (or {@code maxBytes}) are readable, when
 * {@code maxWaitMs} is 0, or when {@code max-parked-fetches} fetches already wait; otherwise parked with a timer
 * of {@code maxWaitMs}. Every append re-checks the parked fetches below the new high watermark; a parked fetch is
 * answered when enough has arrived, when its timer fires or when a {@link CancelFetch} names it, with whatever there
 * is. No polling. Reads go through a
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
    /** The replica's own messages (timers, staged appends): local only, never serialized, never sent by others. */
    sealed interface Internal extends Command, NoSerializationVerificationNeeded
        permits FetchTimedOut, RetentionTick, AppendPending, IsrCheckTick, HighWatermarkCheckpointTick, IsrChangeResult, ReplicaFetchResponse, ReplicaFetchTimedOut,
        ReplicaFetchRetry, ParkedReplicaFetchTimedOut, AcksTimedOut
    {
    }

    /** Sent to itself by the first staged produce of a group: append the group ({@link #appendPending}). */
    private enum AppendPending implements Internal
    {
        INSTANCE
    }

    private enum IsrCheckTick implements Internal
    {
        INSTANCE
    }

    private enum HighWatermarkCheckpointTick implements Internal
    {
        INSTANCE
    }

    private record IsrChangeResult(long seq, LeaderAndIsr result, Throwable failure) implements Internal
    {
    }

    private record ReplicaFetchResponse(ReplicaFetchReply reply) implements Internal
    {
    }

    private record ReplicaFetchTimedOut(long fetchSeq) implements Internal
    {
    }

    private record ReplicaFetchRetry(long fetchSeq) implements Internal
    {
    }

    private record ParkedReplicaFetchTimedOut(int replicaId) implements Internal
    {
    }

    private record AcksTimedOut(long key) implements Internal
    {
    }

    /** Timer keys of the replication timers (the parked client fetches use their {@code Long} keys). */
    private record ParkedReplicaFetchKey(int replicaId)
    {
    }

    private record AcksKey(long key)
    {
    }

    private enum TimerKey
    {
        ISR_CHECK, REPLICA_FETCH, HIGH_WATERMARK_CHECKPOINT
    }

    /** A follower's fetch parked at the leader, with the high watermark it would have been told. */
    private record ParkedReplicaFetch(ReplicaFetch fetch, long highWatermark)
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
    /**
     * Most bytes of staged produce requests appended as one: a request that would take a group past it appends the
     * group first. A group fills from the requests already in the mailbox, so it is large only under load. Kept well
     * below a requester's whole window: a group that takes every request in flight leaves the replica idle while
     * the requester refills (measured on a quiet machine: 1 MiB groups, i.e. all 16 requests of the broker
     * benchmark's window, halved its append rate; 256 KiB did not).
     */
    static final int MAX_PENDING_BYTES = 256 * 1024;
    private static final ThreadLocal<UnsafeBuffer> APPEND_BUFFERS =
        ThreadLocal.withInitial(() -> new UnsafeBuffer(ByteBuffer.allocateDirect(64 * 1024)));

    private final PartitionReplicaSettings settings;
    private final TopicPartition topicPartition;
    private final TimerScheduler<Command> timers;
    private final Log log;
    private final ProducerStateManager producers = new ProducerStateManager();
    private final RecordBatchFlyweight batch = new RecordBatchFlyweight();
    private final FileRegion region = new FileRegion();
    private final UnsafeBuffer requestView = new UnsafeBuffer(new byte[0]);
    private final PendingAppends pending = new PendingAppends();
    private final Decision decision = new Decision();
    private boolean appendPendingScheduled;
    private Receive<Command> receive;
    private final Map<Long, FetchRequest> parkedFetches = new LinkedHashMap<>();
    private long nextFetchKey;

    // Replication: the controller's last applied decision and this replica's role in it.
    private final Replication replication;
    private final int brokerId;
    private final FollowerTracker followers;
    private final PendingAcks pendingAcks = new PendingAcks();
    private final Map<Integer, ParkedReplicaFetch> parkedReplicaFetches = new HashMap<>();
    private final ActorRef<ReplicaFetchReply> replicaFetchReplies;
    private LeaderAndIsr state;
    private boolean leader;
    private int leaderEpoch;
    private long highWatermark;
    private long leaderEpochStartOffset;
    private boolean isrChangeInFlight;
    private long isrChangeSeq;
    // Follower: the one outstanding fetch.
    private boolean replicaFetchInFlight;
    private long replicaFetchSeq;
    private long replicaFetchOffset;

    /**
     * Where replicas run: the dispatcher {@code millrace.broker.partition.dispatcher}, so that log I/O stays off Pekko's
     * default dispatcher. Spawn every replica with these props.
     */
    public static final Props PROPS = DispatcherSelector.fromConfig("millrace.broker.partition.dispatcher");

    /**
     * The behavior of the only replica of a partition, its leader at {@link PartitionReplicaSettings#leaderEpoch()};
     * opens (and if needed recovers) the log in {@link PartitionReplicaSettings#logDir()}.
     */
    public static Behavior<Command> create(final PartitionReplicaSettings settings)
    {
        return create(settings, Replication.single(
            settings.topicPartition(), 0, settings.leaderEpoch(), ReplicationSettings.DEFAULTS));
    }

    /**
     * The behavior of a replica taking part in replication as {@code replication} says; opens (and if needed
     * recovers) the log in {@link PartitionReplicaSettings#logDir()}.
     */
    public static Behavior<Command> create(final PartitionReplicaSettings settings, final Replication replication)
    {
        return Behaviors.setup(context -> Behaviors.withTimers(
            timers -> new PartitionReplica(context, timers, settings, replication)));
    }

    private PartitionReplica(
        final ActorContext<Command> context, final TimerScheduler<Command> timers, final PartitionReplicaSettings settings,
        final Replication replication)
    {
        super(context);
        this.settings = settings;
        this.topicPartition = settings.topicPartition();
        this.timers = timers;
        this.replication = replication;
        this.brokerId = replication.brokerId();
        this.followers = new FollowerTracker(brokerId);
        this.leaderEpoch = settings.leaderEpoch();
        this.replicaFetchReplies = context.messageAdapter(ReplicaFetchReply.class, ReplicaFetchResponse::new);
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
        // A replicated partition's committed offset survives restarts (a single replica's is its log end anyway).
        final long checkpointed = log.checkpointedHighWatermark();
        this.highWatermark = checkpointed < 0 ? log.logStartOffset() :
            Math.max(log.logStartOffset(), Math.min(checkpointed, log.logEndOffset()));
        try
        {
            applyDecision(replication.initial());
        }
        catch (final RuntimeException ex)
        {
            log.close();
            throw ex;
        }
    }

    @Override
    public Receive<Command> createReceive()
    {
        receive = newReceiveBuilder()
            .onMessage(Produce.class, this::onProduce)
            .onMessageEquals(AppendPending.INSTANCE, this::onAppendPending)
            .onMessage(Command.class, command -> !pending.isEmpty(), this::onOtherWhilePending)
            .onMessage(Fetch.class, fetch -> fetch.replyTo() == null, this::onNoReplyTo)
            .onMessage(Fetch.class, this::onFetch)
            .onMessage(FetchLocal.class, fetch -> fetch.replyTo() == null, this::onNoReplyTo)
            .onMessage(FetchLocal.class, this::onFetch)
            .onMessage(CancelFetch.class, this::onCancelFetch)
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
            .onMessage(LeaderAndIsr.class, this::onLeaderAndIsr)
            .onMessage(ReplicaFetch.class, fetch -> fetch.replyTo() == null, this::onNoReplyTo)
            .onMessage(ReplicaFetch.class, this::onReplicaFetch)
            .onMessage(ReplicaFetchResponse.class, this::onReplicaFetchResponse)
            .onMessage(ReplicaFetchTimedOut.class, this::onReplicaFetchTimedOut)
            .onMessage(ReplicaFetchRetry.class, this::onReplicaFetchRetry)
            .onMessage(ParkedReplicaFetchTimedOut.class, this::onParkedReplicaFetchTimedOut)
            .onMessage(AcksTimedOut.class, this::onAcksTimedOut)
            .onMessageEquals(IsrCheckTick.INSTANCE, this::onIsrCheck)
            .onMessageEquals(HighWatermarkCheckpointTick.INSTANCE, this::onHighWatermarkCheckpoint)
            .onMessage(IsrChangeResult.class, this::onIsrChangeResult)
            .onMessage(FetchTimedOut.class, this::onFetchTimedOut)
            .onMessageEquals(RetentionTick.INSTANCE, this::onRetentionTick)
            .onSignal(PostStop.class, this::onPostStop)
            .build();
        return receive;
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

    /**
     * Decides the request at once ({@link #decide}); one that needs an append is staged in {@link #pending}. The first
     * request of a group sends the replica {@link AppendPending}, which arrives after every message already in the
     * mailbox: the produce requests among them join the group, which then goes to the log as one append. Under load a
     * burst of requests costs one validation pass and one file write, and its replies leave together (one wake-up of
     * each requester's thread instead of one per request); alone, a request waits for nothing but the self-message.
     */
    private Behavior<Command> onProduce(final Produce produce)
    {
        // A group about to grow past its cap goes first. (Before the decision: an append the log refuses decides its
        // requests again, one by one, in the same reused Decision.)
        final byte[] records = produce.records();
        if (records != null && !pending.isEmpty() && pending.bytes() + records.length > MAX_PENDING_BYTES)
        {
            appendPending();
        }
        final ProduceReply early = leader ? decide(produce) : notLeader(produce.topicPartition());
        if (early != null)
        {
            final long duplicateEndOffset = decision.duplicateEndOffset;
            // Answered without an append: the staged requests go first, so that replies keep the requests' order.
            appendPending();
            answer(produce, early, duplicateEndOffset);
            if (early instanceof Appended)
            {
                onLogAppended();
            }
            return this;
        }
        if (!appendPendingScheduled)
        {
            appendPendingScheduled = true;
            getContext().getSelf().tell(AppendPending.INSTANCE);
        }
        pending.add(produce, decision.offsetCount, decision.producerId, decision.producerEpoch, decision.firstSequence,
            decision.lastSequence);
        return this;
    }

    private Behavior<Command> onAppendPending()
    {
        appendPendingScheduled = false;
        appendPending();
        return this;
    }

    /**
     * Any other message sees the staged produce requests appended first, as if each had been appended on arrival:
     * a sender's later request (a fetch, a status, even after an acks=0 produce) observes its earlier produce, and a
     * leadership change applies to what was produced before it.
     */
    private Behavior<Command> onOtherWhilePending(final Command command) throws Exception
    {
        appendPending();
        return receive.receiveMessage(command);
    }

    /**
     * Answers a produce: an appended acks=all one whose records ({@code endOffset} is one past its last) are above the
     * high watermark waits in {@link #pendingAcks}; any other is answered now, unless it asked for no reply (acks 0).
     */
    private void answer(final Produce produce, final ProduceReply reply, final long endOffset)
    {
        if (produce.acks() == -1 && reply instanceof Appended appended && produce.replyTo() != null &&
            endOffset > highWatermark())
        {
            awaitCommit(appended, endOffset, produce.replyTo());
        }
        else if (produce.acks() != 0 && produce.replyTo() != null)
        {
            produce.replyTo().tell(reply);
        }
        else if (reply instanceof Rejected rejected)
        {
            getContext().getLog().debug("acks=0 produce to {} rejected, no reply: {}", topicPartition, rejected);
        }
    }

    /**
     * What can be decided about a produce before its append: null when it is to be appended (its offset count and
     * producer in {@link #decision}), else its reply: a refusal, or for a retry of a retained idempotent batch the
     * original offsets (the end of which in {@link Decision#duplicateEndOffset}). Checks the framing of every batch,
     * control and transactional flags, and the producer's epoch and sequence; the log validates the batches in depth
     * when it appends them. Reads the request's own array.
     */
    private ProduceReply decide(final Produce produce)
    {
        decision.duplicateEndOffset = -1;
        if (!topicPartition.equals(produce.topicPartition()))
        {
            return misrouted(produce.topicPartition());
        }
        final short acks = produce.acks();
        if (acks != -1 && acks != 0 && acks != 1)
        {
            return rejected(ErrorCode.INVALID_REQUIRED_ACKS, "acks must be -1 (all), 0 or 1 but was " + acks);
        }
        if (acks == -1 && !enoughInsync())
        {
            return rejected(ErrorCode.NOT_ENOUGH_REPLICAS, "acks=all needs min.insync.replicas=" +
                replication.minInsyncReplicas() + " in-sync replicas but the ISR is " + state.isr() + "; nothing was " +
                "appended, retry when the followers have caught up");
        }
        final byte[] records = produce.records();
        if (records == null || records.length == 0)
        {
            return rejected(ErrorCode.INVALID_REQUEST, "a produce needs at least one record batch, got none");
        }
        final int length = records.length;
        requestView.wrap(records);

        // Framing and producer ids of every batch, before the log validates and appends.
        int batchCount = 0;
        int idempotentPosition = -1;
        int position = 0;
        long offsetCount = 0;
        while (position < length)
        {
            batch.wrap(requestView, position);
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
            offsetCount += batch.lastOffsetDelta() + 1L;
            batchCount++;
            position += size;
        }
        if (idempotentPosition >= 0 && batchCount > 1)
        {
            return rejected(ErrorCode.INVALID_RECORD, "a batch with a producer id must be the only batch of its produce " +
                "(as in Kafka's produce v3+), this one has " + batchCount + "; nothing was appended");
        }
        if (idempotentPosition < 0)
        {
            decision.set(offsetCount, RecordBatchDescriptor.NO_PRODUCER_ID, RecordBatchDescriptor.NO_PRODUCER_EPOCH,
                RecordBatchDescriptor.NO_SEQUENCE, RecordBatchDescriptor.NO_SEQUENCE);
            return null;
        }

        batch.wrap(requestView, idempotentPosition);
        final long producerId = batch.producerId();
        final short producerEpoch = batch.producerEpoch();
        final int firstSeq = batch.baseSequence();
        final int lastSeq = batch.lastSequence();
        if (producerEpoch < 0 || firstSeq < 0)
        {
            return rejected(ErrorCode.INVALID_RECORD, "batch of producer " + producerId + " has epoch " + producerEpoch +
                " and base sequence " + firstSeq + ": an idempotent batch needs both >= 0; nothing was appended");
        }
        final int staged = pending.lastIndexOf(producerId);
        if (staged >= 0)
        {
            if (pending.continues(staged, producerEpoch, firstSeq))
            {
                // The next batch of one staged in this group, which was checked against the producer state.
                decision.set(offsetCount, producerId, producerEpoch, firstSeq, lastSeq);
                return null;
            }
            // A retry, a new epoch or a gap: decided against the producer state, which must know the staged batches.
            // (Before filling in the decision: a group the log refuses is decided again request by request.)
            appendPending();
        }
        decision.set(offsetCount, producerId, producerEpoch, firstSeq, lastSeq);
        final ProducerStateManager.Verdict verdict = producers.check(producerId, producerEpoch, firstSeq, lastSeq);
        if (verdict == ProducerStateManager.Verdict.APPEND)
        {
            return null;
        }
        // A corrupt batch must be reported as corrupt, not as a sequence problem: the append would have validated it,
        // so validate it here on this (rare) path.
        final Rejected invalid = validateForRejection(length);
        if (invalid != null)
        {
            return invalid;
        }
        return switch (verdict)
        {
            case DUPLICATE ->
            {
                decision.duplicateEndOffset = producers.duplicateLastOffset() + 1;
                yield new Appended(topicPartition, producers.duplicateFirstOffset(), NO_TIMESTAMP, log.logStartOffset());
            }
            case INVALID_PRODUCER_EPOCH -> rejected(ErrorCode.INVALID_PRODUCER_EPOCH, "producer " + producerId + " epoch " +
                producerEpoch + " is older than its current epoch " + producers.epoch(producerId) + ": a newer instance " +
                "of this producer fenced it; close this producer. Nothing was appended");
            default -> rejected(ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, "producer " + producerId + " epoch " +
                producerEpoch + " sent sequences " + firstSeq + ".." + lastSeq + " but the last sequence appended at " +
                "epoch " + producers.epoch(producerId) + " is " + producers.lastSequence(producerId) + " (a new epoch " +
                "starts at 0): a batch is missing; the producer must reset its sequence or be restarted. Nothing was " +
                "appended");
        };
    }

    /**
     * Appends the staged requests as one, then updates the producer state and answers each with its own base offset
     * (the group's first offset plus the offsets of the requests before it), in order: at once, or for acks=all
     * through {@link #pendingAcks} once the high watermark passes that request's own last offset. The log appends all
     * or nothing: when it refuses the group (one bad batch), each request is decided and appended again on its own
     * ({@link #appendOneByOne}), so that only the bad ones are refused. A storage failure answers all of them and
     * stops the replica.
     */
    private void appendPending()
    {
        if (pending.isEmpty())
        {
            return;
        }
        final UnsafeBuffer buffer = appendBuffer(pending.bytes());
        final int length = pending.copyTo(buffer);
        final AppendResult result;
        try
        {
            result = log.append(buffer, 0, length, leaderEpoch);
        }
        catch (final LogException ex)
        {
            final ErrorCode code = errorCodeOf(ex);
            if (code == ErrorCode.KAFKA_STORAGE_ERROR)
            {
                answerPending(code, ex.getMessage());
                throw storageFailure(ex);
            }
            if (pending.size() == 1)
            {
                final Produce produce = pending.request(0);
                pending.clear();
                answer(produce, rejected(code, ex.getMessage()), -1);
                return;
            }
            appendOneByOne();
            return;
        }
        // With LogAppendTime the log stamped every batch with one clock reading: the producer is told it.
        final long logAppendTime = log.config().messageTimestampType() == LogConfig.TimestampType.LOG_APPEND_TIME ?
            result.maxTimestamp() : NO_TIMESTAMP;
        final long logStartOffset = result.logStartOffset();
        long offset = result.firstOffset();
        final int size = pending.size();
        for (int i = 0; i < size; i++)
        {
            final long lastOffset = offset + pending.offsetCount(i) - 1;
            // Apply: the batch is in the log.
            if (pending.producerId(i) != RecordBatchDescriptor.NO_PRODUCER_ID)
            {
                producers.update(pending.producerId(i), pending.producerEpoch(i), pending.firstSequence(i),
                    pending.lastSequence(i), offset, lastOffset);
            }
            answer(pending.request(i), new Appended(topicPartition, offset, logAppendTime, logStartOffset), lastOffset + 1);
            offset = lastOffset + 1;
        }
        pending.clear();
        if (offset != result.lastOffset() + 1)
        {
            throw new IllegalStateException("partition " + topicPartition + ": the staged requests span offsets up to " +
                (offset - 1) + " but the log appended up to " + result.lastOffset());
        }
        onLogAppended();
    }

    /** A group the log refused as a whole: each request decided and appended on its own, in order. Rare. */
    private void appendOneByOne()
    {
        final Produce[] requests = new Produce[pending.size()];
        for (int i = 0; i < requests.length; i++)
        {
            requests[i] = pending.request(i);
        }
        pending.clear();
        for (final Produce produce : requests)
        {
            final ProduceReply early = decide(produce);
            if (early != null)
            {
                answer(produce, early, decision.duplicateEndOffset);
                continue;
            }
            pending.add(produce, decision.offsetCount, decision.producerId, decision.producerEpoch,
                decision.firstSequence, decision.lastSequence);
            appendPending();
        }
    }

    /** Answers every staged request with {@code code} (nothing of them was appended) and forgets them. */
    private void answerPending(final ErrorCode code, final String message)
    {
        for (int i = 0; i < pending.size(); i++)
        {
            answer(pending.request(i), rejected(code, message), -1);
        }
        pending.clear();
    }

    /**
     * The buffer a group is laid out in for its append: per thread, shared by the replicas that run on it (each uses
     * it only within one message), and direct, so that the file write copies nothing more.
     */
    private static UnsafeBuffer appendBuffer(final int length)
    {
        final UnsafeBuffer buffer = APPEND_BUFFERS.get();
        if (buffer.capacity() < length)
        {
            buffer.wrap(ByteBuffer.allocateDirect(Math.max(length, buffer.capacity() * 2)));
        }
        return buffer;
    }

    /** Full validation of the batches of the request in {@link #requestView}, for a produce about to be refused anyway. */
    private Rejected validateForRejection(final int length)
    {
        int position = 0;
        while (position < length)
        {
            batch.wrap(requestView, position);
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

    /** What {@link #decide} found out about a request; reused. */
    private static final class Decision
    {
        long offsetCount;
        long producerId;
        short producerEpoch;
        int firstSequence;
        int lastSequence;
        /** For a retry answered with its original offsets: one past its last offset; else -1. */
        long duplicateEndOffset = -1;

        void set(final long offsetCount, final long producerId, final short producerEpoch, final int firstSequence,
            final int lastSequence)
        {
            this.offsetCount = offsetCount;
            this.producerId = producerId;
            this.producerEpoch = producerEpoch;
            this.firstSequence = firstSequence;
            this.lastSequence = lastSequence;
        }
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
        if (!leader)
        {
            reply(fetch, notLeader(fetch.topicPartition()));
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

    /** Answers the parked fetch of {@code fetchReplyTo} now, as its timer would; nothing when none is parked. */
    private Behavior<Command> onCancelFetch(final CancelFetch cancel)
    {
        final Iterator<Map.Entry<Long, FetchRequest>> entries = parkedFetches.entrySet().iterator();
        while (entries.hasNext())
        {
            final Map.Entry<Long, FetchRequest> entry = entries.next();
            final FetchRequest fetch = entry.getValue();
            if (fetch.replyTo().equals(cancel.fetchReplyTo()))
            {
                entries.remove();
                timers.cancel(entry.getKey());
                if (readAvailable(fetch) >= 0)
                {
                    replyFromRegion(fetch);
                }
                break;
            }
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
        if (!leader)
        {
            listOffsets.replyTo().tell(notLeader(listOffsets.topicPartition()));
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
        if (!leader)
        {
            delete.replyTo().tell(notLeader(delete.topicPartition()));
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
        if (!leader)
        {
            request.replyTo().tell(notLeader(request.topicPartition()));
            return this;
        }
        final int asked = request.leaderEpoch();
        final int current = leaderEpoch;
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
            topicPartition, leaderEpoch, log.logStartOffset(), log.logEndOffset(), highWatermark(),
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
        answerPending(ErrorCode.NOT_LEADER_OR_FOLLOWER, "partition replica " + topicPartition + " stopped before " +
            "appending the produce; nothing was appended: refresh metadata and send it again");
        answerParkedFetches(ErrorCode.NOT_LEADER_OR_FOLLOWER, "partition replica " + topicPartition + " stopped; " +
            "refresh metadata and fetch again");
        pendingAcks.failAll(ErrorCode.NOT_LEADER_OR_FOLLOWER, "partition replica " + topicPartition + " stopped " +
            "before the batch was committed; retry", key -> { });
        answerParkedReplicaFetches();
        if (state != null && state.replicas().size() > 1)
        {
            try
            {
                log.checkpointHighWatermark(highWatermark());
            }
            catch (final RuntimeException ex)
            {
                getContext().getLog().warn("partition {}: could not checkpoint the high watermark on stop", topicPartition, ex);
            }
        }
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
    // Replication: roles
    // ---------------------------------------------------------------------------------------------------------------

    private Behavior<Command> onLeaderAndIsr(final LeaderAndIsr decision)
    {
        if (!topicPartition.equals(decision.topicPartition()))
        {
            getContext().getLog().warn("partition {}: dropped {} meant for another partition", topicPartition, decision);
            return this;
        }
        if (isStale(decision))
        {
            getContext().getLog().debug("partition {}: ignored stale {} (applied: {})", topicPartition, decision, state);
            return this;
        }
        applyDecision(decision);
        return this;
    }

    /** A decision older than the applied one: a lower leader epoch, or a partition epoch not above the last applied. */
    private boolean isStale(final LeaderAndIsr decision)
    {
        return state != null &&
            (decision.leaderEpoch() < state.leaderEpoch() || decision.partitionEpoch() <= state.partitionEpoch());
    }

    private void applyDecision(final LeaderAndIsr decision)
    {
        final LeaderAndIsr previous = state;
        final boolean wasLeader = leader;
        state = decision;
        if (decision.replicas().size() > 1 && (previous == null || previous.replicas().size() <= 1))
        {
            timers.startTimerWithFixedDelay(TimerKey.HIGH_WATERMARK_CHECKPOINT, HighWatermarkCheckpointTick.INSTANCE,
                replication.settings().highWatermarkCheckpointInterval());
        }
        final boolean replica = decision.replicas().contains(brokerId);
        if (replica && decision.leader() == brokerId)
        {
            if (wasLeader && previous.leaderEpoch() == decision.leaderEpoch())
            {
                onIsrOrReplicasChanged(previous);
            }
            else
            {
                becomeLeader();
            }
        }
        else
        {
            becomeFollower(previous, wasLeader);
        }
    }

    private void becomeLeader()
    {
        leader = true;
        leaderEpoch = state.leaderEpoch();
        stopFetching();
        final long now = settings.clockMs().getAsLong();
        try
        {
            if (leaderEpoch > log.leaderEpochs().latestEpoch())
            {
                log.leaderEpochs().assign(leaderEpoch, log.logEndOffset());
            }
        }
        catch (final LogException ex)
        {
            throw storageFailure(ex);
        }
        final long start = log.leaderEpochs().startOffsetOf(leaderEpoch);
        leaderEpochStartOffset = start < 0 ? log.logEndOffset() : start;
        highWatermark = Math.min(highWatermark, log.logEndOffset());
        followers.reset(state.replicas(), now);
        // An ISR change asked in a previous leadership is moot: its answer is ignored.
        isrChangeInFlight = false;
        isrChangeSeq++;
        if (state.replicas().size() > 1)
        {
            startIsrChecks();
            getContext().getLog().info(
                "partition {}: leader at epoch {} (partition epoch {}), ISR {}, replicas {}, log end {}", topicPartition,
                leaderEpoch, state.partitionEpoch(), state.isr(), state.replicas(), log.logEndOffset());
        }
        maybeAdvanceHighWatermark();
    }

    /** Same leader, same epoch: the ISR or the replica set changed (an ISR change this leader asked for, often). */
    private void onIsrOrReplicasChanged(final LeaderAndIsr previous)
    {
        if (!previous.replicas().equals(state.replicas()))
        {
            followers.replicasChanged(state.replicas(), settings.clockMs().getAsLong());
            if (state.replicas().size() > 1)
            {
                startIsrChecks();
            }
        }
        getContext().getLog().info("partition {}: ISR {} -> {} (partition epoch {})", topicPartition, previous.isr(),
            state.isr(), state.partitionEpoch());
        if (!enoughInsync())
        {
            pendingAcks.failAll(ErrorCode.NOT_ENOUGH_REPLICAS_AFTER_APPEND, "the ISR of " + topicPartition + " shrank to " +
                state.isr() + ", below min.insync.replicas=" + replication.minInsyncReplicas() + ", before the batch " +
                "was committed; retry (an idempotent producer's retry is deduplicated)", this::cancelAcksTimer);
        }
        maybeAdvanceHighWatermark();
    }

    private void becomeFollower(final LeaderAndIsr previous, final boolean wasLeader)
    {
        final String why = "broker " + brokerId + " is no longer the leader of " + topicPartition + " (now broker " +
            state.leader() + " at epoch " + state.leaderEpoch() + "); refresh metadata and retry";
        if (wasLeader)
        {
            timers.cancel(TimerKey.ISR_CHECK);
            pendingAcks.failAll(ErrorCode.NOT_LEADER_OR_FOLLOWER, why, this::cancelAcksTimer);
            answerParkedFetches(ErrorCode.NOT_LEADER_OR_FOLLOWER, why);
            answerParkedReplicaFetches();
        }
        leader = false;
        final boolean newLeadership = previous == null || wasLeader || previous.leader() != state.leader() ||
            previous.leaderEpoch() != state.leaderEpoch();
        leaderEpoch = state.leaderEpoch();
        highWatermark = Math.min(highWatermark, log.logEndOffset());
        if (newLeadership)
        {
            getContext().getLog().info("partition {}: follower of broker {} at epoch {} (partition epoch {}), log end {}",
                topicPartition, state.leader(), leaderEpoch, state.partitionEpoch(), log.logEndOffset());
            stopFetching();
            // The first fetch carries the last fetched epoch: the leader answers it with the diverging epoch if this
            // log holds records it does not have, and this replica truncates before it appends anything.
            sendReplicaFetch();
        }
    }

    /** The leader checks every half lag time for followers to drop from the ISR or add to it, as Kafka does. */
    private void startIsrChecks()
    {
        final Duration interval = replication.settings().replicaLagTimeMax().dividedBy(2);
        timers.startTimerWithFixedDelay(TimerKey.ISR_CHECK, IsrCheckTick.INSTANCE, interval.isZero() ? Duration.ofMillis(1) : interval);
    }

    private Behavior<Command> onHighWatermarkCheckpoint()
    {
        checkpointHighWatermark();
        return this;
    }

    private void checkpointHighWatermark()
    {
        try
        {
            log.checkpointHighWatermark(highWatermark());
        }
        catch (final LogException ex)
        {
            throw storageFailure(ex);
        }
    }

    private boolean enoughInsync()
    {
        return state.isr().size() >= replication.minInsyncReplicas();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Replication: leader
    // ---------------------------------------------------------------------------------------------------------------

    /** After an append to the leader's log: the high watermark may move, parked follower fetches have records. */
    private void onLogAppended()
    {
        maybeAdvanceHighWatermark();
        wakeParkedReplicaFetches();
    }

    /** Moves the high watermark to the minimum log end offset of the ISR, never backwards; answers what it passed. */
    private void maybeAdvanceHighWatermark()
    {
        if (!leader)
        {
            return;
        }
        final long before = highWatermark;
        final long candidate = Math.max(
            followers.minIsrEndOffset(state.isr(), log.logEndOffset()), highWatermark());
        if (candidate > highWatermark)
        {
            highWatermark = candidate;
        }
        if (pendingAcks.size() > 0)
        {
            pendingAcks.complete(highWatermark(), enoughInsync(), this::cancelAcksTimer);
        }
        if (highWatermark > before)
        {
            completeParkedFetches();
            wakeParkedReplicaFetches();
        }
    }

    private void awaitCommit(final Appended appended, final long endOffset, final ActorRef<ProduceReply> replyTo)
    {
        final long key = pendingAcks.add(endOffset, appended, replyTo);
        timers.startSingleTimer(new AcksKey(key), new AcksTimedOut(key), replication.settings().produceAcksTimeout());
    }

    private void cancelAcksTimer(final long key)
    {
        timers.cancel(new AcksKey(key));
    }

    private Behavior<Command> onAcksTimedOut(final AcksTimedOut timedOut)
    {
        pendingAcks.timedOut(timedOut.key(), "the batch was appended to the leader of " + topicPartition + " but the ISR " +
            state.isr() + " did not all get it within " + replication.settings().produceAcksTimeout() + "; retry (an " +
            "idempotent producer's retry is deduplicated)");
        return this;
    }

    private Behavior<Command> onReplicaFetch(final ReplicaFetch fetch)
    {
        final Rejected refused = checkReplicaFetch(fetch);
        if (refused != null)
        {
            fetch.replyTo().tell(refused);
            return this;
        }
        final ReplicaFetched diverging = divergence(fetch);
        if (diverging != null)
        {
            fetch.replyTo().tell(diverging);
            return this;
        }
        if (fetch.fetchOffset() < log.logStartOffset())
        {
            fetch.replyTo().tell(replicaFetched(fetch, NO_RECORDS));
            return this;
        }
        final long now = settings.clockMs().getAsLong();
        followers.onFetch(fetch.replicaId(), fetch.fetchOffset(), log.logEndOffset(), now);
        maybeAdvanceHighWatermark();
        if (!isrChangeInFlight && !state.isr().contains(fetch.replicaId()))
        {
            maybeExpandIsr(now);
        }
        final ParkedReplicaFetch replaced = parkedReplicaFetches.remove(fetch.replicaId());
        if (replaced != null)
        {
            timers.cancel(new ParkedReplicaFetchKey(fetch.replicaId()));
        }
        if (fetch.fetchOffset() < log.logEndOffset() || fetch.maxWaitMs() == 0)
        {
            answerReplicaFetch(fetch);
        }
        else
        {
            parkedReplicaFetches.put(fetch.replicaId(), new ParkedReplicaFetch(fetch, highWatermark()));
            timers.startSingleTimer(new ParkedReplicaFetchKey(fetch.replicaId()),
                new ParkedReplicaFetchTimedOut(fetch.replicaId()), Duration.ofMillis(fetch.maxWaitMs()));
        }
        return this;
    }

    private Rejected checkReplicaFetch(final ReplicaFetch fetch)
    {
        if (!topicPartition.equals(fetch.topicPartition()))
        {
            return misrouted(fetch.topicPartition());
        }
        if (!leader)
        {
            return notLeader(fetch.topicPartition());
        }
        if (fetch.leaderEpoch() < leaderEpoch)
        {
            return rejected(ErrorCode.FENCED_LEADER_EPOCH, "replica fetch at leader epoch " + fetch.leaderEpoch() +
                " but the leader of " + topicPartition + " is at epoch " + leaderEpoch + ": apply the newer LeaderAndIsr");
        }
        if (fetch.leaderEpoch() > leaderEpoch)
        {
            return rejected(ErrorCode.UNKNOWN_LEADER_EPOCH, "replica fetch at leader epoch " + fetch.leaderEpoch() +
                " but this leader of " + topicPartition + " is still at epoch " + leaderEpoch + "; retry");
        }
        if (!followers.isFollower(fetch.replicaId()))
        {
            return rejected(ErrorCode.INVALID_REQUEST, "broker " + fetch.replicaId() + " is not a follower of " +
                topicPartition + " (replicas " + state.replicas() + ")");
        }
        if (fetch.maxBytes() <= 0 || fetch.maxWaitMs() < 0 || fetch.fetchOffset() < 0)
        {
            return rejected(ErrorCode.INVALID_REQUEST, "replica fetch needs fetchOffset >= 0, maxBytes > 0 and " +
                "maxWaitMs >= 0 but got " + fetch.fetchOffset() + ", " + fetch.maxBytes() + ", " + fetch.maxWaitMs());
        }
        return null;
    }

    /**
     * KIP-320's check: does the follower's log, which ends at {@code fetchOffset} with a batch of
     * {@code lastFetchedEpoch}, agree with this one? If not, the answer names the largest epoch at or below it that
     * this log has and where it ends here; the follower truncates to at most that offset.
     */
    private ReplicaFetched divergence(final ReplicaFetch fetch)
    {
        final EpochDivergence.Diverging diverging = EpochDivergence.check(
            log.leaderEpochs(), log.logStartOffset(), log.logEndOffset(), fetch.lastFetchedEpoch(), fetch.fetchOffset());
        return diverging == null ? null : new ReplicaFetched(topicPartition, leaderEpoch, fetch.fetchOffset(), NO_RECORDS,
            highWatermark(), log.logStartOffset(), log.logEndOffset(), diverging.epoch(), diverging.endOffset());
    }

    private ReplicaFetched replicaFetched(final ReplicaFetch fetch, final byte[] records)
    {
        return new ReplicaFetched(topicPartition, leaderEpoch, fetch.fetchOffset(), records, highWatermark(),
            log.logStartOffset(), log.logEndOffset(), ReplicaFetched.NOT_DIVERGING, -1);
    }

    /** Reads up to the log end offset (followers copy uncommitted records too) and answers. */
    private void answerReplicaFetch(final ReplicaFetch fetch)
    {
        byte[] records = NO_RECORDS;
        try
        {
            final int maxBytes = Math.min(fetch.maxBytes(), settings.fetchMaxBytes());
            if (fetch.fetchOffset() < log.logEndOffset() &&
                log.read(fetch.fetchOffset(), maxBytes, log.logEndOffset(), region) && region.length() > 0)
            {
                records = new byte[region.length()];
                if (region.readInto(ByteBuffer.wrap(records)) != records.length)
                {
                    throw new IOException("short read of " + region);
                }
            }
        }
        catch (final LogException ex)
        {
            final ErrorCode code = errorCodeOf(ex);
            fetch.replyTo().tell(rejected(code, ex.getMessage()));
            if (code == ErrorCode.KAFKA_STORAGE_ERROR)
            {
                throw storageFailure(ex);
            }
            return;
        }
        catch (final IOException ex)
        {
            // A segment deleted under the read (retention): the follower asks again.
            fetch.replyTo().tell(rejected(ErrorCode.NOT_LEADER_OR_FOLLOWER, "read of " + topicPartition + " at " +
                fetch.fetchOffset() + " failed: " + ex + "; fetch again"));
            return;
        }
        fetch.replyTo().tell(replicaFetched(fetch, records));
    }

    /** After an append or a high watermark move: parked follower fetches have something new to hear. */
    private void wakeParkedReplicaFetches()
    {
        if (parkedReplicaFetches.isEmpty())
        {
            return;
        }
        final long end = log.logEndOffset();
        final long hw = highWatermark();
        final Iterator<Map.Entry<Integer, ParkedReplicaFetch>> entries = parkedReplicaFetches.entrySet().iterator();
        while (entries.hasNext())
        {
            final Map.Entry<Integer, ParkedReplicaFetch> entry = entries.next();
            final ParkedReplicaFetch parked = entry.getValue();
            if (parked.fetch().fetchOffset() < end || parked.highWatermark() < hw)
            {
                entries.remove();
                timers.cancel(new ParkedReplicaFetchKey(entry.getKey()));
                answerReplicaFetch(parked.fetch());
            }
        }
    }

    private Behavior<Command> onParkedReplicaFetchTimedOut(final ParkedReplicaFetchTimedOut timedOut)
    {
        final ParkedReplicaFetch parked = parkedReplicaFetches.remove(timedOut.replicaId());
        if (parked != null)
        {
            answerReplicaFetch(parked.fetch());
        }
        return this;
    }

    private void answerParkedReplicaFetches()
    {
        for (final Map.Entry<Integer, ParkedReplicaFetch> entry : parkedReplicaFetches.entrySet())
        {
            timers.cancel(new ParkedReplicaFetchKey(entry.getKey()));
            entry.getValue().fetch().replyTo().tell(notLeader(topicPartition));
        }
        parkedReplicaFetches.clear();
    }

    private Behavior<Command> onIsrCheck()
    {
        if (!leader || isrChangeInFlight)
        {
            return this;
        }
        final long now = settings.clockMs().getAsLong();
        final List<Integer> lagging = followers.laggingInIsr(
            state.isr(), now, replication.settings().replicaLagTimeMax().toMillis());
        if (!lagging.isEmpty())
        {
            final List<Integer> shrunk = new ArrayList<>(state.isr());
            shrunk.removeAll(lagging);
            getContext().getLog().info("partition {}: followers {} lag more than {}, asking to shrink the ISR {} to {}",
                topicPartition, lagging, replication.settings().replicaLagTimeMax(), state.isr(), shrunk);
            alterIsr(shrunk);
            return this;
        }
        maybeExpandIsr(now);
        return this;
    }

    private void maybeExpandIsr(final long now)
    {
        final List<Integer> caughtUp = followers.caughtUpOutsideIsr(state.isr(), highWatermark(), leaderEpochStartOffset,
            now, replication.settings().replicaLagTimeMax().toMillis());
        if (!caughtUp.isEmpty())
        {
            final List<Integer> expanded = new ArrayList<>(state.isr());
            expanded.addAll(caughtUp);
            getContext().getLog().info("partition {}: followers {} caught up, asking to expand the ISR {} to {}",
                topicPartition, caughtUp, state.isr(), expanded);
            alterIsr(expanded);
        }
    }

    /** Asks the controller for {@code newIsr}; one request in flight at a time. */
    private void alterIsr(final List<Integer> newIsr)
    {
        isrChangeInFlight = true;
        final long seq = ++isrChangeSeq;
        CompletionStage<LeaderAndIsr> stage;
        try
        {
            stage = replication.isrChanger().alterIsr(
                topicPartition, brokerId, leaderEpoch, state.partitionEpoch(), List.copyOf(newIsr));
        }
        catch (final RuntimeException ex)
        {
            stage = CompletableFuture.failedFuture(ex);
        }
        getContext().pipeToSelf(stage, (result, failure) -> new IsrChangeResult(seq, result, failure));
    }

    private Behavior<Command> onIsrChangeResult(final IsrChangeResult result)
    {
        if (result.seq() != isrChangeSeq)
        {
            return this;
        }
        isrChangeInFlight = false;
        if (result.failure() != null)
        {
            getContext().getLog().info("partition {}: ISR change refused or failed ({}); keeping ISR {} until the " +
                "controller's next decision", topicPartition, result.failure().toString(), state.isr());
        }
        else if (result.result() != null && !isStale(result.result()))
        {
            applyDecision(result.result());
        }
        return this;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Replication: follower
    // ---------------------------------------------------------------------------------------------------------------

    /** Forgets the outstanding fetch (its answer, if any comes, is ignored) and any pending retry. */
    private void stopFetching()
    {
        replicaFetchInFlight = false;
        replicaFetchSeq++;
        timers.cancel(TimerKey.REPLICA_FETCH);
    }

    private void sendReplicaFetch()
    {
        if (leader || replicaFetchInFlight || state.leader() < 0 || state.leader() == brokerId ||
            !state.replicas().contains(brokerId))
        {
            return;
        }
        replicaFetchInFlight = true;
        final long seq = ++replicaFetchSeq;
        replicaFetchOffset = log.logEndOffset();
        final ReplicationSettings knobs = replication.settings();
        final ReplicaFetch fetch = new ReplicaFetch(
            topicPartition, brokerId, replicaFetchOffset,
            EpochDivergence.lastFetchedEpoch(log.leaderEpochs(), replicaFetchOffset), leaderEpoch,
            Math.min(knobs.fetchMaxBytes(), settings.fetchMaxBytes()), knobs.fetchMaxWait().toMillis(), replicaFetchReplies);
        timers.startSingleTimer(TimerKey.REPLICA_FETCH, new ReplicaFetchTimedOut(seq),
            knobs.fetchMaxWait().plus(knobs.fetchResponseTimeout()));
        try
        {
            replication.peers().send(topicPartition, state.leader(), fetch);
        }
        catch (final RuntimeException ex)
        {
            getContext().getLog().warn("partition {}: could not send a fetch to leader {}", topicPartition, state.leader(), ex);
            retryReplicaFetchLater();
        }
    }

    private void retryReplicaFetchLater()
    {
        replicaFetchInFlight = false;
        timers.startSingleTimer(TimerKey.REPLICA_FETCH, new ReplicaFetchRetry(replicaFetchSeq),
            replication.settings().fetchBackoff());
    }

    private Behavior<Command> onReplicaFetchTimedOut(final ReplicaFetchTimedOut timedOut)
    {
        if (replicaFetchInFlight && timedOut.fetchSeq() == replicaFetchSeq)
        {
            getContext().getLog().debug("partition {}: no answer from leader {}, fetching again", topicPartition,
                state.leader());
            replicaFetchInFlight = false;
            sendReplicaFetch();
        }
        return this;
    }

    private Behavior<Command> onReplicaFetchRetry(final ReplicaFetchRetry retry)
    {
        if (!replicaFetchInFlight && retry.fetchSeq() == replicaFetchSeq)
        {
            sendReplicaFetch();
        }
        return this;
    }

    private Behavior<Command> onReplicaFetchResponse(final ReplicaFetchResponse response)
    {
        if (leader || !replicaFetchInFlight)
        {
            return this;
        }
        if (response.reply() instanceof Rejected rejected)
        {
            getContext().getLog().debug("partition {}: fetch from leader {} refused: {}", topicPartition, state.leader(),
                rejected);
            timers.cancel(TimerKey.REPLICA_FETCH);
            retryReplicaFetchLater();
            return this;
        }
        final ReplicaFetched fetched = (ReplicaFetched)response.reply();
        if (fetched.leaderEpoch() != leaderEpoch || fetched.fetchOffset() != replicaFetchOffset ||
            !topicPartition.equals(fetched.topicPartition()))
        {
            return this;
        }
        replicaFetchInFlight = false;
        timers.cancel(TimerKey.REPLICA_FETCH);
        final boolean progressed;
        try
        {
            progressed = applyFetched(fetched);
        }
        catch (final LogException ex)
        {
            if (errorCodeOf(ex) == ErrorCode.KAFKA_STORAGE_ERROR)
            {
                throw storageFailure(ex);
            }
            getContext().getLog().warn("partition {}: could not append the leader's batches at {}: {}", topicPartition,
                fetched.fetchOffset(), ex.getMessage());
            retryReplicaFetchLater();
            return this;
        }
        if (progressed)
        {
            sendReplicaFetch();
        }
        else
        {
            retryReplicaFetchLater();
        }
        return this;
    }

    /** Truncates, resets or appends as the leader's answer says; returns false when it changed nothing it should have. */
    private boolean applyFetched(final ReplicaFetched fetched)
    {
        if (fetched.diverging())
        {
            return truncateDiverging(fetched);
        }
        if (fetched.logStartOffset() > fetched.fetchOffset())
        {
            getContext().getLog().info("partition {}: log end {} is below the leader's log start {}: restarting empty there",
                topicPartition, log.logEndOffset(), fetched.logStartOffset());
            log.truncateFullyAndStartAt(fetched.logStartOffset());
            rebuildProducerState(log, producers);
            highWatermark = Math.min(fetched.highWatermark(), log.logEndOffset());
            checkpointHighWatermark();
            return true;
        }
        final byte[] records = fetched.records();
        if (records != null && records.length > 0)
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(records);
            final var result = log.appendAsFollower(buffer, 0, records.length);
            final long appendedEnd = result.lastOffset() + 1;
            updateProducers(buffer, records.length);
            getContext().getLog().trace("partition {}: replicated up to {}", topicPartition, appendedEnd);
        }
        final long hw = Math.min(fetched.highWatermark(), log.logEndOffset());
        if (hw > highWatermark)
        {
            highWatermark = hw;
        }
        return true;
    }

    private boolean truncateDiverging(final ReplicaFetched fetched)
    {
        final LeaderEpochCache epochs = log.leaderEpochs();
        final long end = log.logEndOffset();
        final long target = EpochDivergence.truncationOffset(
            epochs, end, fetched.divergingEpoch(), fetched.divergingEndOffset());
        final int epochsBefore = epochs.size();
        getContext().getLog().info("partition {}: log diverges from leader {} after epoch {} (ends at {} there): " +
            "truncating from {} to {}", topicPartition, state.leader(), fetched.divergingEpoch(),
            fetched.divergingEndOffset(), end, target);
        final boolean truncated = log.truncateTo(target);
        epochs.truncateFromEnd(target);
        highWatermark = Math.min(highWatermark, log.logEndOffset());
        if (truncated)
        {
            rebuildProducerState(log, producers);
            // Never leave a checkpoint above the truncated end: a restart must not take uncommitted records as committed.
            checkpointHighWatermark();
        }
        return truncated || epochs.size() != epochsBefore;
    }

    /** A follower keeps the producer state a leader would have, so that it deduplicates correctly once it leads. */
    private void updateProducers(final UnsafeBuffer buffer, final int length)
    {
        int position = 0;
        while (position < length)
        {
            batch.wrap(buffer, position);
            if (batch.producerId() != RecordBatchDescriptor.NO_PRODUCER_ID)
            {
                producers.update(batch.producerId(), batch.producerEpoch(), batch.baseSequence(), batch.lastSequence(),
                    batch.baseOffset(), batch.lastOffset());
            }
            position += batch.sizeInBytes();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Helpers
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Records below it are committed (every in-sync replica has them) and readable by clients. A leader alone in its
     * ISR (a single-replica partition) commits on append: its log end offset.
     */
    private long highWatermark()
    {
        return leader && state.isr().size() <= 1 ? log.logEndOffset() : highWatermark;
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
        answerPending(ErrorCode.KAFKA_STORAGE_ERROR, "the log of " + topicPartition + " failed before appending the " +
            "produce: " + ex.getMessage() + "; nothing was appended, send it to the new leader");
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

    private Rejected notLeader(final TopicPartition asked)
    {
        return rejected(ErrorCode.NOT_LEADER_OR_FOLLOWER, "this replica of " + asked + " on broker " + brokerId +
            " is not its leader (the leader is broker " + (state == null ? -1 : state.leader()) + " at epoch " +
            leaderEpoch + "); refresh metadata and send to the leader");
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
