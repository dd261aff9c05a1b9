package dev.millrace.broker.partition;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

import dev.millrace.serialization.kryo.MillraceMessage;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The public protocol of a partition replica ({@link PartitionReplica}): what actors inside the cluster send to a
 * partition to produce and fetch records, find offsets and delete records. Every message and reply but
 * {@link FetchLocal} and {@link FetchedRegion} is a {@link MillraceMessage}, registered with Kryo in this module's
 * {@code reference.conf} (ids 2000-2016, and 5210-5219 for the messages the Kafka listener added), so it can cross
 * nodes.
 *
 * <p>Commands ({@link Command}):
 * <ul>
 *   <li>{@link Produce}: append Kafka v2 record batches; answered with {@link ProduceReply}
 *       ({@link Appended} or {@link Rejected}), or not at all with {@code acks = 0};</li>
 *   <li>{@link Fetch}: read whole batches from an offset, long-polling up to {@code maxWaitMs} for {@code minBytes};
 *       answered with {@link FetchReply} ({@link Fetched} or {@link Rejected});</li>
 *   <li>{@link FetchLocal} (<b>local only</b>): the same fetch, answered with {@link FetchLocalReply}
 *       ({@link FetchedRegion}, a view of the segment file instead of a copy of the bytes, or {@link Rejected});</li>
 *   <li>{@link CancelFetch}: end a parked fetch's wait now, answering it as its timeout would; no reply of its own;</li>
 *   <li>{@link ListOffsets}: the earliest or latest offset, or the first offset at or after a timestamp; answered with
 *       {@link ListOffsetsReply} ({@link OffsetFound} or {@link Rejected});</li>
 *   <li>{@link DeleteRecords}: move the log start offset forward; answered with {@link DeleteRecordsReply}
 *       ({@link RecordsDeleted} or {@link Rejected});</li>
 *   <li>{@link OffsetForLeaderEpoch}: where a leader epoch ends in the log (a consumer validating its position after a
 *       leader change); answered with {@link OffsetForLeaderEpochReply} ({@link EpochEndOffset} or
 *       {@link Rejected});</li>
 *   <li>{@link DescribeProducers}: the idempotent producers the replica has state for; answered with
 *       {@link DescribeProducersReply} ({@link ProducersDescribed} or {@link Rejected});</li>
 *   <li>{@link GetStatus}: log start and end, segment and producer counts; answered with {@link Status}.</li>
 * </ul>
 * Every expected failure is a {@link Rejected} reply with an {@link ErrorCode} (Kafka's error names) and a message
 * that says what to do; nothing of a rejected produce is appended.
 *
 * <p><b>Why {@code byte[]}, and the zero-copy exception.</b> Messages must be serializable for remote actors, so
 * batches travel as arrays: a produce payload is copied once into the log, a fetch is copied once out of it. A caller
 * on the partition's own node (the Kafka-protocol listener, a local consumer) uses {@link FetchLocal} instead: its
 * {@link FetchedRegion} reply names the bytes in the segment file (channel, position, length), to be sent with
 * {@code sendfile} ({@link FetchedRegion#transferTo}) or read into the caller's own buffer
 * ({@link FetchedRegion#readInto}); the replica copies nothing. These two are not {@link MillraceMessage}s and have no
 * serializer: sent to another node, Pekko refuses them ({@code NotSerializableException}, logged by the sender's
 * transport, message dropped) because Java serialization is off.
 *
 * <p>Records with array components compare them by content in {@code equals}, so copies made by serialization
 * compare equal.
 */
public final class PartitionProtocol
{
    private PartitionProtocol()
    {
    }

    /** A topic name and partition number: the partition a message is meant for. */
    public record TopicPartition(String topic, int partition)
    {
        public TopicPartition
        {
            Objects.requireNonNull(topic, "topic");
            if (partition < 0)
            {
                throw new IllegalArgumentException("partition must be >= 0 but was " + partition);
            }
        }

        /** Kafka's directory name for the partition, {@code topic-partition}. */
        @Override
        public String toString()
        {
            return topic + "-" + partition;
        }
    }

    /**
     * What a partition replica accepts. Every command but {@link FetchLocal} is also a {@link MillraceMessage};
     * {@code PartitionReplica.Internal} are the replica's own timer messages.
     */
    public sealed interface Command
        permits Produce, FetchRequest, CancelFetch, ListOffsets, DeleteRecords, OffsetForLeaderEpoch, DescribeProducers,
        GetStatus, LeaderAndIsr, ReplicaFetch, PartitionReplica.Internal
    {
    }

    /**
     * The parameters a {@link Fetch} and a {@link FetchLocal} share; they differ only in the reply. See {@link Fetch}
     * for the semantics.
     */
    public sealed interface FetchRequest extends Command permits Fetch, FetchLocal
    {
        /** The partition; must be the replica's own. */
        TopicPartition topicPartition();

        /** Offset to read from, in [log start offset, log end offset]. */
        long fetchOffset();

        /** Soft byte limit, > 0. */
        int maxBytes();

        /** Bytes to wait for, >= 0. */
        int minBytes();

        /** Longest wait for {@code minBytes}, >= 0. */
        long maxWaitMs();

        /** Receives the answer; {@link CancelFetch} names a parked fetch by it. */
        ActorRef<?> replyTo();
    }

    /**
     * Appends record batches. {@code records} holds one or more Kafka v2 record batches back to back, exactly as a
     * producer sent them (any compression); the leader assigns offsets and stamps its leader epoch, on its own copy
     * (the array is never changed). The batches are validated (framing, magic, CRC32C, attributes,
     * {@code max.message.bytes}) and either all are appended or none is.
     *
     * <p>A batch with a producer id is checked for idempotence: it must then be the only batch of the request (as
     * in Kafka's produce v3+); a retry of one of the producer's last five batches is answered with the original
     * base offset and appends nothing; a sequence gap is {@link ErrorCode#OUT_OF_ORDER_SEQUENCE_NUMBER}, an old
     * producer epoch {@link ErrorCode#INVALID_PRODUCER_EPOCH}.
     *
     * @param topicPartition the partition; must be the replica's own ({@link ErrorCode#UNKNOWN_TOPIC_OR_PARTITION})
     * @param acks           {@code 1}: reply once appended to the leader's log. {@code 0}: no reply at all, not even
     *                       on error ({@code replyTo} may be null). {@code -1} (all): refused with
     *                       {@link ErrorCode#NOT_ENOUGH_REPLICAS} (nothing appended) when the ISR is smaller than
     *                       {@code min.insync.replicas}; otherwise appended and answered once the high watermark
     *                       passes the batch (every in-sync replica has it), with
     *                       {@link ErrorCode#NOT_ENOUGH_REPLICAS_AFTER_APPEND} if the ISR shrank below the minimum
     *                       meanwhile, {@link ErrorCode#REQUEST_TIMED_OUT} after {@code produce-acks-timeout}; with a
     *                       single replica the same as 1. A follower refuses every produce with
     *                       {@link ErrorCode#NOT_LEADER_OR_FOLLOWER}. Anything else: {@link ErrorCode#INVALID_REQUIRED_ACKS}.
     * @param records        the batches
     * @param replyTo        receives a {@link ProduceReply}
     */
    public record Produce(TopicPartition topicPartition, short acks, byte[] records, ActorRef<ProduceReply> replyTo)
        implements Command, MillraceMessage
    {
        @Override
        public boolean equals(final Object o)
        {
            return o instanceof Produce other && acks == other.acks && Objects.equals(topicPartition, other.topicPartition) &&
                Arrays.equals(records, other.records) && Objects.equals(replyTo, other.replyTo);
        }

        @Override
        public int hashCode()
        {
            return Objects.hash(topicPartition, acks, Arrays.hashCode(records), replyTo);
        }

        @Override
        public String toString()
        {
            return "Produce[" + topicPartition + ", acks=" + acks + ", " + (records == null ? "null" : records.length + " bytes") +
                ", replyTo=" + replyTo + ']';
        }
    }

    /**
     * Reads whole batches starting with the one that contains {@code fetchOffset}, up to the high watermark and about
     * {@code maxBytes} (the first batch is always whole, however large, so a consumer always progresses; the broker
     * may also cap the bytes by {@code millrace.broker.partition.fetch-max-bytes}). If fewer than {@code minBytes}
     * are available the request waits in the replica, up to {@code maxWaitMs}, for appends to bring enough; it is
     * then answered with what there is, possibly nothing.
     *
     * @param fetchOffset offset to read from, in [log start offset, log end offset], else
     *                    {@link ErrorCode#OFFSET_OUT_OF_RANGE}
     * @param maxBytes    soft byte limit, > 0
     * @param minBytes    bytes to wait for, >= 0 (0: answer at once)
     * @param maxWaitMs   longest wait for {@code minBytes}, >= 0
     * @param replyTo     receives a {@link FetchReply}
     */
    public record Fetch(
        TopicPartition topicPartition, long fetchOffset, int maxBytes, int minBytes, long maxWaitMs,
        ActorRef<FetchReply> replyTo) implements FetchRequest, MillraceMessage
    {
    }

    /**
     * A {@link Fetch} answered with a {@link FetchedRegion} (where the batches are in the segment file) instead of a
     * copy of them: same parameters, same checks, same long poll, same {@link Rejected} errors. <b>Local only</b>:
     * the region is valid only in the replica's JVM, so this message is not a {@link MillraceMessage} and cannot be
     * serialized; sent to a replica on another node it is refused by Pekko ({@code NotSerializableException}) and
     * never arrives. Use {@link Fetch} across nodes.
     *
     * @param replyTo receives a {@link FetchLocalReply}
     */
    public record FetchLocal(
        TopicPartition topicPartition, long fetchOffset, int maxBytes, int minBytes, long maxWaitMs,
        ActorRef<FetchLocalReply> replyTo) implements FetchRequest, NoSerializationVerificationNeeded
    {
    }

    /**
     * Ends the wait of the parked {@link Fetch} or {@link FetchLocal} whose {@code replyTo} is {@code fetchReplyTo}: its
     * caller no longer needs it (the Kafka listener's probe of a partition after the request was answered from
     * another). The fetch is answered at once as its max wait would have answered it (with what is readable now,
     * possibly nothing), so it stops holding a place among the replica's {@code max-parked-fetches} and stops being
     * re-read on every append. A fetch already answered, or never parked, is unaffected; there is no reply to this
     * command itself.
     */
    public record CancelFetch(TopicPartition topicPartition, ActorRef<?> fetchReplyTo) implements Command, MillraceMessage
    {
    }

    /** Which offset {@link ListOffsets} asks for. */
    public enum OffsetSpec
    {
        /** The log start offset. */
        EARLIEST,
        /** The log end offset (the high watermark, for consumers). */
        LATEST,
        /** The first offset whose record timestamp is at or after the given timestamp; -1 if there is none. */
        BY_TIMESTAMP
    }

    /**
     * Finds an offset, as consumers do to reset their position.
     *
     * @param spec        which offset
     * @param timestampMs the timestamp for {@link OffsetSpec#BY_TIMESTAMP}; ignored otherwise
     * @param replyTo     receives a {@link ListOffsetsReply}
     */
    public record ListOffsets(
        TopicPartition topicPartition, OffsetSpec spec, long timestampMs, ActorRef<ListOffsetsReply> replyTo)
        implements Command, MillraceMessage
    {
    }

    /**
     * Makes every record below {@code beforeOffset} unreadable by moving the log start offset (the low watermark) up
     * to it; whole segments below it are deleted from disk.
     *
     * @param beforeOffset the new log start offset, at most the high watermark; {@code -1} means the high watermark
     *                     (delete everything), as in Kafka
     * @param replyTo      receives a {@link DeleteRecordsReply}
     */
    public record DeleteRecords(TopicPartition topicPartition, long beforeOffset, ActorRef<DeleteRecordsReply> replyTo)
        implements Command, MillraceMessage
    {
    }

    /**
     * Finds where {@code leaderEpoch} ends in the log, as Kafka's OffsetForLeaderEpoch: the largest epoch at or below
     * it that the log has, and that epoch's end offset (the start of the next epoch, or the log end offset for the
     * latest). A consumer uses it to check that the position it holds was not truncated away by a leader change.
     *
     * @param leaderEpoch the epoch asked about, >= 0
     * @param replyTo     receives an {@link OffsetForLeaderEpochReply}
     */
    public record OffsetForLeaderEpoch(
        TopicPartition topicPartition, int leaderEpoch, ActorRef<OffsetForLeaderEpochReply> replyTo)
        implements Command, MillraceMessage
    {
    }

    /**
     * Lists the idempotent producers the replica has state for (Kafka's DescribeProducers).
     *
     * @param replyTo receives a {@link DescribeProducersReply}
     */
    public record DescribeProducers(TopicPartition topicPartition, ActorRef<DescribeProducersReply> replyTo)
        implements Command, MillraceMessage
    {
    }

    /**
     * Asks for the replica's {@link Status}.
     *
     * @param replyTo receives the {@link Status}
     */
    public record GetStatus(ActorRef<Status> replyTo) implements Command, MillraceMessage
    {
    }

    /**
     * The controller's decision for one partition, delivered to every replica of it whenever the controller changes
     * its leader, leader epoch, ISR or replica set (Kafka's LeaderAndIsr / partition change record). The replica whose
     * broker id is {@code leader} becomes (or stays) the leader; every other replica in {@code replicas} becomes a
     * follower of it and fetches from it. Not answered.
     *
     * <p>Fencing: a replica ignores a decision whose {@code leaderEpoch} is below its current one, or whose
     * {@code partitionEpoch} is not above the last it applied (a stale or duplicate delivery); the partition epoch
     * rises with every change, the leader epoch only with a leader change.
     *
     * @param leader         broker id of the leader; -1 when the partition has no leader (no live replica in the ISR)
     * @param leaderEpoch    epoch of that leadership, >= 0
     * @param partitionEpoch version of this decision, rises with every change of leader, ISR or replicas
     * @param isr            broker ids of the in-sync replicas (the leader among them)
     * @param replicas       broker ids of every replica, preferred leader first
     */
    public record LeaderAndIsr(
        TopicPartition topicPartition, int leader, int leaderEpoch, int partitionEpoch, List<Integer> isr,
        List<Integer> replicas) implements Command, MillraceMessage
    {
        public LeaderAndIsr
        {
            Objects.requireNonNull(topicPartition, "topicPartition");
            isr = List.copyOf(isr);
            replicas = List.copyOf(replicas);
        }
    }

    /**
     * From a follower replica to its leader: the follower's demand for records (Kafka's replica fetch). A follower
     * has at most one outstanding; the leader long-polls it like a client fetch (parked until records or a high
     * watermark change arrive, or {@code maxWaitMs} passes). The fetch also tells the leader the follower's log end
     * offset ({@code fetchOffset}), from which it moves the high watermark and decides ISR membership, and lets it
     * check that the follower's log has not diverged from its own ({@code lastFetchedEpoch}, as in KIP-320): if it
     * has, the reply carries the diverging epoch and where it ends on the leader, and the follower truncates there.
     *
     * @param replicaId        broker id of the fetching follower; must be a replica of the partition
     * @param fetchOffset      the follower's log end offset: the offset to read from
     * @param lastFetchedEpoch the leader epoch of the follower's last batch ({@code -1} when its log has none)
     * @param leaderEpoch      the leader epoch the follower believes current; a lower one than the leader's is
     *                         {@link ErrorCode#FENCED_LEADER_EPOCH}, a higher one {@link ErrorCode#UNKNOWN_LEADER_EPOCH}
     * @param maxBytes         soft byte limit, > 0 (the first batch is always whole)
     * @param maxWaitMs        longest wait for records, >= 0
     * @param replyTo          receives a {@link ReplicaFetchReply}
     */
    public record ReplicaFetch(
        TopicPartition topicPartition, int replicaId, long fetchOffset, int lastFetchedEpoch, int leaderEpoch,
        int maxBytes, long maxWaitMs, ActorRef<ReplicaFetchReply> replyTo) implements Command, MillraceMessage
    {
    }

    /** The answer to a {@link ReplicaFetch}. */
    public sealed interface ReplicaFetchReply extends MillraceMessage permits ReplicaFetched, Rejected
    {
    }

    /**
     * The leader's answer to a {@link ReplicaFetch}: either records from {@code fetchOffset} (possibly none), or, when
     * {@code divergingEpoch} is set, no records and where the follower must truncate; or, when
     * {@code logStartOffset} is above {@code fetchOffset}, no records: the follower's log is wholly below the leader's
     * and restarts empty at {@code logStartOffset}.
     *
     * @param leaderEpoch        the leader's epoch (echoes the fetch's)
     * @param fetchOffset        the fetch's offset, echoed so that the follower recognises the answer to its request
     * @param records            whole batches from {@code fetchOffset}, exactly as stored on the leader (their offsets
     *                           and leader epochs kept); empty when there is nothing or the logs diverged
     * @param highWatermark      the leader's high watermark
     * @param logStartOffset     the leader's log start offset
     * @param logEndOffset       the leader's log end offset
     * @param divergingEpoch     {@code -2} when the logs agree; else the largest epoch at or below the follower's
     *                           {@code lastFetchedEpoch} the leader has ({@code -1}: none)
     * @param divergingEndOffset where {@code divergingEpoch} ends on the leader (exclusive): the follower truncates to
     *                           at most this offset; {@code -1} when the logs agree
     */
    public record ReplicaFetched(
        TopicPartition topicPartition, int leaderEpoch, long fetchOffset, byte[] records, long highWatermark,
        long logStartOffset, long logEndOffset, int divergingEpoch, long divergingEndOffset) implements ReplicaFetchReply
    {
        /** {@link #divergingEpoch()} when the logs agree. */
        public static final int NOT_DIVERGING = -2;

        /** True when the follower must truncate before fetching again. */
        public boolean diverging()
        {
            return divergingEpoch != NOT_DIVERGING;
        }

        @Override
        public boolean equals(final Object o)
        {
            return o instanceof ReplicaFetched other && leaderEpoch == other.leaderEpoch &&
                fetchOffset == other.fetchOffset && highWatermark == other.highWatermark &&
                logStartOffset == other.logStartOffset && logEndOffset == other.logEndOffset &&
                divergingEpoch == other.divergingEpoch && divergingEndOffset == other.divergingEndOffset &&
                Objects.equals(topicPartition, other.topicPartition) && Arrays.equals(records, other.records);
        }

        @Override
        public int hashCode()
        {
            return Objects.hash(topicPartition, leaderEpoch, fetchOffset, Arrays.hashCode(records), highWatermark,
                logStartOffset, logEndOffset, divergingEpoch, divergingEndOffset);
        }

        @Override
        public String toString()
        {
            return "ReplicaFetched[" + topicPartition + ", epoch=" + leaderEpoch + ", fetchOffset=" + fetchOffset + ", " +
                (records == null ? "null" : records.length + " bytes") + ", highWatermark=" + highWatermark +
                ", logStartOffset=" + logStartOffset + ", logEndOffset=" + logEndOffset + ", divergingEpoch=" +
                divergingEpoch + ", divergingEndOffset=" + divergingEndOffset + ']';
        }
    }

    /** The answer to a {@link Produce}. */
    public sealed interface ProduceReply extends MillraceMessage permits Appended, Rejected
    {
    }

    /** The answer to a {@link Fetch}. */
    public sealed interface FetchReply extends MillraceMessage permits Fetched, Rejected
    {
    }

    /** The answer to a {@link FetchLocal}; local only, like it. */
    public sealed interface FetchLocalReply permits FetchedRegion, Rejected
    {
    }

    /** The answer to a {@link ListOffsets}. */
    public sealed interface ListOffsetsReply extends MillraceMessage permits OffsetFound, Rejected
    {
    }

    /** The answer to an {@link OffsetForLeaderEpoch}. */
    public sealed interface OffsetForLeaderEpochReply extends MillraceMessage permits EpochEndOffset, Rejected
    {
    }

    /** The answer to a {@link DescribeProducers}. */
    public sealed interface DescribeProducersReply extends MillraceMessage permits ProducersDescribed, Rejected
    {
    }

    /** The answer to a {@link DeleteRecords}. */
    public sealed interface DeleteRecordsReply extends MillraceMessage permits RecordsDeleted, Rejected
    {
    }

    /**
     * The batches were appended (or were a retry of batches already appended: then the original offset).
     *
     * @param baseOffset     offset of the first record of the request
     * @param logAppendTime  the broker's append time when the topic uses log-append time; -1 for create time (the
     *                       only timestamp type supported so far)
     * @param logStartOffset the log start offset after the append
     */
    public record Appended(TopicPartition topicPartition, long baseOffset, long logAppendTime, long logStartOffset)
        implements ProduceReply
    {
    }

    /**
     * Batches read from the log.
     *
     * @param records        whole batches back to back, as stored (empty when nothing was available)
     * @param highWatermark  the offset below which records are readable (the log end offset while there is a
     *                       single replica)
     * @param logStartOffset the first readable offset
     */
    public record Fetched(TopicPartition topicPartition, byte[] records, long highWatermark, long logStartOffset)
        implements FetchReply
    {
        @Override
        public boolean equals(final Object o)
        {
            return o instanceof Fetched other && highWatermark == other.highWatermark &&
                logStartOffset == other.logStartOffset && Objects.equals(topicPartition, other.topicPartition) &&
                Arrays.equals(records, other.records);
        }

        @Override
        public int hashCode()
        {
            return Objects.hash(topicPartition, Arrays.hashCode(records), highWatermark, logStartOffset);
        }

        @Override
        public String toString()
        {
            return "Fetched[" + topicPartition + ", " + (records == null ? "null" : records.length + " bytes") +
                ", highWatermark=" + highWatermark + ", logStartOffset=" + logStartOffset + ']';
        }
    }

    /**
     * The answer to a {@link FetchLocal}: whole batches, as stored, at {@code [position, position + length)} of a
     * segment file, and nothing copied. An immutable snapshot of the replica's read (one small object per fetch), safe
     * to use from any thread: {@link #readInto} and {@link #transferTo} use positional I/O, which does not move the
     * channel's position, so several readers may share the channel. Local only: not serializable.
     *
     * <p>The channel belongs to the log: read it, never close it. If retention, {@link DeleteRecords} or a stop of
     * the replica closes the segment before the caller has read the region, the read throws
     * {@link java.nio.channels.ClosedChannelException}: the caller then fetches again from {@link #firstOffset()} (or
     * the offset it asked for), which gives either the data from the log's new state or
     * {@link ErrorCode#OFFSET_OUT_OF_RANGE}. Holding a region does not keep a segment alive.
     *
     * @param channel        the segment file; null when the region is empty
     * @param position       position of the first batch in the file
     * @param length         bytes of whole batches from {@code position}; 0 when nothing was available
     * @param firstOffset    base offset of the first batch (may be below the fetch offset: batches are whole); -1 when
     *                       empty
     * @param nextOffset     the offset to fetch next: one past the last batch's last offset; the fetch offset when empty
     * @param highWatermark  the offset below which records are readable
     * @param logStartOffset the first readable offset
     */
    public record FetchedRegion(
        TopicPartition topicPartition, FileChannel channel, long position, int length, long firstOffset, long nextOffset,
        long highWatermark, long logStartOffset) implements FetchLocalReply, NoSerializationVerificationNeeded
    {
        /** True when there is nothing to read. */
        public boolean isEmpty()
        {
            return length == 0;
        }

        /**
         * Copies the region into {@code target} from its position, which needs {@link #length()} bytes remaining
         * (a reused direct buffer avoids the JDK's temporary one); returns the bytes copied, less than
         * {@link #length()} only if the file was truncated under the region.
         *
         * @throws java.nio.channels.ClosedChannelException if the segment was deleted since: fetch again
         */
        public int readInto(final ByteBuffer target) throws IOException
        {
            if (target.remaining() < length)
            {
                throw new IllegalArgumentException(
                    "the region needs " + length + " bytes but the buffer has " + target.remaining() + " remaining");
            }
            final int limit = target.limit();
            target.limit(target.position() + length);
            try
            {
                int done = 0;
                while (done < length)
                {
                    final int read = channel.read(target, position + done);
                    if (read < 0)
                    {
                        break;
                    }
                    done += read;
                }
                return done;
            }
            finally
            {
                target.limit(limit);
            }
        }

        /**
         * Sends the region to {@code target} (zero-copy {@code sendfile} where the OS supports it), looping until
         * all of it is sent, the target accepts nothing more (a full non-blocking socket: continue with
         * {@link #transferTo(WritableByteChannel, long)}) or the file ends. Returns the bytes sent.
         *
         * @throws java.nio.channels.ClosedChannelException if the segment was deleted since: fetch again
         */
        public long transferTo(final WritableByteChannel target) throws IOException
        {
            return transferTo(target, 0);
        }

        /** As {@link #transferTo(WritableByteChannel)}, starting {@code from} bytes into the region. */
        public long transferTo(final WritableByteChannel target, final long from) throws IOException
        {
            long done = from;
            while (done < length)
            {
                final long sent = channel.transferTo(position + done, length - done, target);
                if (sent <= 0)
                {
                    break;
                }
                done += sent;
            }
            return done - from;
        }
    }

    /**
     * The offset asked for by {@link ListOffsets}.
     *
     * @param offset    the offset, or -1 when {@link OffsetSpec#BY_TIMESTAMP} found no record at or after the timestamp
     * @param timestamp for {@link OffsetSpec#BY_TIMESTAMP}, the found record's own timestamp; otherwise -1
     */
    public record OffsetFound(TopicPartition topicPartition, long offset, long timestamp) implements ListOffsetsReply
    {
    }

    /**
     * Records were deleted.
     *
     * @param lowWatermark the log start offset now
     */
    public record RecordsDeleted(TopicPartition topicPartition, long lowWatermark) implements DeleteRecordsReply
    {
    }

    /**
     * Where an epoch ends.
     *
     * @param leaderEpoch the largest epoch at or below the one asked about that the log has; -1 when it has none
     * @param endOffset   the end offset (exclusive) of {@code leaderEpoch}; -1 when the epoch is unknown
     */
    public record EpochEndOffset(TopicPartition topicPartition, int leaderEpoch, long endOffset)
        implements OffsetForLeaderEpochReply
    {
    }

    /**
     * One idempotent producer with state in a partition.
     *
     * @param lastSequence the last sequence appended at {@code producerEpoch}; -1 when none
     * @param lastOffset   the offset of its last appended record; -1 when none
     */
    public record ActiveProducer(long producerId, short producerEpoch, int lastSequence, long lastOffset)
        implements MillraceMessage
    {
    }

    /** The producers with state in the partition, by producer id. */
    public record ProducersDescribed(TopicPartition topicPartition, List<ActiveProducer> producers)
        implements DescribeProducersReply
    {
        public ProducersDescribed
        {
            producers = List.copyOf(producers);
        }
    }

    /**
     * A request was refused; for a produce, nothing of it was appended.
     *
     * @param error   what went wrong, by Kafka's name
     * @param message what exactly, and what to do about it
     */
    public record Rejected(TopicPartition topicPartition, ErrorCode error, String message)
        implements ProduceReply, FetchReply, FetchLocalReply, ListOffsetsReply, DeleteRecordsReply,
        OffsetForLeaderEpochReply, DescribeProducersReply, ReplicaFetchReply
    {
    }

    /**
     * A replica's state.
     *
     * @param leaderEpoch       the epoch this replica appends with
     * @param logStartOffset    first readable offset
     * @param logEndOffset      offset the next record will get
     * @param highWatermark     records below it are readable by consumers
     * @param segmentCount      segment files in the log
     * @param sizeInBytes       bytes of all segments
     * @param producerCount     idempotent producers with state
     * @param parkedFetchCount  fetches waiting for data
     */
    public record Status(
        TopicPartition topicPartition, int leaderEpoch, long logStartOffset, long logEndOffset, long highWatermark,
        int segmentCount, long sizeInBytes, int producerCount, int parkedFetchCount) implements MillraceMessage
    {
    }

    /**
     * Why a request was refused. Names (and {@link #kafkaCode()}) mirror Kafka's {@code Errors} so that the Kafka
     * listener can pass them through unchanged.
     */
    public enum ErrorCode
    {
        /** An unexpected failure; see the message. */
        UNKNOWN_SERVER_ERROR(-1),
        /** The offset is below the log start or above the log end: reset the position with {@link ListOffsets}. */
        OFFSET_OUT_OF_RANGE(1),
        /** A batch failed its framing or CRC check: the producer should resend it. */
        CORRUPT_MESSAGE(2),
        /** The message was sent to a replica of another partition: refresh metadata. */
        UNKNOWN_TOPIC_OR_PARTITION(3),
        /** This replica cannot serve the request (not the leader, stopped, or fenced by a newer epoch): refresh metadata. */
        NOT_LEADER_OR_FOLLOWER(6),
        /** A batch is larger than the topic's {@code max.message.bytes}. */
        MESSAGE_TOO_LARGE(10),
        /** {@code acks} is not -1, 0 or 1. */
        INVALID_REQUIRED_ACKS(21),
        /** The request's parameters are inconsistent; see the message. */
        INVALID_REQUEST(42),
        /** An idempotent producer's sequence does not follow its last one: a batch is missing. */
        OUT_OF_ORDER_SEQUENCE_NUMBER(45),
        /**
         * Kafka's code for a duplicate sequence. Not used by produce: like Kafka since 1.0, a retry of one of the
         * producer's last five batches is answered with {@link Appended} and the original offset.
         */
        DUPLICATE_SEQUENCE_NUMBER(46),
        /** The producer epoch is older than the producer's current one: this producer instance was fenced. */
        INVALID_PRODUCER_EPOCH(47),
        /** The log's disk failed; the replica stops and the request should be retried on another replica. */
        KAFKA_STORAGE_ERROR(56),
        /** A batch is well-formed but not acceptable here (bad magic or attributes, control batch, mixed batches). */
        INVALID_RECORD(87),
        /** The transaction coordinator fenced this producer (transactions; not produced by partitions yet). */
        PRODUCER_FENCED(90),
        // Replication (appended after the others: Kryo writes enum ordinals).
        /** acks=all and the ISR is smaller than {@code min.insync.replicas}: nothing was appended; retriable. */
        NOT_ENOUGH_REPLICAS(19),
        /**
         * acks=all, the batch was appended, but the ISR fell below {@code min.insync.replicas} before it was
         * committed: it may or may not survive a failover; retriable (an idempotent producer's retry is deduplicated).
         */
        NOT_ENOUGH_REPLICAS_AFTER_APPEND(20),
        /** acks=all and the in-sync replicas did not all get the batch in time (it was appended to the leader). */
        REQUEST_TIMED_OUT(7),
        /** A replica fetch with a leader epoch older than the leader's: the follower has missed a leader change. */
        FENCED_LEADER_EPOCH(74),
        /** A replica fetch with a leader epoch newer than the leader's: the leader has not applied it yet; retry. */
        UNKNOWN_LEADER_EPOCH(75);

        private final short kafkaCode;

        ErrorCode(final int kafkaCode)
        {
            this.kafkaCode = (short)kafkaCode;
        }

        /** The numeric code of the same error in the Kafka protocol. */
        public short kafkaCode()
        {
            return kafkaCode;
        }
    }
}
